package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/companygraph/companygraph/internal/auth"
	cgneo4j "github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/neo4jtest"
	"github.com/companygraph/companygraph/internal/query"
)

// editors is the API over the shared Neo4j, seeded, with the test keys.
func editors(t *testing.T) *api {
	t.Helper()
	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.APIKeys = fmt.Sprintf("ed:editor:%s,ad:admin:%s,rd:reader:%s", auth.HashKey(editorKey), auth.HashKey(adminKey), auth.HashKey(readerKey))
	return start(t, cfg, true)
}

// cleanUp deletes, when the test ends, every node whose id starts with prefix.
func cleanUp(t *testing.T, a *api, prefix string) {
	t.Cleanup(func() {
		ctx := context.Background()
		if _, err := a.Client.Write(ctx, func(tx cgneo4j.Tx) (any, error) {
			return tx.Run(ctx, `MATCH (n) WHERE n.id STARTS WITH $p DETACH DELETE n`, map[string]any{"p": prefix})
		}); err != nil {
			t.Error(err)
		}
	})
}

const rolesText = "Shopkart sells the Mi Band in India. Kalyan Shopmurthy is the chief executive of Shopkart. " +
	"Tradewind is a retailer. Tradewind is a company from Bangalore. Rolesmart bought Shopkart."

// ingestRoles ingests facts from rolesText and returns the response.
func ingestRoles(t *testing.T, a *api, facts string) response {
	t.Helper()
	return a.postAs(t, editorKey, `mutation { ingest(source: {id: "roles-article", title: "Shopkart", text: "`+rolesText+`"}, facts: [`+facts+`]) {
	  created matched unchanged facts { index outcome id } } }`, nil)
}

// One organisation in two roles: a Partner that a WORKS_FOR makes a
// Company, and one that a Company fact makes one; one node each, one id,
// answering as both types with every relationship.
func TestOrganisationRoles(t *testing.T) {
	a := editors(t)
	cleanUp(t, a, "roles-")

	ingestRoles(t, a, `
	  {partner: {id: "roles-shopkart", name: "Shopkart"}, sentences: ["Shopkart sells the Mi Band in India."]},
	  {relationship: {type: SELLS, from: "roles-shopkart", to: "mi-band", market: "India"}, sentences: ["Shopkart sells the Mi Band in India."]},
	  {partner: {id: "roles-tradewind", name: "Tradewind"}, sentences: ["Tradewind is a retailer."]}`).ok(t)

	// A WORKS_FOR to a Partner gives it the Company role.
	var res struct {
		Ingest struct {
			Created, Matched int
			Facts            []struct{ Outcome, ID string }
		}
	}
	ingestRoles(t, a, `
	  {executive: {id: "roles-kalyan", name: "Kalyan Shopmurthy"}, sentences: ["Kalyan Shopmurthy is the chief executive of Shopkart."]},
	  {relationship: {type: WORKS_FOR, from: "roles-kalyan", to: "roles-shopkart", title: "chief executive"}, sentences: ["Kalyan Shopmurthy is the chief executive of Shopkart."]}`).data(t, &res)
	if res.Ingest.Created != 2 || res.Ingest.Facts[1].ID != "roles-kalyan-WORKS_FOR->roles-shopkart" {
		t.Errorf("WORKS_FOR to a partner: %+v", res.Ingest)
	}
	// A Company fact with a Partner's id adds the role, the name kept.
	ingestRoles(t, a, `{company: {id: "roles-tradewind", name: "Tradewind Ltd", headquarters: "Bangalore"}, sentences: ["Tradewind is a company from Bangalore."]}`).data(t, &res)
	if res.Ingest.Matched != 1 || res.Ingest.Facts[0].Outcome != "MATCHED" {
		t.Errorf("company fact on a partner: %+v", res.Ingest)
	}
	// Again: nothing new.
	ingestRoles(t, a, `{company: {id: "roles-tradewind", name: "Tradewind Ltd", headquarters: "Bangalore"}, sentences: ["Tradewind is a company from Bangalore."]}`).data(t, &res)
	if res.Ingest.Facts[0].Outcome != "UNCHANGED" {
		t.Errorf("company fact again: %+v", res.Ingest)
	}

	for _, id := range []string{"roles-shopkart", "roles-tradewind"} {
		if n := a.count(t, fmt.Sprintf(`MATCH (n {id: %q}) RETURN count(n)`, id)); n != 1 {
			t.Errorf("%s: %d nodes", id, n)
		}
		if n := a.count(t, fmt.Sprintf(`MATCH (n:Company:Partner:Organization:Node {id: %q}) RETURN count(n)`, id)); n != 1 {
			t.Errorf("%s lacks a label", id)
		}
	}

	var got struct {
		Company struct {
			Name, Headquarters *string
			Roles              []string
			Executives         []struct {
				Title     string
				Executive struct{ Name string }
			}
		}
		Partner struct {
			Roles []string
			Sells []struct {
				Market  string
				Product struct{ ID string }
			}
		}
		Node struct {
			Typename, Name string
			Roles          []string
		} `json:"node"`
		Tradewind struct {
			Typename     string `json:"__typename"`
			Name         string
			Headquarters string
			Roles        []string
		}
		Companies []struct{ ID string }
		Partners  []struct{ ID string }
		Search    []struct {
			Node struct {
				Typename string `json:"__typename"`
				ID       string
			}
		}
	}
	a.post(t, `{
	  company(id: "roles-shopkart") { name headquarters roles executives { title executive { name } } }
	  partner(id: "roles-shopkart") { roles sells { market product { id } } }
	  node(id: "roles-shopkart") { Typename: __typename roles ... on Company { name } }
	  tradewind: node(id: "roles-tradewind") { __typename roles ... on Company { name headquarters } }
	  companies(where: {id: {startsWith: "roles-"}}) { id }
	  partners(where: {id: {startsWith: "roles-"}, sells: {some: {market: {eq: "India"}}}}) { id }
	  search(query: "Shopkart", types: [Partner]) { node { __typename id } }
	}`, nil).data(t, &got)
	if *got.Company.Name != "Shopkart" || len(got.Company.Executives) != 1 || got.Company.Executives[0].Title != "chief executive" {
		t.Errorf("company(id:) of a partner: %+v", got.Company)
	}
	if strings.Join(got.Company.Roles, ",") != "Company,Partner" || strings.Join(got.Partner.Roles, ",") != "Company,Partner" {
		t.Errorf("roles: %v %v", got.Company.Roles, got.Partner.Roles)
	}
	if len(got.Partner.Sells) != 1 || got.Partner.Sells[0].Product.ID != "mi-band" {
		t.Errorf("partner(id:) lost its relationship: %+v", got.Partner)
	}
	if got.Node.Typename != "Company" || got.Node.Name != "Shopkart" || len(got.Node.Roles) != 2 {
		t.Errorf("node(id:): %+v", got.Node)
	}
	if got.Tradewind.Typename != "Company" || got.Tradewind.Name != "Tradewind" || got.Tradewind.Headquarters != "Bangalore" {
		t.Errorf("node(id:) of the second: %+v", got.Tradewind)
	}
	if len(got.Companies) != 2 || len(got.Partners) != 1 || got.Partners[0].ID != "roles-shopkart" {
		t.Errorf("lists: companies %v, partners %v", got.Companies, got.Partners)
	}
	if len(got.Search) == 0 || got.Search[0].Node.ID != "roles-shopkart" || got.Search[0].Node.Typename != "Company" {
		t.Errorf("search: %+v", got.Search)
	}

	// The knowledge-graph views and the feed see both roles.
	var views struct {
		Resolve []struct {
			Type          string
			Labels, Roles []string
		}
		Changes struct {
			Edges []struct{ Node struct{ Type, ID string } }
		}
	}
	a.post(t, `{ resolve(name: "Shopkart") { type labels roles }
	  changes(types: ["Partner"], ids: ["roles-tradewind"], first: 1000) { edges { node { type id } } } }`, nil).data(t, &views)
	if len(views.Resolve) != 1 || views.Resolve[0].Type != "Company" || strings.Join(views.Resolve[0].Labels, ",") != "Company,Partner" ||
		strings.Join(views.Resolve[0].Roles, ",") != "Company,Partner" {
		t.Errorf("resolve: %+v", views.Resolve)
	}
	if n := len(views.Changes.Edges); n < 2 || views.Changes.Edges[n-1].Node.Type != "Company" {
		t.Errorf("changes of a partner that became a company: %+v", views.Changes.Edges)
	}

	// A Product's id is no organisation's: still refused, nothing written.
	before := fingerprint(t, a)
	r := ingestRoles(t, a, `{company: {id: "mi-band", name: "Mi Band Inc"}, sentences: ["Rolesmart bought Shopkart."]}`)
	if code := r.code(t); code != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, `id "mi-band" is already used by a Product`) {
		t.Errorf("product id as a company: %s", r.raw)
	}
	// Nor does a relationship make an Executive a Company.
	r = ingestRoles(t, a, `{relationship: {type: WORKS_FOR, from: "roles-kalyan", to: "roles-kalyan"}, sentences: ["Rolesmart bought Shopkart."]}`)
	if code := r.code(t); code != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "the schema has no (Executive)-[:WORKS_FOR]->(Executive)") {
		t.Errorf("executive as an employer: %s", r.raw)
	}
	if fingerprint(t, a) != before {
		t.Error("a refused ingest wrote something")
	}
	// Creating a Company with a Partner's id stays a CONFLICT: create
	// makes a new node, it does not merge.
	if code := a.postAs(t, editorKey, `mutation { createCompanies(input: [{id: "roles-shopkart", name: "Twin"}]) { id } }`, nil).code(t); code != "CONFLICT" {
		t.Errorf("create over an organisation: %s", code)
	}
}

// A graph written before the organisation label: start-up gives it to
// every Company and Partner, and then they take roles like the others.
func TestOrganisationMigration(t *testing.T) {
	a := editors(t)
	cleanUp(t, a, "roles-legacy-")
	ctx := context.Background()
	m := a.Engine.Mapping()
	if _, err := a.Client.Write(ctx, func(tx cgneo4j.Tx) (any, error) {
		return tx.Run(ctx, `CREATE (:Partner:Node {id: 'roles-legacy-p', name: 'Legacy Partner', aliases: []}),
		  (:Company:Node {id: 'roles-legacy-c', name: 'Legacy Company', aliases: []})`, nil)
	}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := a.Client.EnsureSchema(ctx, query.NodeLabel, m.Labels(), m.Groups(), m.FullTextIndexes()...); err != nil {
			t.Fatal(err)
		}
	}
	if n := a.count(t, `MATCH (n:Organization) WHERE n.id STARTS WITH 'roles-legacy-' RETURN count(n)`); n != 2 {
		t.Errorf("%d of 2 legacy organisations labelled", n)
	}
	if n := a.count(t, `MATCH (n) WHERE (n:Company OR n:Partner) AND NOT n:Organization RETURN count(n)`); n != 0 {
		t.Errorf("%d organisations without the label", n)
	}
	if ok, err := a.Client.HasSchema(ctx, query.NodeLabel, m.Labels(), m.Groups()); !ok || err != nil {
		t.Errorf("HasSchema: %v %v", ok, err)
	}
	a.postAs(t, editorKey, `mutation { ingest(source: {id: "roles-legacy-memo", title: "Memo", text: "Legacy Partner is a company."},
	  facts: [{company: {id: "roles-legacy-p", name: "Legacy Partner"}, sentences: ["Legacy Partner is a company."]}]) { created } }`, nil).ok(t)
	if n := a.count(t, `MATCH (n:Company:Partner {id: 'roles-legacy-p'}) RETURN count(n)`); n != 1 {
		t.Error("a migrated partner did not take the Company role")
	}
}
