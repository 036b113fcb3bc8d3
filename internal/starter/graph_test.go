package starter_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/app"
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/neo4jtest"
	"github.com/companygraph/companygraph/internal/starter"
)

// EnvDump names the full dump that `make test` writes (make starter); the
// tests load it when it is there, and the sample excerpt otherwise.
const EnvDump = "COMPANYGRAPH_TEST_STARTER"

// graph is the API over a Neo4j of its own holding the seed and the
// starter graph: loading it changes what other tests count.
type graph struct {
	*app.App
	srv  *httptest.Server
	full bool
}

var shared *graph

// starterGraph starts the Neo4j, loads the graph and serves the API, once
// for the tests of the package.
func starterGraph(t *testing.T) *graph {
	t.Helper()
	if shared != nil {
		return shared
	}
	if testing.Short() {
		t.Skip("starts its own Neo4j")
	}
	neo := neo4jtest.New(t, "starter-password")
	neo.Start()
	cfg, err := config.Load(nil, func(k string) string {
		switch k {
		case "NEO4J_URI":
			return neo.URI
		case "NEO4J_PASSWORD":
			return neo.Password
		case "NEO4J_RETRY_TIME":
			return "1s"
		}
		return ""
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	g := &graph{}
	cfg.Starter = "testdata/pytickersymbols-sample.json"
	if p := os.Getenv(EnvDump); p != "" {
		if _, err := os.Stat(p); err == nil {
			cfg.Starter, g.full = p, true
		}
	}
	a, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	g.App = a
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	if err := a.Prepare(ctx); err != nil {
		t.Fatalf("prepare: %v", err)
	}
	t.Logf("schema, seed and starter graph (%s) loaded in %s", cfg.Starter, time.Since(start).Round(time.Millisecond))
	g.srv = httptest.NewServer(a.Handler())
	// The Neo4j belongs to the first test that asked for it; the others
	// run after it, in its lifetime (the package's tests are not parallel).
	t.Cleanup(func() {
		g.srv.Close()
		a.Close(context.Background())
		shared = nil
	})
	shared = g
	return g
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	raw    string
}

func (g *graph) post(t *testing.T, query string, vars map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, err := http.Post(g.srv.URL+"/graphql", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, raw: string(raw)}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response is not JSON (%d): %s", res.StatusCode, raw)
	}
	return r
}

func (r response) data(t *testing.T, v any) {
	t.Helper()
	if len(r.Errors) > 0 || r.status != http.StatusOK {
		t.Fatalf("unexpected errors (%d): %s", r.status, r.raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatal(err)
	}
}

// count runs a Cypher statement that returns one integer.
func (g *graph) count(t *testing.T, cypher string) int64 {
	t.Helper()
	recs, err := g.Client.ReadOne(context.Background(), cypher, map[string]any{"source": starter.SourceID("1.17.10")})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := recs[0].Values[0].(int64)
	return n
}

func TestStarterGraph(t *testing.T) {
	g := starterGraph(t)
	companies := g.count(t, "MATCH (c:Company)-[:MENTIONED_IN]->(:Source {id: $source}) RETURN count(c)")
	people := g.count(t, "MATCH (e:Executive)-[:MENTIONED_IN]->(:Source {id: $source}) RETURN count(e)")
	products := g.count(t, "MATCH (p:Product)-[:MENTIONED_IN]->(:Source {id: $source}) RETURN count(p)")
	rels := g.count(t, "MATCH ()-[r]->() WHERE type(r) <> 'MENTIONED_IN' AND $source IN r.sources RETURN count(r)")
	t.Logf("starter graph: %d companies, %d executives, %d products, %d relationships between them", companies, people, products, rels)
	if g.full && (companies < 1800 || people < 2500) || companies < 9 || people < 20 {
		t.Errorf("only %d companies and %d people", companies, people)
	}

	t.Run("every fact quotes its record and names the dataset", func(t *testing.T) {
		bad := g.count(t, `MATCH (a)-[r]->(b) WHERE $source IN r.sources
  AND any(i IN range(0, size(r.sources) - 1) WHERE r.sources[i] = $source AND NOT r.sentences[i] CONTAINS ' — ')
  RETURN count(r)`)
		if bad > 0 {
			t.Errorf("%d relationships cite the dataset without a record line", bad)
		}
		var out struct {
			Company struct {
				Name, Ticker string
				Indices      []string
				Executives   []struct {
					Title     string
					Executive struct{ Name string }
					Evidence  []struct {
						Sentence string
						Source   struct{ ID, Title, Kind string }
					}
				}
			}
		}
		g.post(t, `{ company(id: "apple-inc") { name ticker indices executives { title executive { name } evidence { sentence source { id title kind } } } } }`, nil).data(t, &out)
		var cook bool
		for _, e := range out.Company.Executives {
			if e.Executive.Name == "Tim Cook" && e.Title == "CEO" && len(e.Evidence) == 1 &&
				e.Evidence[0].Sentence == "Apple Inc. — key_people: Arthur Levinson ( chairman ) Tim Cook ( CEO )" &&
				e.Evidence[0].Source.ID == "pytickersymbols-1.17.10" && e.Evidence[0].Source.Kind == "dataset" {
				cook = true
			}
		}
		if out.Company.Ticker != "AAPL" || !cook {
			t.Errorf("apple-inc: %+v", out.Company)
		}
	})

	t.Run("loading it again changes nothing", func(t *testing.T) {
		changes := g.count(t, "MATCH (c:Change) RETURN count(c)")
		nodes := g.count(t, "MATCH (n) RETURN count(n)")
		relsBefore := g.count(t, "MATCH ()-[r]->() RETURN count(r)")
		sentences := g.count(t, "MATCH ()-[r]->() RETURN sum(size(coalesce(r.sentences, [])))")
		updated := g.count(t, "MATCH (n) WHERE n.updatedBy = 'starter' RETURN count(n)")
		start := time.Now()
		if err := g.Prepare(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Logf("second load took %s", time.Since(start).Round(time.Millisecond))
		for what, want := range map[string]int64{
			"MATCH (c:Change) RETURN count(c)":                             changes,
			"MATCH (n) RETURN count(n)":                                    nodes,
			"MATCH ()-[r]->() RETURN count(r)":                             relsBefore,
			"MATCH ()-[r]->() RETURN sum(size(coalesce(r.sentences, [])))": sentences,
			"MATCH (n) WHERE n.updatedBy = 'starter' RETURN count(n)":      updated,
		} {
			if got := g.count(t, what); got != want {
				t.Errorf("%s: %d before the second load, %d after", what, want, got)
			}
		}
		t.Logf("after the second load: %d nodes, %d relationships, %d changes recorded, as before", nodes, relsBefore, changes)
	})
}
