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
	"github.com/companygraph/companygraph/internal/query"
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
CREATE (src:Company:Node {id: $p + 'from', name: 'From', aliases: []}), (to:Company:Node {id: $p + 'to', name: 'To', aliases: []})
WITH src, to
UNWIND [3, 1, 5, 2, 4] AS i
CREATE (src)-[:IN_MARKET]->(:Market:Node {id: $p + 'm' + i, name: 'M' + i, aliases: []})
WITH DISTINCT to
UNWIND [4, 2, 5, 1, 3] AS j
CREATE (c:Company:Node {id: $p + 'c' + j, name: 'C' + j, aliases: []})-[:PARTNERED_WITH]->(to)
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
	for _, k := range all[:query.MaxPaths] {
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
		if len(got.Path) != query.MaxPaths {
			t.Fatalf("%d paths, want %d", len(got.Path), query.MaxPaths)
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
				query.MaxPaths, len(all), strings.ReplaceAll(strings.Join(want, "\n"), p, ""))
		}
	}
}

// A window is applied before the timeline is cut to its first
// MaxTimelineEvents events, so a window late in time loses nothing.
func TestTimelineWindowBeforeTheCut(t *testing.T) {
	a := seeded(t)
	// 600 events a day apart from 2001-01-01, ids in date order, dates in
	// three wordings; 40 with relative dates and 20 without a date.
	const dated, relative, undated = 600, 40, 20
	first := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	day := func(i int) time.Time { return first.AddDate(0, 0, i) }
	var events []map[string]any
	for i := range dated {
		d := day(i)
		text := []string{d.Format("2006-01-02"), d.Format("2 January 2006"), d.Format("January 2, 2006")}[i%3]
		events = append(events, map[string]any{"n": fmt.Sprintf("e%04d", i), "date": text})
	}
	for i := range relative {
		events = append(events, map[string]any{"n": fmt.Sprintf("r%02d", i), "date": []string{"last year", "July last year"}[i%2]})
	}
	for i := range undated {
		events = append(events, map[string]any{"n": fmt.Sprintf("u%02d", i)})
	}
	p := fixture(t, a, `
CREATE (x:Company:Node {id: $p + 'x', name: 'X', aliases: []})
WITH x
UNWIND $events AS ev
CREATE (e:Event:Node {id: $p + ev.n, name: ev.n, kind: 'announcement'})
SET e.date = ev.date
CREATE (x)-[:PARTICIPATED_IN {role: 'participant'}]->(e)`, map[string]any{"events": events})
	ids := func(lo, hi int) []string {
		var out []string
		for i := lo; i < hi; i++ {
			out = append(out, fmt.Sprintf("%se%04d", p, i))
		}
		return out
	}
	// index is the first event on or after a day.
	index := func(d time.Time) int { return int(d.Sub(first).Hours() / 24) }

	tests := []struct {
		name      string
		from, to  any
		want      []string
		leftOut   int
		truncated bool
	}{
		{"a window late in time", "2002-06", "2002-08",
			ids(index(time.Date(2002, 6, 1, 0, 0, 0, 0, time.UTC)), dated), relative + undated, false},
		{"a window wider than the cut keeps its first events", "2001-02", "2002",
			ids(31, 31+kg.MaxTimelineEvents), relative + undated, true},
		{"a window of days", "2001-03-05", "2001-03-06",
			ids(index(time.Date(2001, 3, 5, 0, 0, 0, 0, time.UTC)), index(time.Date(2001, 3, 7, 0, 0, 0, 0, time.UTC))), relative + undated, false},
		{"no window keeps the first events in order", nil, nil,
			ids(0, kg.MaxTimelineEvents), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				Timeline struct {
					LeftOut   int
					Truncated bool
					Events    []timelineEvent
				}
			}
			a.post(t, timelineQuery, map[string]any{"id": p + "x", "from": tt.from, "to": tt.to}).data(t, &got)
			tl := got.Timeline
			var gotIDs []string
			for _, e := range tl.Events {
				gotIDs = append(gotIDs, e.Event.ID)
			}
			if !slices.Equal(gotIDs, tt.want) {
				t.Errorf("%d events %s … %s, want %d %s … %s", len(gotIDs), head(gotIDs), tail(gotIDs), len(tt.want), head(tt.want), tail(tt.want))
			}
			if tl.LeftOut != tt.leftOut || tl.Truncated != tt.truncated {
				t.Errorf("leftOut %d truncated %v, want %d %v", tl.LeftOut, tl.Truncated, tt.leftOut, tt.truncated)
			}
			for _, e := range tl.Events {
				if e.Precision != "DAY" || e.ISO == nil || e.Date == nil || len(e.Links) != 1 {
					t.Errorf("%s: precision %s iso %v date %v, %d links", e.Event.ID, e.Precision, e.ISO, e.Date, len(e.Links))
					break
				}
			}
		})
	}
}

func head(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	return ids[0]
}

func tail(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	return ids[len(ids)-1]
}
