package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	neo4jdriver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/companygraph/companygraph/internal/app"
	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/datagen"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/neo4jtest"
	"github.com/companygraph/companygraph/internal/server"
)

// dbHitsSlack is how much more the compiled statement of a benchmark
// operation may cost the database than the hand-written one.
const dbHitsSlack = 1.1

// costed is the API over a generated graph, asked as an admin for each
// request's cost.
type costed struct {
	t      *testing.T
	srv    *httptest.Server
	client *neo4j.Client
	key    string
}

// newCosted loads a generated graph of nodes nodes into a Neo4j of its
// own (or, with COMPANYGRAPH_TEST_DBHITS_URI, into one given, which must
// be empty or hold that graph already: COMPANYGRAPH_TEST_DBHITS_NODES
// says its size) and serves the API over it.
func newCosted(t *testing.T, nodes int) (*costed, *datagen.Graph) {
	t.Helper()
	uri, password := os.Getenv("COMPANYGRAPH_TEST_DBHITS_URI"), os.Getenv("COMPANYGRAPH_TEST_DBHITS_PASSWORD")
	if uri == "" {
		if testing.Short() {
			t.Skip("needs a Neo4j of its own")
		}
		s := neo4jtest.New(t, "dbhits-password")
		s.Start()
		uri, password = s.URI, s.Password
	}
	const key = "dbhits-admin-key"
	cfg, err := config.Load(nil, func(k string) string {
		switch k {
		case "NEO4J_URI":
			return uri
		case "NEO4J_PASSWORD":
			return password
		case "COMPANYGRAPH_LOAD_SEED":
			return "false"
		case "COMPANYGRAPH_API_KEYS":
			return "bench:admin:" + auth.HashKey(key)
		}
		return ""
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	g, err := datagen.New(nodes, 1)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := a.Client.ReadOne(ctx, "MATCH (n) RETURN count(n) AS n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := recs[0].Get("n"); n.(int64) == 0 {
		if _, err := datagen.Load(ctx, a.Client, a.Engine.Mapping(), g, datagen.LoadOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &costed{t: t, srv: srv, client: a.Client, key: key}, g
}

// graphQL sends doc as an admin asking for its cost and returns the
// answer's data, the db hits of all its statements and how many there were.
func (c *costed) graphQL(doc string, vars map[string]any) (json.RawMessage, int64, int) {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": doc, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set(server.CostHeader, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data       json.RawMessage `json:"data"`
		Errors     []any           `json:"errors"`
		Extensions struct {
			Cost struct {
				DBHits     int64 `json:"dbHits"`
				Statements []struct {
					Cypher string `json:"cypher"`
				} `json:"statements"`
			} `json:"cost"`
		} `json:"extensions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		c.t.Fatal(err)
	}
	if len(out.Errors) > 0 {
		c.t.Fatalf("%s: %v", doc, out.Errors)
	}
	if os.Getenv("COMPANYGRAPH_TEST_DBHITS_CYPHER") != "" {
		for _, st := range out.Extensions.Cost.Statements {
			c.t.Logf("%s", st.Cypher)
		}
	}
	return out.Data, out.Extensions.Cost.DBHits, len(out.Extensions.Cost.Statements)
}

// raw runs op's hand-written statement under PROFILE, in a write
// transaction if op writes, and returns its answer, as the benchmark's
// raw target decodes it, and its db hits.
func (c *costed) raw(op *Op, params map[string]any) (any, int64) {
	c.t.Helper()
	ctx, p := neo4j.WithProfile(context.Background())
	var recs []*neo4jdriver.Record
	var err error
	if op.Writes {
		var out any
		out, err = c.client.Write(ctx, func(tx neo4j.Tx) (any, error) { return tx.Run(ctx, op.Cypher, params) })
		recs, _ = out.([]*neo4jdriver.Record)
	} else {
		recs, err = c.client.ReadOne(ctx, op.Cypher, params)
	}
	if err != nil {
		c.t.Fatalf("%s: %v", op.Cypher, err)
	}
	rows := make([]any, len(recs))
	for n, rec := range recs {
		rows[n] = rec.AsMap()
	}
	b, err := json.Marshal(map[string]any{"rows": rows})
	if err != nil {
		c.t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		c.t.Fatal(err)
	}
	return v, p.DBHits()
}

// TestDBHits PROFILEs every benchmark operation on a generated graph,
// compiled and hand-written, with the benchmark's first parameter sets,
// and fails when a query's compiled statement needs more than dbHitsSlack
// times the hand-written one's db hits. The figures are the database's
// own count of its work, so they do not depend on the machine's load.
//
// The write is PROFILEd too, which runs it, and both ways must write the
// same; its figures are logged, not held to the slack: ingest runs one
// statement per step in one transaction (ids of other types, resolution
// by id and by name or alias, the source, one UNWIND per label and per
// kind of relationship), and resolving by name or alias reads every node
// of the label, as no index holds lower-cased names and aliases. That is
// what ingest promises (an entity named again is matched, not
// duplicated), which the hand-written MERGE by id does not, so their
// ratio grows with the graph and says nothing about the compiler.
func TestDBHits(t *testing.T) {
	nodes := 20_000
	if n, err := strconv.Atoi(os.Getenv("COMPANYGRAPH_TEST_DBHITS_NODES")); err == nil {
		nodes = n
	}
	c, g := newCosted(t, nodes)
	const requests = 8
	for _, op := range Workload(g) {
		t.Run(op.Key, func(t *testing.T) {
			c.t = t
			doc := op.CG
			if doc == "" {
				doc = fmt.Sprintf(pathField, pathSelection)
			}
			cgTokens, rawTokens := newTokens("cg"), newTokens("raw")
			if op.Writes {
				// What the writes added goes, so that a database given
				// by COMPANYGRAPH_TEST_DBHITS_URI keeps holding the graph.
				t.Cleanup(func() { c.remove(t, "MATCH (n:Node) WHERE n.id STARTS WITH 'write-' DETACH DELETE n") })
			}
			var compiled, hand int64
			statements := 0
			for _, p := range op.Params[:requests] {
				vars, params := p.CG, p.Raw
				if op.Writes {
					vars = freshen(vars, cgTokens.next()).(map[string]any)
					params = freshen(params, rawTokens.next()).(map[string]any)
				}
				data, hits, n := c.graphQL(doc, vars)
				if n != 1 && !op.Writes {
					t.Fatalf("%s: %d statements, want 1", doc, n)
				}
				statements += n
				compiled += hits
				answer, rawHits := c.raw(op, params)
				hand += rawHits
				if len(data) == 0 || string(data) == "null" {
					t.Fatalf("no data for %v", p.CG)
				}
				if op.Writes {
					var v any
					if err := json.Unmarshal(data, &v); err != nil {
						t.Fatal(err)
					}
					if a, b := op.fingerprint(v), op.fingerprint(answer); a != b {
						t.Errorf("companygraph wrote %s, the hand-written statement %s", a, b)
					}
				}
			}
			ratio := float64(compiled) / float64(max(hand, 1))
			t.Logf("%s: %d db hits compiled (%d statements), %d hand-written, %.2fx", op.Key, compiled, statements, hand, ratio)
			if op.Writes {
				return
			}
			if ratio > dbHitsSlack {
				t.Errorf("%s: the compiled statements need %.2fx the db hits of the hand-written ones (%d against %d), more than %.2fx",
					op.Key, ratio, compiled, hand, dbHitsSlack)
			}
		})
	}
	t.Run("page-on-10x-label", func(t *testing.T) {
		c.t = t
		pageCostFlat(t, c)
	})
}

// remove runs a statement that deletes what a subtest wrote.
func (c *costed) remove(t *testing.T, cypher string) {
	ctx := context.Background()
	if _, err := c.client.Write(ctx, func(tx neo4j.Tx) (any, error) { return tx.Run(ctx, cypher, nil) }); err != nil {
		t.Error(err)
	}
}

// pageDoc is a root connection's first page, as a list view asks for it.
const pageDoc = `{ companiesConnection(first: 10) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`

// pageCostFlat shows that a connection's first page costs the database
// the same on a label ten times bigger: it adds nine times as many
// companies as the graph holds, asks again, and removes them.
func pageCostFlat(t *testing.T, c *costed) {
	ctx := context.Background()
	recs, err := c.client.ReadOne(ctx, "MATCH (n:Company) RETURN count(n) AS n", nil)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := recs[0].Get("n")
	_, small, n1 := c.graphQL(pageDoc, nil)
	grow := func(cypher string) {
		if _, err := c.client.Write(ctx, func(tx neo4j.Tx) (any, error) {
			return tx.Run(ctx, cypher, map[string]any{"n": 9 * n.(int64)})
		}); err != nil {
			t.Fatal(err)
		}
	}
	grow("UNWIND range(1, $n) AS i CREATE (:Company:Node {id: 'grown-' + i, name: 'Grown ' + i})")
	t.Cleanup(func() { grow("MATCH (c:Company) WHERE c.id STARTS WITH 'grown-' DELETE c") })
	_, big, n2 := c.graphQL(pageDoc, nil)
	if n1 != 1 || n2 != 1 {
		t.Fatalf("the first page took %d and %d statements, want 1", n1, n2)
	}
	t.Logf("first page of 10: %d db hits over %d companies, %d over %d", small, n, big, 10*n.(int64))
	if big != small {
		t.Errorf("the first page costs %d db hits over %d companies and %d over %d", small, n, big, 10*n.(int64))
	}
}
