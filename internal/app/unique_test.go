package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/ingest"
	cgneo4j "github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
	"github.com/companygraph/companygraph/seed"
)

// creates of one node of each type with a name, by mutation; Source has a title.
var createOf = []struct{ field, nameField string }{
	{"createCompanies", "name"}, {"createExecutives", "name"}, {"createMarkets", "name"},
	{"createProducts", "name"}, {"createPartners", "name"}, {"createSources", "title"},
}

// race sends n requests at once and returns the code of each answer, ""
// for a success.
func race(t *testing.T, a *api, n int, query func(i int) string) []string {
	t.Helper()
	codes := make([]string, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			q := query(i)
			ready.Done()
			<-start
			r := a.postAs(t, editorKey, q, nil)
			if len(r.Errors) > 0 {
				codes[i], _ = r.Errors[0].Extensions["code"].(string)
				if codes[i] == "" {
					codes[i] = "no code: " + r.raw
				}
			}
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return codes
}

// tally counts the codes: "" are the successes.
func tally(codes []string) map[string]int {
	out := map[string]int{}
	for _, c := range codes {
		out[c]++
	}
	return out
}

// Concurrent creates of one id: Neo4j's constraint on the common label lets
// exactly one through, whatever the types, and the others are CONFLICT.
func testCreateRaces(t *testing.T, a *api) {
	const n = 50
	t.Run("different types", func(t *testing.T) {
		codes := race(t, a, n, func(i int) string {
			c := createOf[i%len(createOf)]
			return fmt.Sprintf(`mutation { %s(input: [{id: "race-across", %s: "Racer %d"}]) { id } }`, c.field, c.nameField, i)
		})
		if got := tally(codes); got[""] != 1 || got["CONFLICT"] != n-1 {
			t.Errorf("want 1 success and %d CONFLICT, got %v", n-1, got)
		}
		if c := a.count(t, `MATCH (n {id: "race-across"}) RETURN count(n)`); c != 1 {
			t.Errorf("%d nodes with the id", c)
		}
		if c := a.count(t, `MATCH (n:Node {id: "race-across"}) RETURN count(n)`); c != 1 {
			t.Error("the created node lacks the common label")
		}
	})
	t.Run("one type", func(t *testing.T) {
		codes := race(t, a, n, func(i int) string {
			return fmt.Sprintf(`mutation { createCompanies(input: [{id: "race-same", name: "Racer %d"}]) { id } }`, i)
		})
		if got := tally(codes); got[""] != 1 || got["CONFLICT"] != n-1 {
			t.Errorf("want 1 success and %d CONFLICT, got %v", n-1, got)
		}
		if c := a.count(t, `MATCH (n {id: "race-same"}) RETURN count(n)`); c != 1 {
			t.Errorf("%d nodes with the id", c)
		}
	})
	t.Run("ingest against create", func(t *testing.T) {
		// Half ingest a company, half create a market, with one id: one
		// node, and every refusal coded.
		codes := race(t, a, 20, func(i int) string {
			if i%2 == 0 {
				return fmt.Sprintf(`mutation { createMarkets(input: [{id: "race-ingest", name: "Racer %d"}]) { id } }`, i)
			}
			return fmt.Sprintf(`mutation { ingest(source: {id: "race-report-%d", title: "Report", text: "Racer is a company."},
			  facts: [{company: {id: "race-ingest", name: "Racer"}, sentences: ["Racer is a company."]}]) { created } }`, i)
		})
		for code, k := range tally(codes) {
			switch code {
			case "", "CONFLICT", "BAD_USER_INPUT":
			default:
				t.Errorf("%d answers with %s", k, code)
			}
		}
		if c := a.count(t, `MATCH (n {id: "race-ingest"}) RETURN count(n)`); c != 1 {
			t.Errorf("%d nodes with the id", c)
		}
	})
	// The graph as the other tests expect it.
	if _, err := a.Client.Write(context.Background(), func(tx cgneo4j.Tx) (any, error) {
		return tx.Run(context.Background(), `MATCH (n) WHERE n.id IN ["race-across", "race-same", "race-ingest"] OR n.id STARTS WITH "race-report-" DETACH DELETE n`, nil)
	}); err != nil {
		t.Fatal(err)
	}
}

// An ingest that names a Market's id as a Company's: its MERGE on
// Company:Node matches nothing and the create it falls back to breaks the
// constraint. The mutation says so before writing; a load without that
// check (the seed's) gets CONFLICT from Neo4j.
func testIngestConflict(t *testing.T, a *api) {
	before := fingerprint(t, a)
	d := seed.Dataset{
		Source: seed.Source{ID: "conflict-memo", Text: "India is a company now.", Properties: map[string]any{"title": "Memo"}},
		Nodes:  []seed.Node{{Label: "Company", ID: "india", Properties: map[string]any{"name": "India Inc"}, Evidence: []string{"India is a company now."}}},
	}
	err := ingest.Load(context.Background(), a.Changes, a.Engine.Mapping(), d, "test")
	if code := apierror.CodeOf(err); code != apierror.Conflict {
		t.Fatalf("code %s: %v", code, err)
	}
	if e, _ := apierror.As(err); e.Message != `id "india" is already used by a Market` {
		t.Errorf("message %q", e.Message)
	}
	r := a.postAs(t, editorKey, `mutation { ingest(source: {id: "conflict-memo", title: "Memo", text: "India is a company now."},
	  facts: [{company: {id: "india", name: "India Inc"}, sentences: ["India is a company now."]}]) { created } }`, nil)
	if code := r.code(t); code != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, `id "india" is already used by a Market`) {
		t.Errorf("ingest by mutation: %s", r.raw)
	}
	if after := fingerprint(t, a); after != before {
		t.Error("a refused ingest wrote something")
	}
}

// A database written before the common label existed: the constraint on
// it is missing and no node has it. EnsureSchema labels every node, in
// batches, and from then on a duplicate is refused; two nodes that share
// an id stop it, named.
func testMigration(t *testing.T, a *api) {
	ctx := context.Background()
	m := a.Engine.Mapping()
	write := func(cypher string) error {
		_, err := a.Client.Write(ctx, func(tx cgneo4j.Tx) (any, error) { return tx.Run(ctx, cypher, nil) })
		return err
	}
	ensure := func() error {
		return a.Client.EnsureSchema(ctx, query.NodeLabel, m.Labels(), m.Groups(), m.FullTextIndexes()...)
	}
	for _, stmt := range []string{
		"DROP CONSTRAINT Node_id",
		"MATCH (n:Node) REMOVE n:Node",
		// More than one batch of the migration.
		fmt.Sprintf("UNWIND range(1, %d) AS i CREATE (:Partner {id: 'legacy-' + i, name: 'Legacy ' + i})", cgneo4j.MigrationBatch+500),
	} {
		if err := write(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if ok, err := a.Client.HasSchema(ctx, query.NodeLabel, m.Labels(), m.Groups()); err != nil || ok {
		t.Errorf("HasSchema without the constraint: %v %v", ok, err)
	}
	nodes := a.count(t, `MATCH (n) WHERE NOT n:Change AND NOT n:ChangeLog RETURN count(n)`)
	if err := ensure(); err != nil {
		t.Fatal(err)
	}
	if ok, err := a.Client.HasSchema(ctx, query.NodeLabel, m.Labels(), m.Groups()); err != nil || !ok {
		t.Errorf("HasSchema after EnsureSchema: %v %v", ok, err)
	}
	if n := a.count(t, `MATCH (n) WHERE NOT n:Node AND NOT n:Change AND NOT n:ChangeLog RETURN count(n)`); n != 0 {
		t.Errorf("%d nodes without the common label", n)
	}
	if n := a.count(t, `MATCH (n:Node) RETURN count(n)`); n != nodes {
		t.Errorf("%d nodes have the label, of %d", n, nodes)
	}
	if err := ensure(); err != nil {
		t.Fatalf("EnsureSchema again: %v", err)
	}

	// A duplicate is refused: by the API, and by Neo4j to plain Cypher.
	if code := a.postAs(t, editorKey, `mutation { createMarkets(input: [{id: "legacy-7", name: "Twin"}]) { id } }`, nil).code(t); code != "CONFLICT" {
		t.Errorf("create of a migrated id under another type: %s", code)
	}
	err := write(`CREATE (:Market:Node {id: 'legacy-7', name: 'Twin'})`)
	if e, ok := apierror.As(err); !ok || e.Code != apierror.Conflict || e.Message != `id "legacy-7" is already used by another node` {
		t.Errorf("plain create of a migrated id: %v", err)
	}

	// Two nodes of one id, both written without the label: the migration
	// cannot label both, and says which id.
	if err := write(`CREATE (:Company {id: 'twice', name: 'Twice'}), (:Market {id: 'twice', name: 'Twice'})`); err != nil {
		t.Fatal(err)
	}
	err = ensure()
	if err == nil || !strings.Contains(err.Error(), `"twice"`) {
		t.Errorf("EnsureSchema over a shared id: %v", err)
	}
	if err := write(`MATCH (m:Market {id: 'twice'}) DELETE m`); err != nil {
		t.Fatal(err)
	}
	if err := ensure(); err != nil {
		t.Fatalf("EnsureSchema once the id is no longer shared: %v", err)
	}
	if err := write(`MATCH (n) WHERE n.id = 'twice' OR n.id STARTS WITH 'legacy-' DETACH DELETE n`); err != nil {
		t.Fatal(err)
	}
}

// The common label is how the graph keeps ids unique, not something a
// client of kg or of the export sees.
func testLabelHidden(t *testing.T, a *api) {
	var got struct {
		Neighborhood struct {
			Nodes []struct {
				ID, Type string
				Labels   []string
			}
		}
		Resolve []struct {
			Type   string
			Labels []string
		}
	}
	a.post(t, `{ neighborhood(id: "xiaomi") { nodes { id type labels } } resolve(name: "Xiaomi") { type labels } }`, nil).data(t, &got)
	if len(got.Neighborhood.Nodes) < 2 || len(got.Resolve) == 0 {
		t.Fatalf("answer: %+v", got)
	}
	for _, n := range got.Neighborhood.Nodes {
		if len(n.Labels) != 1 || n.Labels[0] != n.Type {
			t.Errorf("%s: type %s, labels %v", n.ID, n.Type, n.Labels)
		}
	}
	for _, n := range got.Resolve {
		if len(n.Labels) != 1 || n.Labels[0] != n.Type {
			t.Errorf("resolve: type %s, labels %v", n.Type, n.Labels)
		}
	}
	res := get(t, a.srv.URL+"/export?id=xiaomi")
	var graph struct {
		Nodes []struct {
			ID, Type string
			Labels   []string
		}
	}
	if err := json.Unmarshal([]byte(res.body), &graph); err != nil || res.status != 200 || len(graph.Nodes) < 2 {
		t.Fatalf("export: %d %v", res.status, err)
	}
	for _, n := range graph.Nodes {
		if len(n.Labels) != 1 || n.Labels[0] != n.Type {
			t.Errorf("export: %s: type %s, labels %v", n.ID, n.Type, n.Labels)
		}
	}
	res = get(t, a.srv.URL+"/export?id=xiaomi&format=graphml")
	if res.status != 200 || !strings.Contains(res.body, "Company") || strings.Contains(res.body, "&#34;"+query.NodeLabel+"&#34;") {
		t.Errorf("export as GraphML: %d %s", res.status, res.body)
	}
}
