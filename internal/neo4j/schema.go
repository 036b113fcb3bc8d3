package neo4j

import (
	"context"
	"fmt"
	"regexp"
)

var identifier = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// EnsureSchema creates a uniqueness constraint on id for each label. It is
// idempotent, so it runs at every start-up. Labels come from the GraphQL
// schema's directives, never from requests, and must be plain identifiers.
func (c *Client) EnsureSchema(ctx context.Context, labels []string) error {
	_, err := c.Write(ctx, func(tx Tx) (any, error) {
		for _, label := range labels {
			if !identifier.MatchString(label) {
				return nil, fmt.Errorf("label %q is not a plain identifier", label)
			}
			// Schema commands take no parameters for names; the label was checked above.
			stmt := fmt.Sprintf("CREATE CONSTRAINT %s_id IF NOT EXISTS FOR (n:`%s`) REQUIRE n.id IS UNIQUE", label, label)
			if _, err := tx.Run(ctx, stmt, nil); err != nil {
				return nil, fmt.Errorf("constraint on %s: %w", label, err)
			}
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("ensure schema: %w", err)
	}
	return nil
}

// HasSchema reports whether every label has its id constraint.
func (c *Client) HasSchema(ctx context.Context, labels []string) (bool, error) {
	recs, err := c.ReadOne(ctx, "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type WHERE type = 'UNIQUENESS' AND properties = ['id'] RETURN collect(labelsOrTypes[0]) AS labels", nil)
	if err != nil {
		return false, err
	}
	have := map[string]bool{}
	if len(recs) == 1 {
		if list, ok := recs[0].Values[0].([]any); ok {
			for _, l := range list {
				if s, ok := l.(string); ok {
					have[s] = true
				}
			}
		}
	}
	for _, l := range labels {
		if !have[l] {
			return false, nil
		}
	}
	return true, nil
}
