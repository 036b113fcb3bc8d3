package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// writer is the API over the shared Neo4j, with the editor key.
func writer(t *testing.T) *api {
	t.Helper()
	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.APIKeys = "ed:editor:" + auth.HashKey(editorKey)
	return start(t, cfg, false)
}

// Two aliases of one field are two answers, each with its own arguments
// and selection, also below a field that takes no arguments.
func TestAliasesKeepTheirArguments(t *testing.T) {
	a := seeded(t)
	var got struct {
		Company struct {
			Events []struct {
				A struct{ Executives []struct{ Role string } }
				B struct{ Executives []struct{ Role string } }
			}
		}
	}
	a.post(t, `{ company(id: "xiaomi") { events(where: {event: {id: {eq: "xiaomi-us-announcement"}}}) {
	  a: event { executives(limit: 1) { role } }
	  b: event { executives(limit: 0) { role } }
	} } }`, nil).data(t, &got)
	if e := got.Company.Events; len(e) != 1 || len(e[0].A.Executives) != 1 || len(e[0].B.Executives) != 0 {
		t.Errorf("a wants one executive, b none: %+v", got)
	}

	var ends struct {
		Executive struct {
			Employers []struct {
				P struct{ Events []struct{ Role string } }
				Q struct{ Events []struct{ Role string } }
			}
		}
	}
	a.post(t, `{ executive(id: "hugo-barra") { employers {
	  p: company { events(limit: 1) { role } }
	  q: company { events(limit: 3) { role } }
	} } }`, nil).data(t, &ends)
	emp := ends.Executive.Employers
	if len(emp) == 0 || len(emp[0].P.Events) != 1 || len(emp[0].Q.Events) != 3 {
		t.Errorf("p wants one event, q three: %+v", ends)
	}

	// Every aliased field answers what it answers asked alone.
	alone := func(q string) string {
		r := a.post(t, q, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %s", q, r.raw)
		}
		return string(r.Data)
	}
	both := alone(`{ x: products(limit: 2, sort: [{name: DESC}]) { id kind } y: products(limit: 3) { name } }`)
	x := alone(`{ x: products(limit: 2, sort: [{name: DESC}]) { id kind } }`)
	y := alone(`{ y: products(limit: 3) { name } }`)
	var whole, left, right map[string]json.RawMessage
	json.Unmarshal([]byte(both), &whole)
	json.Unmarshal([]byte(x), &left)
	json.Unmarshal([]byte(y), &right)
	if string(whole["x"]) != string(left["x"]) || string(whole["y"]) != string(right["y"]) {
		t.Errorf("aliases answer differently together:\n%s\nalone:\n%s\n%s", both, x, y)
	}
}

// Connections cut their page as Relay's ApplyCursorsToEdges does, with
// both cursors, then first, then last.
func TestConnectionCursorsFollowRelay(t *testing.T) {
	a := seeded(t)
	type page struct {
		ProductsConnection struct {
			PageInfo struct{ HasNextPage, HasPreviousPage bool }
			Edges    []struct {
				Cursor string
				Node   struct{ ID string }
			}
		}
	}
	var all page
	a.post(t, `{ productsConnection { edges { cursor node { id } } } }`, nil).data(t, &all)
	e := all.ProductsConnection.Edges
	if len(e) != 8 {
		t.Fatalf("want the 8 products: %+v", e)
	}
	ids := func(p page) string {
		var out []string
		for _, x := range p.ProductsConnection.Edges {
			out = append(out, x.Node.ID)
		}
		return strings.Join(out, ",")
	}
	span := func(from, to int) string {
		var out []string
		for _, x := range e[from:to] {
			out = append(out, x.Node.ID)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name, args       string
		vars             map[string]any
		from, to         int
		hasPrev, hasNext bool
	}{
		{"last with after", `last: 100`, map[string]any{"after": e[0].Cursor}, 1, 8, true, false},
		{"last with after and before", `last: 2`, map[string]any{"after": e[1].Cursor, "before": e[6].Cursor}, 4, 6, true, true},
		{"first with after and before", `first: 2`, map[string]any{"after": e[1].Cursor, "before": e[6].Cursor}, 2, 4, true, true},
		{"first and last", `first: 5, last: 2`, nil, 3, 5, true, true},
		{"after and before only", ``, map[string]any{"after": e[2].Cursor, "before": e[5].Cursor}, 3, 5, true, true},
		{"before the first", ``, map[string]any{"before": e[0].Cursor}, 0, 0, false, true},
		{"after the last", ``, map[string]any{"after": e[7].Cursor}, 8, 8, true, false},
		{"before before after", ``, map[string]any{"after": e[5].Cursor, "before": e[2].Cursor}, 6, 6, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got page
			a.post(t, `query($after: Cursor, $before: Cursor) { productsConnection(`+tt.args+` after: $after, before: $before) { pageInfo { hasNextPage hasPreviousPage } edges { cursor node { id } } } }`, tt.vars).data(t, &got)
			if ids(got) != span(tt.from, tt.to) {
				t.Errorf("page %s, want %s", ids(got), span(tt.from, tt.to))
			}
			if p := got.ProductsConnection.PageInfo; p.HasPreviousPage != tt.hasPrev || p.HasNextPage != tt.hasNext {
				t.Errorf("pageInfo %+v, want previous %v next %v", p, tt.hasPrev, tt.hasNext)
			}
		})
	}
}

// An ID given as an integer is the string of its digits, everywhere: in
// lookups, filters and writes; a single value given for a list is a list.
func TestIntegerIDsAndListCoercion(t *testing.T) {
	a := seeded(t)
	if code := a.post(t, `{ company(id: 42) { id } }`, nil).code(t); code != "NOT_FOUND" {
		t.Errorf("company(id: 42): %s", code)
	}
	var got struct{ Companies []struct{ ID string } }
	a.post(t, `{ companies(where: {id: {eq: 42}}) { id } }`, nil).data(t, &got)
	if len(got.Companies) != 0 {
		t.Errorf("id eq 42: %+v", got)
	}
	var byVar struct{ Products []struct{ ID string } }
	a.post(t, `query($ids: [ID!]) { products(where: {id: {in: $ids}}, sort: {name: DESC}) { id } }`,
		map[string]any{"ids": "mi4"}).data(t, &byVar)
	if ids(byVar.Products) != "mi4" {
		t.Errorf("a single id for a list: %+v", byVar)
	}

	ctx := context.Background()
	t.Cleanup(func() {
		a.Client.Write(ctx, func(tx neo4j.Tx) (any, error) {
			return tx.Run(ctx, "MATCH (n) WHERE n.id IN ['4242', '4343'] DETACH DELETE n", nil)
		})
	})
	w := writer(t)
	var made struct{ CreateMarkets []struct{ ID, Name string } }
	w.postAs(t, editorKey, `mutation { createMarkets(input: [{id: 4343, name: "Market 4343"}]) { id name } }`, nil).data(t, &made)
	if len(made.CreateMarkets) != 1 || made.CreateMarkets[0].ID != "4343" {
		t.Errorf("createMarkets with an integer id: %+v", made)
	}
	var ingested struct {
		Ingest struct {
			Created int
			Facts   []struct{ ID string }
		}
	}
	w.postAs(t, editorKey, `mutation { ingest(source: {id: 4242, title: "T", text: "Acme exists."},
	  facts: [{market: {id: 4343, name: "Market 4343"}, sentences: ["Acme exists."]}]) { created facts { id } } }`, nil).data(t, &ingested)
	if f := ingested.Ingest.Facts; len(f) != 1 || f[0].ID != "4343" {
		t.Errorf("ingest with integer ids: %+v", ingested)
	}
	var src struct{ Source struct{ ID, Title string } }
	a.post(t, `{ source(id: 4242) { id title } }`, nil).data(t, &src)
	if src.Source.ID != "4242" {
		t.Errorf("the source ingested with an integer id: %+v", src)
	}
}

// A stored value that does not have its field's type fails that field
// only: a nullable field is null with an error at its path, a non-null
// one makes its nearest nullable parent null, and the rest is answered.
func TestStoredValuesOfTheWrongType(t *testing.T) {
	a := seeded(t)
	ctx := context.Background()
	write := func(cypher string) {
		if _, err := a.Client.Write(ctx, func(tx neo4j.Tx) (any, error) { return tx.Run(ctx, cypher, nil) }); err != nil {
			t.Fatal(err)
		}
	}
	write(`CREATE (:Event:Node {id: 'bad-types', name: 'Bad types', kind: 'SALES', unitsSold: 1.5, place: 42, status: ['a']}),
	              (:Event:Node {id: 'bad-name', name: 7, kind: 'NOT_A_KIND'})`)
	t.Cleanup(func() { write(`MATCH (e:Event) WHERE e.id IN ['bad-types', 'bad-name'] DETACH DELETE e`) })

	r := a.post(t, `{ event(id: "bad-types") { id unitsSold place status } other: event(id: "xiaomi-us-announcement") { id } }`, nil)
	var got struct {
		Event struct {
			ID        string
			UnitsSold *int64
			Place     *string
			Status    *string
		}
		Other struct{ ID string }
	}
	if err := json.Unmarshal(r.Data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Event.ID != "bad-types" || got.Event.UnitsSold != nil || got.Event.Place != nil || got.Event.Status != nil || got.Other.ID != "xiaomi-us-announcement" {
		t.Errorf("data: %s", r.raw)
	}
	paths := map[string]string{}
	for _, e := range r.Errors {
		paths[jsonString(e.Path)], _ = e.Extensions["code"].(string)
	}
	for _, p := range []string{`["event","unitsSold"]`, `["event","place"]`, `["event","status"]`} {
		if paths[p] != "INVALID_STORED_VALUE" {
			t.Errorf("no INVALID_STORED_VALUE at %s: %s", p, r.raw)
		}
	}
	if len(r.Errors) != 3 {
		t.Errorf("want 3 errors: %s", r.raw)
	}

	// name is non-null: the event it fails is null, with its error (the
	// first that nulls the event ends it), and the other root field is
	// answered.
	r = a.post(t, `{ bad: event(id: "bad-name") { id name kind } good: event(id: "xiaomi-us-announcement") { name } }`, nil)
	var two struct {
		Bad  *struct{ ID string }
		Good struct{ Name string }
	}
	json.Unmarshal(r.Data, &two)
	if two.Bad != nil || two.Good.Name == "" || len(r.Errors) != 1 || jsonString(r.Errors[0].Path) != `["bad","name"]` {
		t.Errorf("a non-null field that fails nulls its event only: %s", r.raw)
	}
}
