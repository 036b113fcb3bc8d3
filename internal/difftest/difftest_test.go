package difftest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/app"
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/datagen"
	"github.com/companygraph/companygraph/internal/ingest"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/neo4jtest"
	"github.com/companygraph/companygraph/internal/query"
	"github.com/companygraph/companygraph/seed"
)

// Environment of a run: make difftest sets the Neo4j; N and the seed say
// which cases.
const (
	envN        = "COMPANYGRAPH_DIFFTEST_N"
	envSeed     = "COMPANYGRAPH_DIFFTEST_SEED"
	envURI      = "COMPANYGRAPH_DIFFTEST_NEO4J_URI"
	envPassword = "COMPANYGRAPH_DIFFTEST_NEO4J_PASSWORD"
	// envVerbose, set, logs both answers of every case.
	envVerbose = "COMPANYGRAPH_DIFFTEST_VERBOSE"
	// envShrink bounds, in seconds, the time spent making mismatching
	// cases smaller (default 20; 0 turns shrinking off).
	envShrink = "COMPANYGRAPH_DIFFTEST_SHRINK"
)

// The generated graph: its size and seed are fixed, so regression cases
// name the same nodes in every run.
const (
	graphNodes = 2500
	graphSeed  = 1
)

const regressions = "testdata/regressions"

// compiledCypher is the Cypher the API compiles for a case, for the
// report of a mismatch.
func compiledCypher(a *app.App, src string, vars map[string]any) string {
	s := generated.NewExecutableSchema(generated.Config{}).Schema()
	doc, errs := gqlparser.LoadQuery(s, src)
	if errs != nil || len(doc.Operations) != 1 {
		return fmt.Sprintf("(does not parse: %v)", errs)
	}
	op := doc.Operations[0]
	coerced, err := validator.VariableValues(s, op, vars)
	if err != nil {
		return fmt.Sprintf("(variables: %v)", err)
	}
	oc := &graphql.OperationContext{RawQuery: src, Doc: doc, Operation: op, Variables: coerced}
	roots := graphql.CollectFields(oc, op.SelectionSet, []string{"Query"})
	st, err := a.Engine.Mapping().Compile(oc, roots, query.Limits{MaxPageSize: 100, MaxFilterDepth: 6})
	if err != nil {
		return fmt.Sprintf("(not compiled: %v)", err)
	}
	params, _ := json.Marshal(st.Params)
	return st.Cypher + "\n// params: " + string(params)
}

type harness struct {
	t                *testing.T
	app              *app.App
	url              string
	ref              *Reference
	gen              *Generator
	cursors          *Cursors
	seed             uint64
	classes          map[string][]string // signature -> case names
	shrinkUntil      time.Time
	written          int
	apiTime, refTime time.Duration
	logs             *logBuffer
}

func TestDifferential(t *testing.T) {
	h := setUp(t)
	begin := time.Now()
	files, _ := filepath.Glob(filepath.Join(regressions, "*.json"))
	sort.Strings(files)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c Case
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		h.check(&c, false)
	}
	n := envInt(envN, 150)
	for i := range n {
		h.check(h.gen.Case(h.seed, i), true)
	}
	t.Logf("%d regression cases and %d generated cases (seed %d) in %v: the API took %v, the reference %v",
		len(files), n, h.seed, time.Since(begin).Round(time.Millisecond), h.apiTime.Round(time.Millisecond), h.refTime.Round(time.Millisecond))
	var sigs []string
	for s := range h.classes {
		sigs = append(sigs, s)
	}
	sort.Strings(sigs)
	for _, s := range sigs {
		names := h.classes[s]
		t.Logf("mismatch class %q: %d cases, e.g. %s", s, len(names), strings.Join(names[:min(5, len(names))], ", "))
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func setUp(t *testing.T) *harness {
	conn := neo4jtest.Conn{URI: os.Getenv(envURI), Password: os.Getenv(envPassword)}
	if conn.URI == "" {
		// A private Neo4j: the generated graph needs an empty database,
		// which the shared one of make test is not.
		s := neo4jtest.New(t, "difftest")
		s.Start()
		conn = s.Conn
	}
	cfg, err := config.Load(nil, func(k string) string {
		switch k {
		case "NEO4J_URI":
			return conn.URI
		case "NEO4J_PASSWORD":
			return conn.Password
		case "COMPANYGRAPH_LOAD_SEED":
			return "true"
		}
		return ""
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// Generated operations alias, nest and repeat more than clients do.
	cfg.MaxAliases, cfg.MaxFields, cfg.MaxComplexity = 10_000, 100_000, 1<<40
	cfg.MaxDepth, cfg.MaxTokens, cfg.MaxRootFields = 100, 1_000_000, 100
	logs := &logBuffer{}
	a, err := app.New(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	g, err := datagen.New(graphNodes, graphSeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := datagen.Load(ctx, a.Client, a.Engine.Mapping(), g, datagen.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := addNumericIDs(ctx, a.Client, g); err != nil {
		t.Fatal(err)
	}
	if err := a.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	// A deadline of its own: on a busy machine the load above can take
	// most of the three minutes.
	rctx, rcancel := context.WithTimeout(context.Background(), time.Minute)
	defer rcancel()
	if err := addRoles(rctx, a, g); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	snap, err := Load(ctx, a.Client)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, app: a, logs: logs, url: srv.URL + "/graphql", cursors: NewCursors(), classes: map[string][]string{}}
	h.seed = uint64(envInt(envSeed, 1))
	h.shrinkUntil = time.Now().Add(time.Duration(envInt(envShrink, 20)) * time.Second)
	h.learnCursors()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	h.ref = NewReference(schema, snap, a.Client, h.cursors, cfg.MaxPageSize)
	h.gen = NewGenerator(schema, snap, h.cursors.Max())
	t.Logf("graph: %d nodes, %d relationships; %d cursors known", len(snap.Nodes), len(snap.Rels), h.cursors.Max()+1)
	return h
}

// addNumericIDs adds a few nodes whose ids are numbers, to be asked for
// with integer literals, linked to generated ones.
func addNumericIDs(ctx context.Context, c *neo4j.Client, g *datagen.Graph) error {
	ev := map[string]any{"sources": []string{g.ID(datagen.Source, 0)}, "sentences": []string{"Answer Labs was named."}}
	stmts := []string{
		`CREATE (:Company {id: '42', name: 'Answer Labs', aliases: ['Answer'], country: 'Estonia'})`,
		`CREATE (:Product {id: '7', name: 'Answer Phone', aliases: [], kind: 'smartphone'})`,
		`CREATE (:Event {id: '1001', name: 'Answer Labs enters Estonia', kind: 'MARKET_ENTRY', aliases: [], status: 'occurred'})`,
		`MATCH (c:Company {id: '42'}), (p:Product {id: '7'}) CREATE (c)-[r:HAS_PRODUCT]->(p) SET r = $ev`,
		`MATCH (c:Company {id: '42'}), (e:Event {id: '1001'}) CREATE (c)-[r:PARTICIPATED_IN]->(e) SET r = $ev, r.role = 'announcer'`,
		`MATCH (c:Company {id: '42'}), (m:Market {id: $market}) CREATE (c)-[r:IN_MARKET]->(m) SET r = $ev, r.status = 'entered'`,
		`MATCH (x:Executive {id: $exec}), (c:Company {id: '42'}) CREATE (x)-[r:WORKS_FOR]->(c) SET r = $ev, r.title = 'CEO'`,
		`MATCH (c:Company {id: '42'}), (s:Source {id: $source}) CREATE (c)-[r:MENTIONED_IN]->(s) SET r = $ev`,
	}
	params := map[string]any{"ev": ev, "market": g.ID(datagen.Market, 0), "exec": g.ID(datagen.Executive, 0), "source": g.ID(datagen.Source, 0)}
	for _, s := range stmts {
		if _, err := c.Write(ctx, func(tx neo4j.Tx) (any, error) { return tx.Run(ctx, s, params) }); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// addRoles makes organisations of two types, the kinds of company news
// and evidence of each method: the seed's partner Flipkart becomes a Company through ingest,
// with executives current and former, a founder and an acquisition
// (Walmart's IPO, a departure and a founding besides), owners, a
// subsidiary, an investor, a funding round and a layoff, and some generated
// partners become companies with executives and markets, so that one node
// answers as Company and as Partner and its relationships of both roles
// are walked.
func addRoles(ctx context.Context, a *app.App, g *datagen.Graph) error {
	const (
		s0 = "Flipkart is an Indian e-commerce company."
		s1 = "Kalyan Krishnamurthy is the chief executive of Flipkart."
		s2 = "Walmart to buy 77% of Flipkart for $16 billion."
		s3 = "Sachin Bansal, who founded Flipkart in 2007, will leave the company."
		s4 = "Walmart listed on the NYSE in 1972 at $16.50 a share."
		s5 = "Walmart put $2 billion into Flipkart in its Series J round in 2020."
		s6 = "Flipkart, which has owned Myntra outright since 2014, cut 300 jobs, about 20% of its staff."
	)
	ev := func(s string) []string { return []string{s} }
	sure, unsure := 0.9, 0.55
	d := seed.Dataset{
		Source: seed.Source{ID: "difftest-flipkart", Text: strings.Join([]string{s0, s1, s2, s3, s4, s5, s6}, " "), Properties: map[string]any{"title": "Flipkart"}},
		Nodes: []seed.Node{
			{Label: "Company", ID: "flipkart", Properties: map[string]any{"name": "Flipkart", "country": "India"}, Evidence: ev(s0)},
			{Label: "Company", ID: "walmart", Properties: map[string]any{"name": "Walmart", "country": "US"}, Evidence: ev(s2)},
			{Label: "Executive", ID: "kalyan-krishnamurthy", Properties: map[string]any{"name": "Kalyan Krishnamurthy", "aliases": []any{"Krishnamurthy"}}, Evidence: ev(s1)},
			{Label: "Executive", ID: "sachin-bansal", Properties: map[string]any{"name": "Sachin Bansal"}, Evidence: ev(s3),
				Provenance: seed.Provenance{Method: "EXTRACTED", Confidence: &sure}},
			{Label: "Event", ID: "walmart-buys-flipkart", Properties: map[string]any{"name": "Walmart buys 77% of Flipkart", "kind": "ACQUISITION",
				"status": "planned", "stakePercent": 77.0, "amount": 16e9, "currency": "USD"}, Evidence: ev(s2)},
			{Label: "Event", ID: "sachin-bansal-leaves", Properties: map[string]any{"name": "Sachin Bansal leaves Flipkart", "kind": "DEPARTURE", "status": "planned"}, Evidence: ev(s3)},
			{Label: "Event", ID: "flipkart-founded", Properties: map[string]any{"name": "Flipkart founded", "kind": "FOUNDING", "date": "in 2007"}, Evidence: ev(s3)},
			{Label: "Event", ID: "walmart-ipo", Properties: map[string]any{"name": "Walmart lists on the NYSE", "kind": "IPO", "date": "in 1972",
				"exchange": "NYSE", "pricePerShare": 16.5, "currency": "USD"}, Evidence: ev(s4)},
			{Label: "Company", ID: "myntra", Properties: map[string]any{"name": "Myntra", "country": "India"}, Evidence: ev(s6)},
			{Label: "Event", ID: "flipkart-series-j", Properties: map[string]any{"name": "Flipkart raises $2 billion", "kind": "FUNDING", "date": "in 2020",
				"round": "Series J", "amountUsd": 2e9}, Evidence: ev(s5)},
			{Label: "Event", ID: "flipkart-layoff", Properties: map[string]any{"name": "Flipkart cuts 300 jobs", "kind": "LAYOFF", "status": "occurred",
				"headcount": int64(300), "sharePercent": 20.0}, Evidence: ev(s6)},
		},
		Relationships: []seed.Relationship{
			{Type: "WORKS_FOR", From: "Executive:kalyan-krishnamurthy", To: "Company:flipkart", Properties: map[string]any{"title": "chief executive"}, Evidence: ev(s1)},
			{Type: "WORKS_FOR", From: "Executive:sachin-bansal", To: "Company:flipkart", Properties: map[string]any{"title": "co-founder", "current": false, "until": "after the sale"}, Evidence: ev(s3)},
			{Type: "FOUNDED", From: "Executive:sachin-bansal", To: "Company:flipkart", Properties: map[string]any{"when": "in 2007"}, Evidence: ev(s3),
				Provenance: seed.Provenance{Method: "EXTRACTED", Confidence: &unsure}},
			{Type: "PARTICIPATED_IN", From: "Company:walmart", To: "Event:walmart-buys-flipkart", Properties: map[string]any{"role": "acquirer"}, Evidence: ev(s2),
				Provenance: seed.Provenance{Method: "EXTRACTED", Confidence: &sure}},
			{Type: "PARTICIPATED_IN", From: "Company:flipkart", To: "Event:walmart-buys-flipkart", Properties: map[string]any{"role": "target"}, Evidence: ev(s2)},
			{Type: "PARTICIPATED_IN", From: "Executive:sachin-bansal", To: "Event:sachin-bansal-leaves", Properties: map[string]any{"role": "departing", "title": "co-founder"}, Evidence: ev(s3)},
			{Type: "PARTICIPATED_IN", From: "Company:flipkart", To: "Event:sachin-bansal-leaves", Properties: map[string]any{"role": "employer"}, Evidence: ev(s3)},
			{Type: "PARTICIPATED_IN", From: "Executive:sachin-bansal", To: "Event:flipkart-founded", Properties: map[string]any{"role": "founder"}, Evidence: ev(s3)},
			{Type: "PARTICIPATED_IN", From: "Company:walmart", To: "Event:walmart-ipo", Properties: map[string]any{"role": "issuer"}, Evidence: ev(s4)},
			{Type: "OWNS", From: "Company:walmart", To: "Company:flipkart", Properties: map[string]any{"stakePercent": 77.0}, Evidence: ev(s2),
				Provenance: seed.Provenance{Method: "EXTRACTED", Confidence: &sure}},
			{Type: "OWNS", From: "Company:flipkart", To: "Company:myntra", Properties: map[string]any{"stakePercent": 100.0, "since": "since 2014"}, Evidence: ev(s6)},
			{Type: "INVESTED_IN", From: "Company:walmart", To: "Company:flipkart", Properties: map[string]any{"amount": 2e9, "currency": "USD",
				"round": "Series J", "date": "in 2020"}, Evidence: ev(s5)},
			{Type: "PARTICIPATED_IN", From: "Company:walmart", To: "Event:flipkart-series-j", Properties: map[string]any{"role": "investor"}, Evidence: ev(s5)},
			{Type: "PARTICIPATED_IN", From: "Company:flipkart", To: "Event:flipkart-series-j", Properties: map[string]any{"role": "announcer"}, Evidence: ev(s5)},
			{Type: "PARTICIPATED_IN", From: "Company:flipkart", To: "Event:flipkart-layoff", Properties: map[string]any{"role": "employer"}, Evidence: ev(s6)},
		},
	}
	if err := ingest.Load(ctx, a.Changes, a.Engine.Mapping(), d, "difftest"); err != nil {
		return err
	}
	evidence := map[string]any{"sources": []string{g.ID(datagen.Source, 1)}, "sentences": []string{"The retailer also makes things."}}
	stmts := []string{
		`MATCH (p:Partner) WHERE p.id STARTS WITH 'partner-' WITH p ORDER BY p.id LIMIT 15 SET p:Company, p.country = 'India'`,
		`MATCH (x:Executive) WHERE x.id STARTS WITH 'executive-' WITH x ORDER BY x.id LIMIT 50 WITH collect(x) AS xs
		 MATCH (p:Partner:Company) WHERE p.id STARTS WITH 'partner-' WITH xs, p ORDER BY p.id LIMIT 10
		 WITH p, xs[toInteger(substring(p.id, 8)) % size(xs)] AS x
		 CREATE (x)-[r:WORKS_FOR]->(p) SET r = $ev, r.title = 'director'`,
		`MATCH (p:Partner:Company) WHERE p.id STARTS WITH 'partner-' WITH p ORDER BY p.id LIMIT 5
		 MATCH (m:Market {id: $market}) CREATE (p)-[r:IN_MARKET]->(m) SET r = $ev, r.status = 'entered'`,
		// Organisations of two roles at either end of ownership and investment.
		`MATCH (p:Partner:Company) WHERE p.id STARTS WITH 'partner-' WITH p ORDER BY p.id LIMIT 3
		 MATCH (c:Company {id: $company}) CREATE (p)-[r:OWNS]->(c) SET r = $ev, r.stakePercent = 12.5
		 CREATE (c)-[i:INVESTED_IN]->(p) SET i = $ev, i.amount = 5e6, i.currency = 'EUR'`,
		// A second relationship, another title, between the first
		// executives of the companies with the most (which queries ask
		// for most) and those companies: lists of them tie on the node
		// and are ordered by the relationship.
		`MATCH (c:Company)<-[:WORKS_FOR]-() WITH c, count(*) AS k ORDER BY k DESC, c.id LIMIT 8
		 CALL { WITH c MATCH (x:Executive)-[:WORKS_FOR]->(c) WITH x ORDER BY x.id LIMIT 3 RETURN x }
		 CREATE (x)-[r:WORKS_FOR]->(c) SET r = $ev, r.title = 'adviser'`,
		// Evidence from a dataset, its lists shorter than the sentences
		// where the generated relationship has several: the rest reads MANUAL.
		`MATCH ()-[r:IN_MARKET|WORKS_FOR|SELLS]->() WITH r ORDER BY elementId(r) LIMIT 60 SET r.methods = ['DATASET'], r.confidences = [0.75]`,
		`MATCH (x:Executive)-[r:MENTIONED_IN]->() WITH r ORDER BY elementId(r) LIMIT 40 SET r.methods = ['EXTRACTED'], r.confidences = [0.4]`,
	}
	params := map[string]any{"ev": evidence, "market": g.ID(datagen.Market, 1), "company": g.ID(datagen.Company, 0)}
	for _, s := range stmts {
		if _, err := a.Client.Write(ctx, func(tx neo4j.Tx) (any, error) { return tx.Run(ctx, s, params) }); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// learnCursors pages through the longest root list, learning how the API
// spells each position.
func (h *harness) learnCursors() {
	after := ""
	for pos := 0; ; {
		q := `query($after: Cursor) { eventsConnection(first: 100, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }`
		vars := map[string]any{}
		if after != "" {
			vars["after"] = after
		}
		res := h.post(q, vars)
		var page struct {
			EventsConnection struct {
				Edges    []struct{ Cursor string }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		raw, _ := json.Marshal(res.data)
		if err := json.Unmarshal(raw, &page); err != nil || len(res.errors) > 0 {
			h.t.Fatalf("learning cursors: %v %v", err, res.errors)
		}
		for _, e := range page.EventsConnection.Edges {
			h.cursors.Learn(e.Cursor, pos)
			pos++
		}
		if !page.EventsConnection.PageInfo.HasNextPage {
			return
		}
		after = page.EventsConnection.PageInfo.EndCursor
	}
}

type response struct {
	data   any
	errors []ErrorKey
	raw    string
}

func (h *harness) post(query string, vars map[string]any) response {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, err := http.Post(h.url, "application/json", bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r struct {
		Data   any
		Errors []struct {
			Path       []any
			Extensions map[string]any
		}
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&r); err != nil {
		h.t.Fatalf("answer is not JSON (%d): %s", res.StatusCode, raw)
	}
	out := response{data: r.Data, raw: string(raw)}
	for _, e := range r.Errors {
		path, _ := json.Marshal(e.Path)
		code, _ := e.Extensions["code"].(string)
		out.errors = append(out.errors, ErrorKey{Path: string(path), Code: code})
	}
	return out
}

// outcome is what comparing one case found.
type outcome struct {
	api   response
	ref   Answer
	diffs []string
	sig   string
	log   string // what the API logged at warning and above
}

// run answers a case both ways and compares.
func (h *harness) run(c *Case) outcome {
	q := h.cursors.Spell(c.Query)
	t0 := time.Now()
	h.logs.Reset()
	api := h.post(q, c.Variables)
	took := time.Since(t0)
	h.apiTime += took
	if took > 3*time.Second {
		h.t.Logf("case %s took the API %v", c.Name, took.Round(time.Millisecond))
	}
	var vars map[string]any
	raw, _ := json.Marshal(c.Variables)
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	d.Decode(&vars)
	t0 = time.Now()
	ref := h.ref.Execute(context.Background(), q, vars)
	h.refTime += time.Since(t0)
	o := outcome{api: api, ref: ref, diffs: Diff(ref.Data, api.data, h.cursors), log: h.logs.String()}
	if e := ErrorsDiff(ref.Errors, api.errors); e != "" {
		o.diffs = append(o.diffs, e)
	}
	o.sig = signature(o.diffs)
	return o
}

// signature names the kind of a mismatch, to group cases and to keep a
// shrinking case on the same bug.
func signature(diffs []string) string {
	kinds := map[string]bool{}
	for _, d := range diffs {
		switch {
		case strings.HasPrefix(d, "errors:"):
			kinds["errors"] = true
		case strings.Contains(d, " items, got "):
			kinds["length"] = true
		case strings.Contains(d, "absent"):
			kinds["presence"] = true
		case strings.HasPrefix(d, "data:"):
			kinds["data"] = true
		default:
			field := d[:strings.Index(d, ":")]
			if i := strings.LastIndex(field, "."); i >= 0 {
				field = field[i+1:]
			}
			if i := strings.Index(field, "["); i >= 0 {
				field = field[:i]
			}
			if len(field) > 1 && field[0] == 'a' && field[1] >= '0' && field[1] <= '9' {
				field = "alias"
			}
			kinds["value of "+field] = true
		}
	}
	var out []string
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, "+")
}

// check runs a case, reports a mismatch, and for a generated case writes
// it, made small, as a regression case; then checks the metamorphic rule.
func (h *harness) check(c *Case, generated bool) {
	o := h.run(c)
	if os.Getenv(envVerbose) != "" {
		h.t.Logf("case %s:\n%s\nreference: %s %v\napi: %s", c.Name, c.Query, Show(o.ref.Data, h.cursors), o.ref.Errors, o.api.raw)
	}
	if len(o.diffs) == 0 {
		if generated && len(o.api.errors) == 0 {
			h.metamorphic(c, o)
		}
		return
	}
	if generated && c.op != nil && time.Now().Before(h.shrinkUntil) && len(h.classes[o.sig]) == 0 {
		small := h.shrink(c, o.sig)
		if small != c {
			small.Note = "shrunk from " + c.Name
			small.Name = c.Name + "-min"
			c, o = small, h.run(small)
		}
	}
	h.classes[o.sig] = append(h.classes[o.sig], c.Name)
	h.report(c, o, generated)
}

func (h *harness) report(c *Case, o outcome, generated bool) {
	vars, _ := json.Marshal(c.Variables)
	cypher := compiledCypher(h.app, h.cursors.Spell(c.Query), c.Variables)
	h.t.Errorf("mismatch (%s) in case %s (seed %d):\n%s\nvariables: %s\ndifferences:\n  %s\nreference: %s %v\napi:       %s\ncompiled Cypher: %s\napi log: %s",
		o.sig, c.Name, h.seed, c.Query, vars, strings.Join(o.diffs, "\n  "), Show(o.ref.Data, h.cursors), o.ref.Errors, o.api.raw, cypher, o.log)
	if generated && len(h.classes[o.sig]) == 1 && h.written < 20 {
		h.write(c)
	}
}

func (h *harness) write(c *Case) {
	path := filepath.Join(regressions, c.Name+".json")
	if _, err := os.Stat(path); err == nil {
		return
	}
	raw, _ := json.MarshalIndent(c, "", "  ")
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		h.t.Logf("writing %s: %v", path, err)
		return
	}
	h.written++
	h.t.Logf("wrote %s", path)
}

// shrink removes parts of the operation while the mismatch stays of the same kind.
func (h *harness) shrink(c *Case, sig string) *Case {
	best := c
	for time.Now().Before(h.shrinkUntil) {
		improved := false
		for _, o := range best.op.shrinks() {
			if !time.Now().Before(h.shrinkUntil) {
				break
			}
			cand := &Case{Name: c.Name, Query: o.String(), Variables: keepVars(best.Variables, o), op: o}
			if r := h.run(cand); len(r.diffs) > 0 && r.sig == sig {
				best, improved = cand, true
				break
			}
		}
		if !improved {
			break
		}
	}
	return best
}

func keepVars(vals map[string]any, o *op) map[string]any {
	out := map[string]any{}
	for _, v := range o.vars {
		if x, ok := vals[v.name]; ok {
			out[v.name] = x
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// metamorphic checks that aliased fields answer, asked alone, what they
// answered beside the others.
func (h *harness) metamorphic(c *Case, o outcome) {
	ex := c.op.expand()
	paths := ex.aliased()
	if len(paths) == 0 {
		return
	}
	hash := fnv.New64a()
	hash.Write([]byte(c.Name))
	k := hash.Sum64()
	for i := 0; i < 1 && i < len(paths); i++ {
		path := paths[(k+uint64(i)*7919)%uint64(len(paths))]
		p := ex.prune(path)
		alone := &Case{Name: c.Name + "-alone", Query: p.String(), Variables: keepVars(c.Variables, p), op: p}
		res := h.post(h.cursors.Spell(alone.Query), alone.Variables)
		want := project(o.api.data, p.sel)
		diffs := Diff(want, res.data, h.cursors)
		if len(res.errors) > 0 {
			diffs = append(diffs, fmt.Sprintf("errors alone: %v", res.errors))
		}
		if len(diffs) > 0 {
			sig := "metamorphic: alias differs when asked alone"
			h.classes[sig] = append(h.classes[sig], c.Name)
			vars, _ := json.Marshal(c.Variables)
			h.t.Errorf("%s, case %s (seed %d):\nwhole operation:\n%s\nvariables: %s\nfield alone:\n%s\ndifferences:\n  %s",
				sig, c.Name, h.seed, c.Query, vars, alone.Query, strings.Join(diffs, "\n  "))
			return
		}
	}
}

// logBuffer keeps what the API logs during one case.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() < 4000 {
		b.buf.Write(p)
	}
	return len(p), nil
}

func (b *logBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
