package bench

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/app"
	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/datagen"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/neo4jtest"
	"github.com/companygraph/companygraph/internal/query"
)

// costed is the API over a generated graph, asked as an admin for each
// request's cost.
type costed struct {
	t       testing.TB
	cg      costClient
	client  *neo4j.Client
	handler http.Handler
	cfg     config.Config
}

// newCosted loads a generated graph of nodes nodes into a Neo4j of its
// own (or, with COMPANYGRAPH_TEST_DBHITS_URI, into one given, which must
// be empty or hold that graph already: COMPANYGRAPH_TEST_DBHITS_NODES
// says its size) and serves the API over it.
func newCosted(t testing.TB, nodes int) (*costed, *datagen.Graph) {
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
		case "COMPANYGRAPH_QUERY_TIMEOUT":
			// Db hits do not depend on time; a busy machine must not fail
			// the write the test costs.
			return "2m"
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
	return &costed{t: t, cg: costClient{url: srv.URL + "/graphql", key: key}, client: a.Client, handler: a.Handler(), cfg: cfg}, g
}

// graphQL sends doc as an admin asking for its cost and returns the
// answer's data and the db hits of its one statement.
func (c *costed) graphQL(doc string, vars map[string]any) (json.RawMessage, int64) {
	c.t.Helper()
	data, hits, n, err := c.cg.ask(context.Background(), doc, vars)
	if err != nil {
		c.t.Fatal(err)
	}
	if n != 1 {
		c.t.Fatalf("%s: %d statements, want 1", doc, n)
	}
	return data, hits
}

// raw runs the hand-written statement under PROFILE and returns its db hits.
func (c *costed) raw(cypher string, params map[string]any) int64 {
	c.t.Helper()
	hits, err := rawHits(context.Background(), c.client, cypher, params)
	if err != nil {
		c.t.Fatal(err)
	}
	return hits
}

// TestDBHits PROFILEs every benchmark operation on a generated graph,
// compiled and hand-written, with the benchmark's first parameter sets,
// and fails when the compiled statements need more than dbHitsSlack times
// the hand-written ones' db hits. The figures are the database's own
// count of its work, so they do not depend on the machine's load.
func TestDBHits(t *testing.T) {
	nodes := 20_000
	if n, err := strconv.Atoi(os.Getenv("COMPANYGRAPH_TEST_DBHITS_NODES")); err == nil {
		nodes = n
	}
	c, g := newCosted(t, nodes)
	ops := Workload(g)
	hits, err := measureDBHits(context.Background(), ops, c.cg, c.client, dbHitsRequests)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if op.Writes {
			continue
		}
		d, ok := hits[op.Key]
		if !ok {
			t.Errorf("%s: not measured", op.Key)
			continue
		}
		t.Logf("%s: %d db hits compiled, %d hand-written, %.2fx", op.Key, d.Compiled, d.Hand, d.Ratio())
		if d.Hand == 0 || d.Ratio() > dbHitsSlack {
			t.Errorf("%s: the compiled statements need %.2fx the db hits of the hand-written ones (%d against %d), more than %.2fx",
				op.Key, d.Ratio(), d.Compiled, d.Hand, dbHitsSlack)
		}
	}
	t.Run("page-on-10x-label", func(t *testing.T) {
		c.t = t
		pageCostFlat(t, c)
	})
	t.Run("ingest-on-10x-label", func(t *testing.T) {
		c.t = t
		ingestCostFlat(t, c, ops)
	})
	t.Run("search-agrees-with-raw-cypher", func(t *testing.T) {
		c.t = t
		searchAgrees(t, c, ops)
	})
}

// searchAgrees checks that the benchmark's search finds the same hits
// through companygraph as its hand-written statement, which ranks the
// same way, for every parameter set: one word or two, some typed wrong.
func searchAgrees(t *testing.T, c *costed, ops []*Op) {
	var op *Op
	for _, o := range ops {
		if o.Key == "search" {
			op = o
		}
	}
	r := newRaw(c.client)
	for i := range op.Params {
		data, _ := c.graphQL(op.CG, op.Params[i].CG)
		var cg any
		if err := json.Unmarshal(data, &cg); err != nil {
			t.Fatal(err)
		}
		want, err := r.Answer(context.Background(), op, i)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := op.fingerprint(cg), op.fingerprint(want); got != want {
			t.Errorf("search %q: companygraph %s, raw Cypher %s", op.Params[i].CG["q"], got, want)
		}
	}
	t.Logf("%d searches: the same hits through companygraph and raw Cypher", len(op.Params))
}

// pageDoc is a root connection's first page, as a list view asks for it.
const pageDoc = `{ companiesConnection(first: 10) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`

// afterDoc is a page of the same list after a cursor.
const afterDoc = `query($after: Cursor) { companiesConnection(first: 10, after: $after) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`

// pageCostFlat shows that a connection's first page costs the database
// the same on a label ten times bigger, and so does a page after a
// cursor the API gave deep into that list: it starts from the cursor's
// id, so it also stays where it was when nodes are added before it. A
// cursor that holds only a position (one of an older version) still
// pages there, counting past every node before it, with the same answer.
func pageCostFlat(t *testing.T, c *costed) {
	_, small := c.graphQL(pageDoc, nil)
	n := growCompanies(t, c)
	_, big := c.graphQL(pageDoc, nil)
	t.Logf("first page of 10: %d db hits over %d companies, %d over %d", small, n, big, 10*n)
	if big != small {
		t.Errorf("the first page costs %d db hits over %d companies and %d over %d", small, n, big, 10*n)
	}
	deep := 9 * n
	data, _ := c.graphQL(afterDoc, map[string]any{"after": query.Cursor{Pos: deep}.String()})
	var page struct {
		CompaniesConnection struct {
			Edges    []struct{ Cursor string }
			PageInfo struct{ EndCursor string }
		}
	}
	if err := json.Unmarshal(data, &page); err != nil || len(page.CompaniesConnection.Edges) != 10 {
		t.Fatalf("page after position %d: %v %s", deep, err, data)
	}
	var end query.Cursor
	if err := end.UnmarshalGQL(page.CompaniesConnection.PageInfo.EndCursor); err != nil || !end.Keyed || end.Pos != deep+10 {
		t.Fatalf("the end cursor of the page after position %d is %+v (%v), want position %d with its id", deep, end, err, deep+10)
	}
	byID, keyed := c.graphQL(afterDoc, map[string]any{"after": end.String()})
	byPos, counted := c.graphQL(afterDoc, map[string]any{"after": query.Cursor{Pos: end.Pos}.String()})
	t.Logf("page of 10 after position %d of %d: %d db hits from the cursor's id, %d from its position alone", end.Pos, 10*n, keyed, counted)
	if string(byID) != string(byPos) {
		t.Errorf("after position %d, the page from the cursor's id is %s, from its position %s", end.Pos, byID, byPos)
	}
	if keyed > big {
		t.Errorf("the page after position %d costs %d db hits, the first page %d", end.Pos, keyed, big)
	}
	// A company added before the cursor's leaves the page after it as it
	// was, where a position alone would now show its last company again.
	ctx := context.Background()
	insert := func(cypher string) {
		if _, err := c.client.Write(ctx, func(tx neo4j.Tx) (any, error) { return tx.Run(ctx, cypher, nil) }); err != nil {
			t.Fatal(err)
		}
	}
	insert("CREATE (:Company {id: '0-inserted', name: 'Inserted', aliases: []})")
	t.Cleanup(func() { insert("MATCH (c:Company {id: '0-inserted'}) DELETE c") })
	if again, _ := c.graphQL(afterDoc, map[string]any{"after": end.String()}); string(again) != string(byID) {
		t.Errorf("after a company was added before it, the page after position %d is %s, was %s", end.Pos, again, byID)
	}
	if moved, _ := c.graphQL(afterDoc, map[string]any{"after": query.Cursor{Pos: end.Pos}.String()}); string(moved) == string(byPos) {
		t.Errorf("after a company was added before it, the page after position %d alone did not move: %s", end.Pos, moved)
	}
}

// ingestCostFlat shows that the benchmark's ingest, which resolves every
// entity it states by id and by name or alias, costs the database about
// the same on a label ten times bigger: names are looked up, not compared
// with every company's.
func ingestCostFlat(t *testing.T, c *costed, ops []*Op) {
	var op *Op
	for _, o := range ops {
		if o.Key == "ingest" {
			op = o
		}
	}
	ctx := context.Background()
	write := func(token string) int64 {
		_, hits, _, err := c.cg.ask(ctx, op.CG, freshen(op.Params[0].CG, token).(map[string]any))
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	t.Cleanup(func() {
		if _, err := c.client.Write(ctx, func(tx neo4j.Tx) (any, error) {
			return tx.Run(ctx, "MATCH (n:Node) WHERE n.id STARTS WITH 'write-dbhits-' DETACH DELETE n", nil)
		}); err != nil {
			t.Error(err)
		}
	})
	small := write("dbhits-small")
	n := growCompanies(t, c)
	big := write("dbhits-big")
	t.Logf("ingest of %d facts: %d db hits over %d companies, %d over %d", batchFacts, small, n, big, 10*n)
	if float64(big) > ingestSlack*float64(small) {
		t.Errorf("the ingest costs %d db hits over %d companies and %d over %d, more than %.2fx", small, n, big, 10*n, ingestSlack)
	}
}

// ingestSlack is how much more an ingest may cost on the bigger label:
// its writes land in bigger indexes.
const ingestSlack = 1.1

// growCompanies adds nine times as many companies as the graph holds,
// with the labels its companies have, removed when the test ends, and
// returns how many it held.
func growCompanies(t *testing.T, c *costed) int64 {
	ctx := context.Background()
	recs, err := c.client.ReadOne(ctx, "MATCH (n:Company) RETURN count(n) AS n, collect(labels(n))[0] AS labels", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := recs[0].Get("n")
	n := v.(int64)
	ls, _ := recs[0].Get("labels")
	labels := ""
	for _, l := range ls.([]any) {
		labels += ":`" + l.(string) + "`"
	}
	grow := func(cypher string) {
		if _, err := c.client.Write(ctx, func(tx neo4j.Tx) (any, error) {
			return tx.Run(ctx, cypher, map[string]any{"n": 9 * n})
		}); err != nil {
			t.Fatal(err)
		}
	}
	grow("UNWIND range(1, $n) AS i CREATE (" + labels + " {id: 'grown-' + i, name: 'Grown ' + i})")
	t.Cleanup(func() { grow("MATCH (c:Company) WHERE c.id STARTS WITH 'grown-' DELETE c") })
	return n
}
