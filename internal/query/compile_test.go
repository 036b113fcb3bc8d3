package query_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/query"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var limits = query.Limits{MaxPageSize: 50, MaxFilterDepth: 4}

func schema(t testing.TB) *ast.Schema {
	t.Helper()
	return generated.NewExecutableSchema(generated.Config{}).Schema()
}

// operation parses the one operation in src as the server would.
func operation(t testing.TB, s *ast.Schema, src string, vars map[string]any) *graphql.OperationContext {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(s, src)
	if errs != nil {
		t.Fatalf("invalid query: %v", errs)
	}
	return &graphql.OperationContext{RawQuery: src, Doc: doc, Operation: doc.Operations[0], Variables: vars}
}

func roots(t testing.TB, s *ast.Schema, src string, vars map[string]any) []graphql.CollectedField {
	t.Helper()
	oc := operation(t, s, src, vars)
	return graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
}

// compile compiles the one operation in src as the engine would.
func compile(t testing.TB, m *query.Mapping, s *ast.Schema, src string, vars map[string]any) *query.Statement {
	t.Helper()
	oc := operation(t, s, src, vars)
	st, err := m.Compile(oc, graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"}), limits)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return st
}

// TestCompileGolden keeps the Cypher for representative requests in
// testdata/compile/*.cypher, reviewed like code. Run with -update to rewrite.
func TestCompileGolden(t *testing.T) {
	s := schema(t)
	m, err := query.NewMapping(s)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("testdata/compile/*.graphql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".graphql")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			vars := map[string]any{}
			if raw, err := os.ReadFile(strings.TrimSuffix(file, ".graphql") + ".vars.json"); err == nil {
				if err := json.Unmarshal(raw, &vars); err != nil {
					t.Fatal(err)
				}
			}
			st := compile(t, m, s, string(src), vars)
			params, _ := json.MarshalIndent(st.Params, "", "  ")
			got := st.Cypher + "\n// params: " + string(params) + "\n"
			golden := strings.TrimSuffix(file, ".graphql") + ".cypher"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Cypher differs from %s (run go test -update and review the diff):\n%s", golden, got)
			}
		})
	}
}

// TestCompileKeepsValuesOutOfCypher checks that what a client sends only
// ever travels as a parameter, however it is quoted.
func TestCompileKeepsValuesOutOfCypher(t *testing.T) {
	s := schema(t)
	m, err := query.NewMapping(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"x'}) DETACH DELETE n //", "`) RETURN 1 //", "\" OR 1=1"} {
		st := compile(t, m, s, `query($id: ID!) { company(id: $id) { id name } }`, map[string]any{"id": id})
		if strings.Contains(st.Cypher, id) {
			t.Errorf("value %q reached the Cypher text:\n%s", id, st.Cypher)
		}
		if st.Params["p0"] != id {
			t.Errorf("value %q not passed as $p0: %v", id, st.Params)
		}
	}
}

func TestCompileOneStatementForAllRootFields(t *testing.T) {
	s := schema(t)
	m, err := query.NewMapping(s)
	if err != nil {
		t.Fatal(err)
	}
	st := compile(t, m, s, `{ a: company(id: "xiaomi") { name } markets { name } b: company(id: "nope") { id } }`, nil)
	if len(st.Roots) != 3 {
		t.Fatalf("want 3 roots, got %+v", st.Roots)
	}
	keys := []string{st.Roots[0].Field.Key, st.Roots[1].Field.Key, st.Roots[2].Field.Key}
	if strings.Join(keys, ",") != "a,markets,b" || !st.Roots[0].Single || st.Roots[1].Single {
		t.Errorf("roots: %+v", st.Roots)
	}
	if strings.Count(st.Cypher, "RETURN ") < 1 || !strings.HasPrefix(st.Cypher, "RETURN ") || strings.Count(st.Cypher, " AS f") != 3 {
		t.Errorf("want one RETURN with three columns:\n%s", st.Cypher)
	}
}
