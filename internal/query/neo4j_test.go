package query_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/neo4jtest"
	"github.com/companygraph/companygraph/internal/query"
)

// explainer checks statements against the shared Neo4j without running
// them; nil when no Neo4j is configured (plain `go test`).
func explainer(t testing.TB) func(*query.Statement) error {
	t.Helper()
	if os.Getenv(neo4jtest.EnvURI) == "" && os.Getenv(neo4jtest.EnvRequire) == "" {
		return nil
	}
	conn := neo4jtest.Shared(t)
	client, err := neo4j.Open(neo4j.Options{URI: conn.URI, Username: "neo4j", Password: conn.Password, Database: "neo4j", RetryTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(context.Background()) })
	return func(st *query.Statement) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := client.ReadOne(ctx, "EXPLAIN "+st.Cypher, st.Params)
		return err
	}
}

// Every golden statement is one Neo4j accepts.
func TestGoldenStatementsPlanInNeo4j(t *testing.T) {
	explain := explainer(t)
	if explain == nil {
		t.Skip(neo4jtest.EnvURI + " is not set; run with `make test`")
	}
	s := schema(t)
	m, err := query.NewMapping(s)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/compile/*.graphql")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		vars := map[string]any{}
		if raw, err := os.ReadFile(strings.TrimSuffix(file, ".graphql") + ".vars.json"); err == nil {
			json.Unmarshal(raw, &vars)
		}
		if err := explain(compile(t, m, s, string(src), vars)); err != nil {
			t.Errorf("%s: Neo4j refuses the statement: %v", file, err)
		}
	}
}
