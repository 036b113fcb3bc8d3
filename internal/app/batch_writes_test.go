package app_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	cgneo4j "github.com/companygraph/companygraph/internal/neo4j"
)

// An update whose where matches several nodes and whose connect creates a
// node: the node is created once and connected to each of them.
func testConnectCreateMany(t *testing.T, a *api) {
	a.postAs(t, editorKey, `mutation { createCompanies(input: [{id: "many-1", name: "Many 1"}, {id: "many-2", name: "Many 2"}, {id: "many-3", name: "Many 3"}]) { id } }`, nil).data(t, &struct{}{})
	type result struct {
		UpdateCompanies []struct {
			ID         string
			Executives []struct {
				Title     string
				Executive struct{ ID, Name string }
			}
		}
	}
	update := func(ids []string, execID string) string {
		return fmt.Sprintf(`mutation { updateCompanies(where: {id: {in: %s}},
		  connect: {executives: [{create: {id: %q, name: "Shared"}, title: "Adviser", evidence: %s}]}) {
		    id executives { title executive { id name } } } }`, jsonString(ids), execID, evidence0)
	}
	for _, ids := range [][]string{{"many-1", "many-2"}, {"many-1", "many-2", "many-3"}} {
		execID := fmt.Sprintf("shared-%d", len(ids))
		var got result
		a.postAs(t, editorKey, update(ids, execID), nil).data(t, &got)
		var updated []string
		for _, c := range got.UpdateCompanies {
			updated = append(updated, c.ID)
			found := false
			for _, e := range c.Executives {
				found = found || e.Executive.ID == execID && e.Title == "Adviser" && e.Executive.Name == "Shared"
			}
			if !found {
				t.Errorf("%s is not connected to %s: %+v", c.ID, execID, c.Executives)
			}
		}
		sort.Strings(updated)
		if strings.Join(updated, ",") != strings.Join(ids, ",") {
			t.Errorf("updated %v, want %v", updated, ids)
		}
		if n := a.count(t, fmt.Sprintf(`MATCH (e:Executive:Node {id: %q}) RETURN count(e)`, execID)); n != 1 {
			t.Errorf("%d executives %s", n, execID)
		}
		if n := a.count(t, fmt.Sprintf(`MATCH (:Executive {id: %q})-[r:WORKS_FOR]->(:Company) RETURN count(r)`, execID)); n != int64(len(ids)) {
			t.Errorf("%s works for %d companies, want %d", execID, n, len(ids))
		}
	}

	// Refused, for two matched nodes: once each, and nothing written.
	before := fingerprint(t, a)
	r := a.postAs(t, editorKey, update([]string{"many-1", "many-2"}, "xiaomi"), nil)
	if code := r.code(t); code != "CONFLICT" {
		t.Errorf("connect create of a used id: %s", r.raw)
	}
	r = a.postAs(t, editorKey, `mutation { updateCompanies(where: {id: {in: ["many-1", "many-2"]}},
	  connect: {executives: [{create: {id: "shared-bad", name: "Bad"}, evidence: [{source: "nope", sentence: "s"}]}]}) { id } }`, nil)
	if code := r.code(t); code != "BAD_USER_INPUT" || len(r.Errors) != 1 || r.Errors[0].Extensions["field"] != "connect.executives[0].evidence[0].source" {
		t.Errorf("connect create with an unknown source: %s", r.raw)
	}
	if after := fingerprint(t, a); after != before {
		t.Error("a refused update wrote something")
	}
	if _, err := a.Client.Write(context.Background(), func(tx cgneo4j.Tx) (any, error) {
		return tx.Run(context.Background(), `MATCH (n) WHERE n.id STARTS WITH "many-" OR n.id STARTS WITH "shared-" DETACH DELETE n`, nil)
	}); err != nil {
		t.Fatal(err)
	}
}

// A delete is bounded like an update, and counts each relationship it
// removes once, even one between two of the deleted nodes.
func testDeleteBoundAndCounts(t *testing.T, a *api) {
	var batch []string
	for i := range 51 {
		batch = append(batch, fmt.Sprintf(`{id: "bulk-m-%d", name: "Bulk %d"}`, i, i))
	}
	for _, part := range [][]string{batch[:50], batch[50:]} {
		a.postAs(t, editorKey, `mutation { createMarkets(input: [`+strings.Join(part, ",")+`]) { id } }`, nil).data(t, &struct{}{})
	}
	r := a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {startsWith: "bulk-m-"}}) { nodesDeleted } }`, nil)
	if code := r.code(t); code != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "51") || !strings.Contains(r.Errors[0].Message, "50") {
		t.Errorf("delete above the bound: %s", r.raw)
	}
	if n := a.count(t, `MATCH (m:Market) WHERE m.id STARTS WITH "bulk-m-" RETURN count(m)`); n != 51 {
		t.Errorf("a refused delete left %d of 51 markets", n)
	}
	var del struct {
		DeleteMarkets struct{ NodesDeleted, RelationshipsDeleted int }
	}
	a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {startsWith: "bulk-m-1"}}) { nodesDeleted relationshipsDeleted } }`, nil).data(t, &del)
	if del.DeleteMarkets.NodesDeleted != 11 || del.DeleteMarkets.RelationshipsDeleted != 0 {
		t.Errorf("deleted bulk-m-1*: %+v", del.DeleteMarkets)
	}
	a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {startsWith: "bulk-m-"}}) { nodesDeleted } }`, nil).data(t, &del)
	if del.DeleteMarkets.NodesDeleted != 40 {
		t.Errorf("deleted the rest: %+v", del.DeleteMarkets)
	}

	// del-b and del-c are parts of del-a; a company is in del-a.
	a.postAs(t, editorKey, `mutation { createMarkets(input: [
	  {id: "del-a", name: "A"},
	  {id: "del-b", name: "B", partOf: [{id: "del-a", evidence: `+evidence0+`}]},
	  {id: "del-c", name: "C", partOf: [{id: "del-a", evidence: `+evidence0+`}]}]) { id } }`, nil).data(t, &struct{}{})
	a.postAs(t, editorKey, `mutation { createCompanies(input: [{id: "del-co", name: "Co", markets: [{id: "del-a", evidence: `+evidence0+`}]}]) { id } }`, nil).data(t, &struct{}{})
	rels := a.count(t, `MATCH ()-[r]->() RETURN count(r)`)
	a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {in: ["del-a", "del-b"]}}) { nodesDeleted relationshipsDeleted } }`, nil).data(t, &del)
	// b->a once, though both ends go; c->a; the company's.
	if del.DeleteMarkets.NodesDeleted != 2 || del.DeleteMarkets.RelationshipsDeleted != 3 {
		t.Errorf("deleted del-a and del-b: %+v, want 2 nodes and 3 relationships", del.DeleteMarkets)
	}
	if after := a.count(t, `MATCH ()-[r]->() RETURN count(r)`); after != rels-3 {
		t.Errorf("relationships %d -> %d, want 3 fewer", rels, after)
	}
	if _, err := a.Client.Write(context.Background(), func(tx cgneo4j.Tx) (any, error) {
		return tx.Run(context.Background(), `MATCH (n) WHERE n.id STARTS WITH "del-" DETACH DELETE n`, nil)
	}); err != nil {
		t.Fatal(err)
	}
}
