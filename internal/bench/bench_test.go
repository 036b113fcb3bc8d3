package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/datagen"
	"github.com/companygraph/companygraph/internal/query"
)

// TestWorkloadCompiles checks every companygraph document against the
// served schema and compiles it, with the parameters the benchmark sends,
// so a schema change that breaks the workload fails here, not mid-run.
// The search must reach Neo4j as the same Lucene query the raw and
// @neo4j/graphql searches send.
func TestWorkloadCompiles(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{}).Schema()
	m, err := query.NewMapping(s)
	if err != nil {
		t.Fatal(err)
	}
	g, err := datagen.New(10_000, 1)
	if err != nil {
		t.Fatal(err)
	}
	ops := Workload(g)
	if len(ops) != 9 {
		t.Fatalf("want nine operations, got %d", len(ops))
	}
	for _, op := range ops {
		if len(op.Params) != paramSets || op.Cypher == "" || op.NG == "" {
			t.Errorf("%s: incomplete: %d parameter sets", op.Key, len(op.Params))
		}
		if op.CG == "" {
			continue
		}
		doc, errs := gqlparser.LoadQuery(s, op.CG)
		if errs != nil {
			t.Errorf("%s: %v", op.Key, errs)
			continue
		}
		if op.Writes {
			// internal/mutation runs a write, not the compiler: its
			// variables must coerce to the mutation's input types, and
			// every system's must leave room for the request's token.
			for i := range 3 {
				if _, err := validator.VariableValues(s, doc.Operations[0], op.Params[i].CG); err != nil {
					t.Errorf("%s: %v", op.Key, err)
				}
				for name, p := range map[string]map[string]any{"companygraph": op.Params[i].CG, "@neo4j/graphql": op.Params[i].NG, "raw": op.Params[i].Raw} {
					if b, _ := json.Marshal(p); !strings.Contains(string(b), freshMark) {
						t.Errorf("%s: the %s parameters have no %s", op.Key, name, freshMark)
					}
				}
			}
			continue
		}
		for i := range 3 {
			oc := &graphql.OperationContext{RawQuery: op.CG, Doc: doc, Operation: doc.Operations[0], Variables: op.Params[i].CG}
			st, err := m.Compile(oc, graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"}), query.Limits{MaxPageSize: 100, MaxFilterDepth: 6})
			if err != nil {
				t.Errorf("%s: %v", op.Key, err)
				continue
			}
			if op.Key == "search" && !reflect.DeepEqual(st.Params["p0"], op.Params[i].Raw["q"]) {
				t.Errorf("search %q: companygraph sends %q, the raw workload %q", op.Params[i].CG["q"], st.Params["p0"], op.Params[i].Raw["q"])
			}
		}
	}
	if s.Query.Fields.ForName("path") != nil {
		if _, errs := gqlparser.LoadQuery(s, strings.Replace(pathField, "%s", pathSelection, 1)); errs != nil {
			t.Errorf("path: %v", errs)
		}
	}
}

func TestFingerprints(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(any) string
		a, b any
	}{
		{"ids ignore shape", ids,
			map[string]any{"rows": []any{map[string]any{"company": map[string]any{"id": "c1", "executives": []any{map[string]any{"executive": map[string]any{"id": "e2"}}}}}}},
			map[string]any{"companies": []any{map[string]any{"id": "c1", "executivesConnection": map[string]any{"edges": []any{map[string]any{"node": map[string]any{"id": "e2"}}}}}}}},
		{"path counts nodes", pathLength,
			map[string]any{"rows": []any{map[string]any{"ids": []any{"a", "b", "c"}}}},
			map[string]any{"path": []any{map[string]any{"length": 2.0, "nodes": []any{map[string]any{"id": "a"}, map[string]any{"id": "x"}, map[string]any{"id": "c"}}}}}},
		{"kind counts", kindCounts,
			map[string]any{"rows": []any{map[string]any{"kind": "SALES", "count": 3.0}, map[string]any{"kind": "FUNDING", "count": 1.0}}},
			map[string]any{"markets": []any{map[string]any{"id": "m", "SALES": map[string]any{"aggregate": map[string]any{"count": map[string]any{"nodes": 3.0}}},
				"FUNDING": map[string]any{"aggregate": map[string]any{"count": map[string]any{"nodes": 1.0}}},
				"ABOUT":   map[string]any{"aggregate": map[string]any{"count": map[string]any{"nodes": 0.0}}}}}}},
		{"page: edges hold nodes", page,
			map[string]any{"rows": []any{map[string]any{"page": []any{map[string]any{"id": "e1"}, map[string]any{"id": "e0"}}, "hasNextPage": true, "totalCount": 30.0}}},
			map[string]any{"eventsConnection": map[string]any{"totalCount": 30.0, "pageInfo": map[string]any{"hasNextPage": true, "endCursor": "c1"},
				"edges": []any{map[string]any{"cursor": "c0", "node": map[string]any{"id": "e1"}}, map[string]any{"cursor": "c1", "node": map[string]any{"id": "e0"}}}}}},
		{"written: outcomes and counts", written,
			map[string]any{"rows": []any{map[string]any{"entities": 2.0, "relationships": 1.0}}},
			map[string]any{"ingest": map[string]any{"created": 3.0, "facts": []any{
				map[string]any{"id": "a", "outcome": "CREATED"}, map[string]any{"id": "b", "outcome": "CREATED"},
				map[string]any{"id": "a-WORKS_FOR->b", "outcome": "CREATED"}}}}},
		{"written: the source and mentions are not facts", written,
			map[string]any{"rows": []any{map[string]any{"entities": 2.0, "relationships": 1.0}}},
			map[string]any{"createSources": map[string]any{"info": map[string]any{"nodesCreated": 3.0, "relationshipsCreated": 3.0}}}},
	} {
		if fa, fb := c.f(c.a), c.f(c.b); fa != fb {
			t.Errorf("%s: %q != %q", c.name, fa, fb)
		}
	}
}

// TestReportKeepsOtherSizes checks that writing one size's section leaves
// the others in place.
func TestReportKeepsOtherSizes(t *testing.T) {
	file := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	for _, size := range []string{"M", "S", "M"} {
		r := &report{cfg: Config{Size: size, Report: file}}
		if err := r.write(new(strings.Builder)); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if strings.Count(text, "## Size M") != 1 || strings.Count(text, "## Size S") != 1 || strings.Index(text, "## Size S") > strings.Index(text, "## Size M") {
		t.Errorf("want one section per size, S before M:\n%s", text)
	}
}

// TestTargetsRowWithoutAnswers checks that a system which answered
// nothing empties only its own columns of the targets table: the write's
// ratios to raw Cypher are still shown when @neo4j/graphql had none.
func TestTargetsRowWithoutAnswers(t *testing.T) {
	op := &Op{Key: "ingest", Title: "9. ingest", Writes: true}
	cell := func(sys string, requests int, p50 time.Duration) *Result {
		res := &Result{System: sys, Op: op.Key, Concurrency: 1, Clients: 1, Requests: requests, Elapsed: 10 * time.Second}
		for range requests {
			res.latencies = append(res.latencies, p50)
		}
		return res
	}
	r := &report{cfg: Config{Size: "S", Concurrency: []int{1}}, ops: []*Op{op}, results: []*Result{
		cell("raw Cypher", 400, 20*time.Millisecond),
		cell("companygraph", 100, 60*time.Millisecond),
		cell("@neo4j/graphql", 0, 0),
	}}
	want := "| 9. ingest | 1 | 0.25 | 3.00 | n/a | n/a | 0.00 | — | — |"
	if text := r.render(); !strings.Contains(text, want) {
		t.Errorf("want the row %q in:\n%s", want, text)
	}
}
