package neo4j

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/companygraph/companygraph/internal/apierror"
)

var identifier = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// MigrationBatch is how many nodes one transaction of the migration to the
// common label changes, so a large graph is not labelled in one transaction.
const MigrationBatch = 10_000

// FullText is a full-text index over Properties of the nodes of the
// labels Tokens or, for Relationships, of the relationships of the types
// Tokens.
type FullText struct {
	Name          string
	Relationships bool
	Tokens        []string
	Properties    []string
}

// EnsureSchema prepares the database for the API, idempotently, so it runs
// at every start-up:
//
//   - the full-text indexes; one of the name that indexes other labels,
//     types or properties (a graph of an older schema) is dropped and
//     created anew, which rebuilds it in the background;
//   - a uniqueness constraint on id of the common label, which every node
//     the API writes carries: the one rule that keeps ids unique across
//     types, enforced by Neo4j whatever the concurrency;
//   - a uniqueness constraint on id of each label, the index a lookup of
//     one type by id uses (MATCH (n:Company {id: $id})) and the lock that
//     makes MERGE of one type safe under concurrency;
//   - the common label on every node of the labels that lacks it (a graph
//     written before the label existed), in batches of MigrationBatch;
//   - for each group of labels (types one node may combine, such as
//     Company and Partner in Organization), a uniqueness constraint on id
//     of the group's label, and the label on every node of the group's
//     labels that lacks it (a graph written before the group existed),
//     in batches too: writes find an organisation by it, whichever of
//     its types it already is.
//
// Then it waits for the indexes to come online, up to Options.IndexWait.
// Names come from the GraphQL schema's directives, never from requests,
// and must be plain identifiers: schema commands take no parameters for
// names.
//
// Nodes of two types with one id cannot both take the common label; the
// migration stops and the error names up to ten such ids, to be renamed
// or deleted by hand.
func (c *Client) EnsureSchema(ctx context.Context, common string, labels []string, groups map[string][]string, fulltext ...FullText) error {
	names := append([]string{common}, labels...)
	for g, members := range groups {
		names = append(append(names, g), members...)
	}
	for _, ft := range fulltext {
		names = append(append(append(names, ft.Name), ft.Tokens...), ft.Properties...)
	}
	for _, name := range names {
		if !identifier.MatchString(name) {
			return fmt.Errorf("ensure schema: %q is not a plain identifier", name)
		}
	}
	// The full-text indexes first: they are populated in the background,
	// so over nodes that are already there (an imported graph) they are
	// built while the constraints are, each of which populates its index
	// before its statement returns.
	var stmts []string
	for _, ft := range fulltext {
		drop, err := c.staleFullText(ctx, ft)
		if err != nil {
			return fmt.Errorf("ensure schema: %w", err)
		}
		if drop {
			stmts = append(stmts, "DROP INDEX "+ft.Name+" IF EXISTS")
		}
		stmts = append(stmts, ft.create())
	}
	for _, label := range append(append([]string{common}, labels...), sortedKeys(groups)...) {
		stmts = append(stmts, fmt.Sprintf("CREATE CONSTRAINT %s_id IF NOT EXISTS FOR (n:`%s`) REQUIRE n.id IS UNIQUE", label, label))
	}
	// Schema commands cannot share a transaction with each other's reads,
	// so each runs in its own.
	for _, stmt := range stmts {
		if _, err := c.Write(ctx, func(tx Tx) (any, error) { return tx.Run(ctx, stmt, nil) }); err != nil {
			return fmt.Errorf("ensure schema: %w", err)
		}
	}
	// The constraint is in place first, so a node written while the
	// migration runs already carries the label or is refused.
	nodes := "`" + strings.Join(labels, "`|`") + "`"
	migrate := fmt.Sprintf("MATCH (n:%s) WHERE NOT n:`%s` CALL (n) { SET n:`%s` } IN TRANSACTIONS OF %d ROWS",
		nodes, common, common, MigrationBatch)
	if err := c.AutoCommit(ctx, migrate, nil); err != nil {
		if apierror.CodeOf(err) == apierror.Conflict {
			return c.duplicates(ctx, nodes, err)
		}
		return fmt.Errorf("ensure schema: label nodes %s: %w", common, err)
	}
	for _, g := range sortedKeys(groups) {
		migrate := fmt.Sprintf("MATCH (n:`%s`) WHERE NOT n:`%s` CALL (n) { SET n:`%s` } IN TRANSACTIONS OF %d ROWS",
			strings.Join(groups[g], "`|`"), g, g, MigrationBatch)
		if err := c.AutoCommit(ctx, migrate, nil); err != nil {
			return fmt.Errorf("ensure schema: label nodes %s: %w", g, err)
		}
	}
	await := fmt.Sprintf("CALL db.awaitIndexes(%d)", max(int(c.indexWait.Seconds()), 1))
	if _, err := c.Write(ctx, func(tx Tx) (any, error) { return tx.Run(ctx, await, nil) }); err != nil {
		return fmt.Errorf("ensure schema: wait for indexes: %w", err)
	}
	return nil
}

// Backfill gives property prop the value v on every relationship of type
// relType stored without it (written before the property had a default),
// in batches of MigrationBatch; run again, it changes nothing.
func (c *Client) Backfill(ctx context.Context, relType, prop string, v any) error {
	if !identifier.MatchString(relType) || !identifier.MatchString(prop) {
		return fmt.Errorf("backfill: %q.%q is not a plain identifier", relType, prop)
	}
	stmt := fmt.Sprintf("MATCH ()-[r:`%s`]->() WHERE r.`%s` IS NULL CALL (r) { SET r.`%s` = $v } IN TRANSACTIONS OF %d ROWS",
		relType, prop, prop, MigrationBatch)
	if err := c.AutoCommit(ctx, stmt, map[string]any{"v": v}); err != nil {
		return fmt.Errorf("backfill %s.%s: %w", relType, prop, err)
	}
	return nil
}

// create is the statement that creates the index if it does not exist.
func (ft FullText) create() string {
	var props []string
	for _, p := range ft.Properties {
		props = append(props, "x.`"+p+"`")
	}
	pattern := "(x:`" + strings.Join(ft.Tokens, "`|`") + "`)"
	if ft.Relationships {
		pattern = "()-[x:`" + strings.Join(ft.Tokens, "`|`") + "`]-()"
	}
	return fmt.Sprintf("CREATE FULLTEXT INDEX %s IF NOT EXISTS FOR %s ON EACH [%s]", ft.Name, pattern, strings.Join(props, ", "))
}

// staleFullText reports whether an index of ft's name exists that is not
// ft: of the other entity type, or over other tokens or properties.
func (c *Client) staleFullText(ctx context.Context, ft FullText) (bool, error) {
	recs, err := c.ReadOne(ctx, "SHOW FULLTEXT INDEXES YIELD name, entityType, labelsOrTypes, properties WHERE name = $name RETURN entityType, labelsOrTypes, properties",
		map[string]any{"name": ft.Name})
	if err != nil || len(recs) == 0 {
		return false, err
	}
	entity := "NODE"
	if ft.Relationships {
		entity = "RELATIONSHIP"
	}
	strs := func(v any) []string {
		var out []string
		l, _ := v.([]any)
		for _, x := range l {
			s, _ := x.(string)
			out = append(out, s)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(l []string) []string { return slices.Sorted(slices.Values(l)) }
	v := recs[0].Values
	return v[0] != entity || !slices.Equal(strs(v[1]), sorted(ft.Tokens)) || !slices.Equal(strs(v[2]), sorted(ft.Properties)), nil
}

// duplicates explains a migration stopped by two nodes of one id.
func (c *Client) duplicates(ctx context.Context, labels string, cause error) error {
	recs, err := c.ReadOne(ctx, fmt.Sprintf("MATCH (n:%s) WITH n.id AS id, count(*) AS nodes WHERE nodes > 1 RETURN id ORDER BY id LIMIT 10", labels), nil)
	var ids []string
	if err == nil {
		for _, r := range recs {
			ids = append(ids, fmt.Sprintf("%q", r.Values[0]))
		}
	}
	if len(ids) == 0 {
		return fmt.Errorf("ensure schema: two nodes share an id, so ids cannot be unique across types: %w", cause)
	}
	return fmt.Errorf("ensure schema: ids used by nodes of two types, to rename or delete before ids can be unique across types: %s: %w",
		strings.Join(ids, ", "), cause)
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// HasSchema reports whether the common label, every label and every
// group label have their id constraint.
func (c *Client) HasSchema(ctx context.Context, common string, labels []string, groups map[string][]string) (bool, error) {
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
	for _, l := range append(append([]string{common}, labels...), sortedKeys(groups)...) {
		if !have[l] {
			return false, nil
		}
	}
	return true, nil
}
