package starter_test

import (
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/neo4jtest"
	"github.com/companygraph/companygraph/internal/query"
	"github.com/companygraph/companygraph/internal/starter"
)

// EnvDump names a dump of the whole dataset (make starter) to load
// instead of the sample excerpt; `make test` loads the sample and checks
// the whole dataset's conversion without a database
// (TestConvertTheWholeDataset).
const EnvDump = "COMPANYGRAPH_TEST_STARTER"

// graph is the API over a Neo4j of its own holding the seed and the
// starter graph: loading it changes what other tests count.
type graph struct {
	*app.App
	srv  *httptest.Server
	full bool
}

// starterGraph starts the Neo4j, loads the graph and serves the API.
func starterGraph(t *testing.T) *graph {
	t.Helper()
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
	t.Cleanup(func() {
		g.srv.Close()
		a.Close(context.Background())
	})
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

// TestStarterGraph loads the seed and the starter graph into a Neo4j of
// its own, then searches them.
func TestStarterGraph(t *testing.T) {
	g := starterGraph(t)
	t.Run("load", func(t *testing.T) { load(t, g) })
	t.Run("search ranks by words matched", func(t *testing.T) { searchRanksByWordsMatched(t, g) })
	t.Run("search takes what people type", func(t *testing.T) { searchTakesWhatPeopleType(t, g) })
	t.Run("evidence search", func(t *testing.T) { searchEvidence(t, g) })
	t.Run("full-text index migrates", func(t *testing.T) { fullTextIndexMigrates(t, g) })
}

func load(t *testing.T, g *graph) {
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
						Sentence, Method string
						Source           struct{ ID, Title, Kind string }
					}
				}
			}
		}
		g.post(t, `{ company(id: "apple-inc") { name ticker indices executives { title executive { name } evidence { sentence method source { id title kind } } } } }`, nil).data(t, &out)
		var cook bool
		for _, e := range out.Company.Executives {
			if e.Executive.Name == "Tim Cook" && e.Title == "CEO" && len(e.Evidence) == 1 &&
				e.Evidence[0].Sentence == "Apple Inc. — key_people: Arthur Levinson ( chairman ) Tim Cook ( CEO )" &&
				e.Evidence[0].Source.ID == "pytickersymbols-1.17.10" && e.Evidence[0].Source.Kind == "dataset" && e.Evidence[0].Method == "DATASET" {
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

type hit struct {
	Score   float64
	Matched int
	Node    struct {
		Typename string `json:"__typename"`
		ID       string
	}
}

func (g *graph) search(t *testing.T, q, types string) []hit {
	t.Helper()
	if types != "" {
		types = ", types: " + types
	}
	var out struct{ Search []hit }
	g.post(t, `query($q: String!) { search(query: $q`+types+`, first: 20) { score matched node { __typename id } } }`, map[string]any{"q": q}).data(t, &out)
	// Ranked by words matched, then by score.
	for i := 1; i < len(out.Search); i++ {
		a, b := out.Search[i-1], out.Search[i]
		if a.Matched < b.Matched || a.Matched == b.Matched && a.Score < b.Score {
			t.Errorf("%q: hit %d (%+v) ranks above hit %d (%+v)", q, i-1, a, i, b)
		}
	}
	return out.Search
}

func ids(hits []hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Node.ID)
	}
	return out
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func searchRanksByWordsMatched(t *testing.T, g *graph) {
	tests := []struct {
		name, query, types string
		// first must be among the first hits; found among the 20.
		first []string
		found []string
	}{
		// Not every word is required: Xiaomi matches one of the two.
		{"a word of two", "xiaomi us", "", []string{"xiaomi-us-announcement"}, []string{"xiaomi"}},
		// Places: an event's place, a company's headquarters.
		{"a place", "san francisco", "", nil, []string{"xiaomi-us-announcement", "salesforce"}},
		{"a place of an event", "san francisco", "[Event]", []string{"xiaomi-us-announcement"}, nil},
		{"a headquarters", "cupertino", "[Company]", []string{"apple-inc"}, nil},
		// Kinds of products and of sources.
		{"a kind", "e-commerce site", "[Product]", []string{"mi-com"}, nil},
		{"a source's kind", "dataset", "[Source]", []string{"pytickersymbols-1.17.10"}, nil},
		// Figures' names: founders, and a ticker.
		{"a founder", "wozniak", "[Company]", []string{"apple-inc"}, nil},
		{"a ticker", "aapl", "", []string{"apple-inc"}, nil},
		// Both words of a name beat one of them.
		{"a person", "tim cook", "", []string{"tim-cook"}, nil},
		{"a typo", "jensen huamg", "", []string{"jensen-huang"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(g.search(t, tt.query, tt.types))
			for i, id := range tt.first {
				if index(got, id) != i {
					t.Errorf("%q: hits %v, want %s at %d", tt.query, got, id, i)
				}
			}
			for _, id := range tt.found {
				if index(got, id) < 0 {
					t.Errorf("%q: hits %v, want %s among them", tt.query, got, id)
				}
			}
		})
	}
	t.Run("more words matched first", func(t *testing.T) {
		hits := g.search(t, "xiaomi us", "")
		if len(hits) < 3 || hits[0].Matched != 2 || hits[len(hits)-1].Matched != 1 {
			t.Errorf("hits %+v", hits)
		}
	})
}

func searchTakesWhatPeopleType(t *testing.T, g *graph) {
	for _, q := range []string{`"AT&T"`, `AT&T`, `C++`, `a OR`, `"unbalanced`, `*`, `~`, `\`, `a AND NOT b`, `title:x`, `(x`, `x^2`, `a/b`, `[1 TO 5]`, `x~`, `x*`, `&&`, `||`, `!`, `-`} {
		for _, field := range []string{"search", "searchEvidence"} {
			res := g.post(t, `query($q: String!) { `+field+`(query: $q) { score } }`, map[string]any{"q": q})
			if res.status != http.StatusOK {
				t.Errorf("%s(%q): HTTP %d: %s", field, q, res.status, res.raw)
				continue
			}
			if len(res.Errors) > 0 {
				if code, _ := res.Errors[0].Extensions["code"].(string); code != "BAD_USER_INPUT" {
					t.Errorf("%s(%q): %s", field, q, res.raw)
				}
			}
		}
	}
	if got := ids(g.search(t, `"AT&T"`, "[Company]")); index(got, "at-t") != 0 {
		t.Errorf(`"AT&T": hits %v, want at-t first`, got)
	}
	for _, q := range []string{"zzqqxx", "qxzvjk kvqzxj"} {
		if hits := g.search(t, q, ""); len(hits) != 0 {
			t.Errorf("%q: hits %v, want none", q, ids(hits))
		}
	}
	res := g.post(t, `{ search(query: " ?! ") { score } }`, nil)
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("no words: %s", res.raw)
	}
}

type evidenceHit struct {
	Score    float64
	Matched  int
	Type     string
	From, To struct{ ID string }
	Evidence []struct {
		Sentence string
		Source   struct{ ID string }
	}
}

func (g *graph) searchEvidence(t *testing.T, q, types string) []evidenceHit {
	t.Helper()
	if types != "" {
		types = ", types: " + types
	}
	var out struct{ SearchEvidence []evidenceHit }
	g.post(t, `query($q: String!) { searchEvidence(query: $q`+types+`, first: 20) { score matched type from { id } to { id } evidence { sentence source { id } } } }`,
		map[string]any{"q": q}).data(t, &out)
	return out.SearchEvidence
}

func searchEvidence(t *testing.T, g *graph) {
	t.Run("the facts whose sentences hold the words", func(t *testing.T) {
		hits := g.searchEvidence(t, "tim cook", `["WORKS_FOR"]`)
		var cook bool
		for _, h := range hits {
			if h.Type != "WORKS_FOR" {
				t.Errorf("types: [WORKS_FOR] gave %+v", h)
			}
			if h.From.ID == "tim-cook" && h.To.ID == "apple-inc" && h.Matched == 2 && len(h.Evidence) == 1 &&
				h.Evidence[0].Sentence == "Apple Inc. — key_people: Arthur Levinson ( chairman ) Tim Cook ( CEO )" &&
				h.Evidence[0].Source.ID == "pytickersymbols-1.17.10" {
				cook = true
			}
		}
		if !cook {
			t.Errorf("hits %+v", hits)
		}
	})
	t.Run("only the sentences that contain a word", func(t *testing.T) {
		hits := g.searchEvidence(t, "barra press", `["PARTICIPATED_IN"]`)
		if len(hits) == 0 || hits[0].From.ID != "hugo-barra" || hits[0].To.ID != "xiaomi-us-announcement" {
			t.Fatalf("hits %+v", hits)
		}
		for _, e := range hits[0].Evidence {
			s := strings.ToLower(e.Sentence)
			if !strings.Contains(s, "barra") && !strings.Contains(s, "press") || e.Source.ID != "000_4657f6e3798185d7" {
				t.Errorf("evidence %+v", e)
			}
		}
	})
	t.Run("a misspelt place in the article", func(t *testing.T) {
		// The article writes "San Fransisco": a near spelling finds it.
		hits := g.searchEvidence(t, "press event francisco", `["MENTIONED_IN"]`)
		var found bool
		for _, h := range hits {
			for _, e := range h.Evidence {
				found = found || strings.Contains(e.Sentence, "San Fransisco")
			}
		}
		if !found {
			t.Errorf("no sentence of the article: %+v", hits)
		}
	})
	t.Run("ranked by words matched", func(t *testing.T) {
		hits := g.searchEvidence(t, "xiaomi flipkart india", "")
		for i := 1; i < len(hits); i++ {
			a, b := hits[i-1], hits[i]
			if a.Matched < b.Matched || a.Matched == b.Matched && a.Score < b.Score {
				t.Errorf("hit %d %+v ranks above %+v", i-1, a, b)
			}
		}
		if len(hits) == 0 || hits[0].Matched != 3 {
			t.Errorf("hits %+v", hits)
		}
	})
	t.Run("no hit", func(t *testing.T) {
		if hits := g.searchEvidence(t, "zzqqxx", ""); len(hits) != 0 {
			t.Errorf("hits %+v", hits)
		}
	})
	t.Run("an unknown type", func(t *testing.T) {
		res := g.post(t, `{ searchEvidence(query: "x", types: ["NOPE"]) { score } }`, nil)
		if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("%s", res.raw)
		}
	})
}

// A full-text index of an older schema, over other properties, is
// dropped and built anew at start-up.
func fullTextIndexMigrates(t *testing.T, g *graph) {
	ctx := context.Background()
	old := neo4j.FullText{Name: "migration_probe", Tokens: []string{"Company"}, Properties: []string{"name"}}
	now := neo4j.FullText{Name: "migration_probe", Tokens: []string{"Company", "Product"}, Properties: []string{"name", "headquarters"}}
	m := g.Engine.Mapping()
	for _, ft := range []neo4j.FullText{old, now, now} {
		if err := g.Client.EnsureSchema(ctx, query.NodeLabel, m.Labels(), m.Groups(), ft); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := g.Client.ReadOne(ctx, "SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, properties WHERE name = 'migration_probe' RETURN labelsOrTypes, properties", nil)
	if err != nil || len(recs) != 1 {
		t.Fatalf("%v %v", recs, err)
	}
	if got := fmt.Sprint(recs[0].Values...); got != "[Company Product] [name headquarters]" {
		t.Errorf("index over %s", got)
	}
	recs, err = g.Client.ReadOne(ctx, "CALL db.awaitIndexes(60) CALL db.index.fulltext.queryNodes('migration_probe', 'cupertino') YIELD node RETURN node.id", nil)
	if err != nil || len(recs) == 0 || recs[0].Values[0] != "apple-inc" {
		t.Errorf("the rebuilt index finds %v (%v)", recs, err)
	}
	g.Client.Write(ctx, func(tx neo4j.Tx) (any, error) { return tx.Run(ctx, "DROP INDEX migration_probe", nil) })
}
