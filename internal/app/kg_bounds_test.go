package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/kg"
	cgneo4j "github.com/companygraph/companygraph/internal/neo4j"
)

// fixture writes a graph of its own with plain Cypher, its ids under a
// prefix no other test uses, and deletes it when the test ends.
func fixture(t *testing.T, a *api, cypher string, params map[string]any) string {
	t.Helper()
	prefix := fmt.Sprintf("kgb-%d-", time.Now().UnixNano())
	params["p"] = prefix
	ctx := context.Background()
	if _, err := a.Client.Write(ctx, func(tx cgneo4j.Tx) (any, error) { return tx.Run(ctx, cypher, params) }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := a.Client.Write(ctx, func(tx cgneo4j.Tx) (any, error) {
			return tx.Run(ctx, `MATCH (n) WHERE n.id STARTS WITH $p DETACH DELETE n`, map[string]any{"p": prefix})
		}); err != nil {
			t.Errorf("cleaning up %s: %v", prefix, err)
		}
	})
	return prefix
}

// pathKey is a path as the order of paths sees it: the ids of its nodes,
// then the types of its relationships, the ids of the nodes they start
// from, and their keys; rels are their ids, to show.
type pathKey struct{ nodes, types, starts, keys, rels []string }

func (k pathKey) String() string {
	return strings.Join(k.nodes, ",") + " " + strings.Join(k.rels, ",")
}

func comparePathKeys(a, b pathKey) int {
	for _, l := range [][2][]string{{a.nodes, b.nodes}, {a.types, b.types}, {a.starts, b.starts}, {a.keys, b.keys}} {
		if c := slices.Compare(l[0], l[1]); c != 0 {
			return c
		}
	}
	return 0
}

// With more shortest paths than are returned, the ones returned are the
// first in path order, whatever order the planner finds them in.
func TestPathKeepsTheFirstShortestPaths(t *testing.T) {
	a := seeded(t)
	// from -IN_MARKET-> 5 markets <-IN_MARKET- 5 companies -PARTNERED_WITH-> to,
	// 25 paths of 3 hops, and 15 more that differ from some of them only in
	// the last relationship: its type (c1), its direction (c2), its key
	// (c3). Nodes and relationships are created out of id order.
	p := fixture(t, a, `
CREATE (src:Company {id: $p + 'from', name: 'From', aliases: []}), (to:Company {id: $p + 'to', name: 'To', aliases: []})
WITH src, to
UNWIND [3, 1, 5, 2, 4] AS i
CREATE (src)-[:IN_MARKET]->(:Market {id: $p + 'm' + i, name: 'M' + i, aliases: []})
WITH DISTINCT to
UNWIND [4, 2, 5, 1, 3] AS j
CREATE (c:Company {id: $p + 'c' + j, name: 'C' + j, aliases: []})-[:PARTNERED_WITH]->(to)
WITH c, to
MATCH (m:Market) WHERE m.id STARTS WITH $p
CREATE (c)-[:IN_MARKET]->(m)
WITH DISTINCT to
MATCH (c1:Company {id: $p + 'c1'}), (c2:Company {id: $p + 'c2'}), (c3:Company {id: $p + 'c3'})
CREATE (c1)-[:HAS_PRODUCT]->(to), (to)-[:PARTNERED_WITH]->(c2), (c3)-[:PARTNERED_WITH {key: 'second'}]->(to)`, map[string]any{})
	from, to := p+"from", p+"to"

	// The full set, with plain Cypher: every walk of the shortest length.
	recs, err := a.Client.ReadOne(context.Background(), `
MATCH (a:Company {id: $from}), (b:Company {id: $to})
OPTIONAL MATCH shorter = (a)-[*1..2]-(b)
WITH a, b, count(shorter) AS shorter
MATCH p = (a)-[*3]-(b)
RETURN shorter, [n IN nodes(p) | n.id] AS nodes,
  [r IN relationships(p) | [startNode(r).id, type(r), endNode(r).id, coalesce(r.key, '')]] AS rels`,
		map[string]any{"from": from, "to": to})
	if err != nil {
		t.Fatal(err)
	}
	var all []pathKey
	for _, r := range recs {
		m := r.AsMap()
		if m["shorter"].(int64) != 0 {
			t.Fatalf("the fixture has %v paths shorter than 3 hops", m["shorter"])
		}
		var k pathKey
		for _, n := range m["nodes"].([]any) {
			k.nodes = append(k.nodes, n.(string))
		}
		for _, rel := range m["rels"].([]any) {
			f := rel.([]any)
			k.types = append(k.types, f[1].(string))
			k.starts = append(k.starts, f[0].(string))
			k.keys = append(k.keys, f[3].(string))
			k.rels = append(k.rels, kg.EdgeID(f[0].(string), f[1].(string), f[2].(string), f[3].(string)))
		}
		all = append(all, k)
	}
	if len(all) != 40 {
		t.Fatalf("the fixture has %d shortest paths, want 40", len(all))
	}
	slices.SortFunc(all, comparePathKeys)
	var want []string
	for _, k := range all[:kg.MaxPaths] {
		want = append(want, k.String())
	}

	// Twice: the answer is the same whatever the planner did the first time.
	for range 2 {
		var got struct{ Path []path }
		before := a.statements()
		a.post(t, pathQuery, map[string]any{"from": from, "to": to, "max": 6}).data(t, &got)
		if n := a.statements() - before; n != 1 {
			t.Errorf("%v statements, want 1", n)
		}
		if len(got.Path) != kg.MaxPaths {
			t.Fatalf("%d paths, want %d", len(got.Path), kg.MaxPaths)
		}
		var keys []pathKey
		var paths []string
		for _, p := range got.Path {
			var k pathKey
			for _, n := range p.Nodes {
				k.nodes = append(k.nodes, n.ID)
			}
			for _, h := range p.Hops {
				k.types = append(k.types, h.Relationship.Type)
				k.starts = append(k.starts, h.Relationship.From)
				key, _ := h.Relationship.Properties["key"].(string)
				k.keys = append(k.keys, key)
				k.rels = append(k.rels, h.Relationship.ID)
			}
			keys = append(keys, k)
			paths = append(paths, k.String())
		}
		if !slices.IsSortedFunc(keys, comparePathKeys) {
			t.Errorf("not in path order:\n%s", strings.Join(paths, "\n"))
		}
		if strings.Join(paths, "\n") != strings.Join(want, "\n") {
			// Ids without their prefix, to be read.
			t.Fatalf("got\n%s\nwant the first %d of all %d\n%s", strings.ReplaceAll(strings.Join(paths, "\n"), p, ""),
				kg.MaxPaths, len(all), strings.ReplaceAll(strings.Join(want, "\n"), p, ""))
		}
	}
}
