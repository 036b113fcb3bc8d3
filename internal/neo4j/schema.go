package neo4j

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

var identifier = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// EnsureSchema creates a uniqueness constraint on id for each label and a
// full-text index over the given properties of all labels, then waits for
// the indexes to come online. It is idempotent, so it runs at every
// start-up. Names come from the GraphQL schema's directives, never from
// requests, and must be plain identifiers: schema commands take no
// parameters for names.
func (c *Client) EnsureSchema(ctx context.Context, labels []string, fulltext string, properties []string) error {
	for _, name := range append(append([]string{fulltext}, labels...), properties...) {
		if !identifier.MatchString(name) {
			return fmt.Errorf("ensure schema: %q is not a plain identifier", name)
		}
	}
	var stmts []string
	for _, label := range labels {
		stmts = append(stmts, fmt.Sprintf("CREATE CONSTRAINT %s_id IF NOT EXISTS FOR (n:`%s`) REQUIRE n.id IS UNIQUE", label, label))
	}
	var props []string
	for _, p := range properties {
		props = append(props, "n.`"+p+"`")
	}
	stmts = append(stmts, fmt.Sprintf("CREATE FULLTEXT INDEX %s IF NOT EXISTS FOR (n:`%s`) ON EACH [%s]",
		fulltext, strings.Join(labels, "`|`"), strings.Join(props, ", ")))
	// Schema commands cannot share a transaction with each other's reads,
	// so each runs in its own.
	for _, stmt := range stmts {
		if _, err := c.Write(ctx, func(tx Tx) (any, error) { return tx.Run(ctx, stmt, nil) }); err != nil {
			return fmt.Errorf("ensure schema: %w", err)
		}
	}
	if _, err := c.Write(ctx, func(tx Tx) (any, error) { return tx.Run(ctx, "CALL db.awaitIndexes(60)", nil) }); err != nil {
		return fmt.Errorf("ensure schema: wait for indexes: %w", err)
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
