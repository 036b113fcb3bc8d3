package app_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/ingest"
	"github.com/companygraph/companygraph/internal/neo4jtest"
	"github.com/companygraph/companygraph/seed"
)

const (
	editorKey = "editor-key-for-tests"
	adminKey  = "admin-key-for-tests"
	readerKey = "reader-key-for-tests"
	jwtSecret = "hs256-secret-for-the-write-tests"
	article0  = "000_4657f6e3798185d7"
)

// postAs sends a request with a bearer token.
func (a *api) postAs(t *testing.T, token, query string, vars map[string]any) response {
	t.Helper()
	body := jsonString(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

// count runs a Cypher count on the API's database.
func (a *api) count(t *testing.T, cypher string) int64 {
	t.Helper()
	recs, err := a.Client.ReadOne(context.Background(), cypher, nil)
	if err != nil {
		t.Fatal(err)
	}
	return recs[0].Values[0].(int64)
}

// TestWrites runs every write test on a private Neo4j, since they change
// the graph other tests count.
func TestWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own Neo4j")
	}
	neo := neo4jtest.New(t, "writes-password")
	neo.Start()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubFile := filepath.Join(t.TempDir(), "jwt.pem")
	der, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	os.WriteFile(pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600)

	cfg := testConfig(t, neo.Conn)
	cfg.APIKeys = fmt.Sprintf("ed:editor:%s,ad:admin:%s,rd:reader:%s", auth.HashKey(editorKey), auth.HashKey(adminKey), auth.HashKey(readerKey))
	cfg.JWTSecret = jwtSecret
	cfg.JWTPublicKey = pubFile
	cfg.MaxBatch = 50
	a := start(t, cfg, true)

	t.Run("create with nested create and connect", func(t *testing.T) { testCreate(t, a) })
	t.Run("update and disconnect", func(t *testing.T) { testUpdate(t, a) })
	t.Run("delete", func(t *testing.T) { testDelete(t, a) })
	t.Run("bad writes write nothing", func(t *testing.T) { testBadWrites(t, a) })
	t.Run("ingest", func(t *testing.T) { testIngest(t, a) })
	t.Run("ingest is all or nothing", func(t *testing.T) { testIngestAllOrNothing(t, a) })
	t.Run("parallel ingests", func(t *testing.T) { testParallelIngest(t, a) })
	t.Run("aliases add up across sources", func(t *testing.T) { testAliasesAddUp(t, a) })
	t.Run("names are matched whole, whatever they hold", func(t *testing.T) { testNamesMatchedWhole(t, a) })
	t.Run("concurrent creates of one id", func(t *testing.T) { testCreateRaces(t, a) })
	t.Run("ingest of an id another type has", func(t *testing.T) { testIngestConflict(t, a) })
	t.Run("update connecting a created node to several", func(t *testing.T) { testConnectCreateMany(t, a) })
	t.Run("delete bound and counts", func(t *testing.T) { testDeleteBoundAndCounts(t, a) })
	t.Run("the common label stays inside", func(t *testing.T) { testLabelHidden(t, a) })
	t.Run("migration to the common label", func(t *testing.T) { testMigration(t, a) })
	t.Run("auth", func(t *testing.T) { testAuth(t, a, rsaKey) })
	t.Run("articles", func(t *testing.T) { testArticles(t, cfg) })

	readers := cfg
	readers.ReadsNeedAuth = true
	closed := start(t, readers, false)
	t.Run("reads that need auth", func(t *testing.T) {
		if code := closed.post(t, `{ markets { id } }`, nil).code(t); code != "UNAUTHENTICATED" {
			t.Errorf("query without a token: %s", code)
		}
		// A reader key reads what an open API reads, however many markets
		// the articles before have written.
		var got, want struct{ Markets []struct{ ID string } }
		closed.postAs(t, readerKey, `{ markets { id } }`, nil).data(t, &got)
		a.post(t, `{ markets { id } }`, nil).data(t, &want)
		if len(got.Markets) < 4 || !reflect.DeepEqual(got, want) {
			t.Errorf("markets with a reader key: %+v, open: %+v", got, want)
		}
	})
}

const evidence0 = `[{source: "` + article0 + `", sentence: "Xiaomi finally entering US, but not for offering affordable smartphones"}]`

func testCreate(t *testing.T, a *api) {
	var got struct {
		CreateCompanies []struct {
			ID, Name   string
			Executives []struct {
				Title     string
				Executive struct{ ID, Name string }
				Evidence  []struct {
					Sentence string
					Source   struct{ ID string }
				}
			}
		}
	}
	a.postAs(t, editorKey, `mutation {
	  createCompanies(input: [{id: "acme", name: "Acme", country: "US",
	    executives: [
	      {create: {id: "road-runner", name: "Road Runner"}, title: "CEO", evidence: `+evidence0+`},
	      {id: "hugo-barra", title: "Adviser", evidence: `+evidence0+`}
	    ]}]) {
	    id name executives { title executive { id name } evidence { sentence source { id } } }
	  }
	}`, nil).data(t, &got)
	c := got.CreateCompanies
	if len(c) != 1 || c[0].ID != "acme" || len(c[0].Executives) != 2 {
		t.Fatalf("created: %+v", c)
	}
	if e := c[0].Executives; e[0].Executive.ID != "hugo-barra" || e[0].Title != "Adviser" || e[1].Executive.Name != "Road Runner" || e[1].Evidence[0].Source.ID != article0 {
		t.Errorf("executives: %+v", e)
	}
	if n := a.count(t, `MATCH (c:Company {id: "acme"}) WHERE c.createdBy = "ed" AND c.createdAt IS NOT NULL AND c.updatedBy = "ed" RETURN count(c)`); n != 1 {
		t.Error("the write does not record who and when")
	}
	if code := a.postAs(t, editorKey, `mutation { createCompanies(input: [{id: "acme", name: "Again"}]) { id } }`, nil).code(t); code != "CONFLICT" {
		t.Errorf("id in use: %s", code)
	}
	if code := a.postAs(t, editorKey, `mutation { createPartners(input: [{id: "hugo-barra", name: "Twin"}]) { id } }`, nil).code(t); code != "CONFLICT" {
		t.Errorf("id in use by another type: %s", code)
	}
}

func testUpdate(t *testing.T, a *api) {
	var got struct {
		UpdateCompanies []struct {
			Country    *string
			Executives []struct{ Executive struct{ ID string } }
			Partners   []struct{ Partner struct{ ID string } } `json:"partnerships"`
		}
	}
	a.postAs(t, editorKey, `mutation {
	  updateCompanies(where: {id: {eq: "acme"}}, set: {country: null, headquarters: "Phoenix"},
	    connect: {partnerships: [{id: "flipkart", market: "India", evidence: `+evidence0+`}]},
	    disconnect: {executives: ["hugo-barra"]}) {
	    country executives { executive { id } } partnerships { partner { id } }
	  }
	}`, nil).data(t, &got)
	u := got.UpdateCompanies
	if len(u) != 1 || u[0].Country != nil || len(u[0].Executives) != 1 || u[0].Executives[0].Executive.ID != "road-runner" ||
		len(u[0].Partners) != 1 || u[0].Partners[0].Partner.ID != "flipkart" {
		t.Errorf("updated: %+v", u)
	}
	if code := a.postAs(t, editorKey, `mutation { updateCompanies(where: {id: {eq: "acme"}}, set: {name: null}) { id } }`, nil).code(t); code != "BAD_USER_INPUT" {
		t.Errorf("null name: %s", code)
	}
	var none struct{ UpdateCompanies []struct{ ID string } }
	a.postAs(t, editorKey, `mutation { updateCompanies(where: {id: {eq: "no-such"}}, set: {country: "X"}) { id } }`, nil).data(t, &none)
	if len(none.UpdateCompanies) != 0 {
		t.Errorf("update of nothing: %+v", none)
	}
}

func testDelete(t *testing.T, a *api) {
	before := a.count(t, `MATCH (n:Node) RETURN count(n)`)
	var got struct {
		DeleteCompanies struct{ NodesDeleted, RelationshipsDeleted int }
	}
	a.postAs(t, adminKey, `mutation { deleteCompanies(where: {id: {eq: "acme"}}) { nodesDeleted relationshipsDeleted } }`, nil).data(t, &got)
	if got.DeleteCompanies.NodesDeleted != 1 || got.DeleteCompanies.RelationshipsDeleted != 2 {
		t.Errorf("deleted: %+v", got.DeleteCompanies)
	}
	if after := a.count(t, `MATCH (n:Node) RETURN count(n)`); after != before-1 {
		t.Errorf("nodes before %d, after %d", before, after)
	}
	a.postAs(t, adminKey, `mutation { deleteExecutives(where: {id: {eq: "road-runner"}}) { nodesDeleted } }`, nil).data(t, &got)
}

func testBadWrites(t *testing.T, a *api) {
	before := a.count(t, `MATCH (n:Node) RETURN count(n)`)
	rels := a.count(t, `MATCH ()-[r]->() RETURN count(r)`)
	tests := []struct{ name, query, field string }{
		{"no evidence", `mutation { createCompanies(input: [{id: "x1", name: "X", executives: [{id: "hugo-barra", evidence: []}]}]) { id } }`, "input[0].executives[0].evidence"},
		{"id and create", `mutation { createCompanies(input: [{id: "x1", name: "X", executives: [{id: "hugo-barra", create: {id: "y", name: "Y"}, evidence: ` + evidence0 + `}]}]) { id } }`, "input[0].executives[0]"},
		{"unknown far end", `mutation { createCompanies(input: [{id: "x1", name: "X", executives: [{id: "nobody", evidence: ` + evidence0 + `}]}]) { id } }`, "input[0].executives[0].id"},
		{"far end of another type", `mutation { createCompanies(input: [{id: "x1", name: "X", executives: [{id: "xiaomi", evidence: ` + evidence0 + `}]}]) { id } }`, "input[0].executives[0].id"},
		{"unknown source", `mutation { createCompanies(input: [{id: "x1", name: "X", executives: [{id: "hugo-barra", evidence: [{source: "nope", sentence: "s"}]}]}]) { id } }`, "input[0].executives[0].evidence[0].source"},
		{"sentence not in the source", `mutation { createCompanies(input: [{id: "x1", name: "X", executives: [{id: "hugo-barra", evidence: [{source: "` + article0 + `", sentence: "Xiaomi buys Apple."}]}]}]) { id } }`, "input[0].executives[0].evidence[0].sentence"},
		{"nested too deep", `mutation { createCompanies(input: [{id: "x1", name: "X", executives: [{create: {id: "y1", name: "Y", employers: [{id: "xiaomi", evidence: ` + evidence0 + `}]}, evidence: ` + evidence0 + `}]}]) { id } }`, "input[0].executives[0].create"},
		{"batch too large", `mutation { createMarkets(input: [` + strings.Repeat(`{id: "m", name: "M"},`, 51) + `]) { id } }`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.postAs(t, editorKey, tt.query, nil)
			if code := r.code(t); code != "BAD_USER_INPUT" {
				t.Fatalf("code %s: %s", code, r.raw)
			}
			if tt.field != "" && r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("field %v, want %s", r.Errors[0].Extensions["field"], tt.field)
			}
		})
	}
	if n, m := a.count(t, `MATCH (n:Node) RETURN count(n)`), a.count(t, `MATCH ()-[r]->() RETURN count(r)`); n != before || m != rels {
		t.Errorf("refused writes changed the graph: nodes %d -> %d, relationships %d -> %d", before, n, rels, m)
	}
}

const ingestMutation = `mutation($source: SourceInput!, $facts: [FactInput!]!) {
  ingest(source: $source, facts: $facts) { created matched unchanged facts { index outcome id } }
}`

var secondArticle = map[string]any{
	"id": "amazon-article", "title": "Xiaomi and Amazon India", "kind": "news article",
	"text": "Xiaomi partnered with Amazon India for its Redmi phones. Barra announced it in Delhi. Xiaomi is based in Beijing.",
}

func secondFacts() []any {
	return []any{
		map[string]any{"partner": map[string]any{"id": "amazon-india", "name": "Amazon India"}, "sentences": []any{"Xiaomi partnered with Amazon India for its Redmi phones."}},
		// Named by another id and by name: the same Xiaomi.
		map[string]any{"company": map[string]any{"id": "xiaomi-inc", "name": "XIAOMI", "headquarters": "Beijing"}, "sentences": []any{"Xiaomi is based in Beijing."}},
		// Named by the alias the seed knows: Hugo Barra.
		map[string]any{"executive": map[string]any{"id": "barra", "name": "Barra"}, "sentences": []any{"Barra announced it in Delhi."}},
		map[string]any{"relationship": map[string]any{"type": "PARTNERED_WITH", "from": "xiaomi-inc", "to": "amazon-india", "market": "India"}, "sentences": []any{"Xiaomi partnered with Amazon India for its Redmi phones."}},
		// A fact the seed already states, now stated by a second source.
		map[string]any{"relationship": map[string]any{"type": "WORKS_FOR", "from": "barra", "to": "xiaomi"}, "sentences": []any{"Barra announced it in Delhi."}},
	}
}

type ingestResult struct {
	Ingest struct {
		Created, Matched, Unchanged int
		Facts                       []struct {
			Index       int
			Outcome, ID string
		}
	}
}

func testIngest(t *testing.T, a *api) {
	nodes := a.count(t, `MATCH (n:Node) RETURN count(n)`)
	var first, second ingestResult
	a.postAs(t, editorKey, ingestMutation, map[string]any{"source": secondArticle, "facts": secondFacts()}).data(t, &first)
	outcomes := map[string]string{}
	for _, f := range first.Ingest.Facts {
		outcomes[f.ID] = f.Outcome
	}
	if first.Ingest.Created != 2 || first.Ingest.Matched != 3 || outcomes["amazon-india"] != "CREATED" || outcomes["xiaomi"] != "MATCHED" ||
		outcomes["hugo-barra"] != "MATCHED" || outcomes["hugo-barra-WORKS_FOR->xiaomi"] != "MATCHED" {
		t.Errorf("first ingest: %+v", first.Ingest)
	}
	// Xiaomi and Hugo Barra were matched, not made twice: only Amazon India and the source are new.
	if after := a.count(t, `MATCH (n:Node) RETURN count(n)`); after != nodes+2 {
		t.Errorf("nodes %d -> %d, want 2 more", nodes, after)
	}
	if n := a.count(t, `MATCH (c:Company {id: "xiaomi"}) WHERE "XIAOMI" IN c.aliases AND c.name = "Xiaomi" RETURN count(c)`); n != 0 {
		t.Error("a name that differs only in case became an alias")
	}
	before := fingerprint(t, a)
	a.postAs(t, editorKey, ingestMutation, map[string]any{"source": secondArticle, "facts": secondFacts()}).data(t, &second)
	if second.Ingest.Unchanged != 5 || second.Ingest.Created != 0 || second.Ingest.Matched != 0 {
		t.Errorf("second ingest: %+v", second.Ingest)
	}
	if after := fingerprint(t, a); after != before {
		t.Errorf("the same input twice changed the graph:\n%s\n%s", before, after)
	}
	// A fact two sources state lists both.
	var got struct {
		Executive struct {
			Employers []struct {
				Evidence []struct {
					Sentence string
					Source   struct{ ID string }
				}
			}
		}
	}
	a.post(t, `{ executive(id: "hugo-barra") { employers { evidence { sentence source { id } } } } }`, nil).data(t, &got)
	var sources []string
	for _, e := range got.Executive.Employers[0].Evidence {
		sources = append(sources, e.Source.ID)
	}
	if strings.Join(sources, ",") != article0+",amazon-article" {
		t.Errorf("evidence of WORKS_FOR: %v", sources)
	}
}

// fingerprint is the whole graph's content, write times aside.
func fingerprint(t *testing.T, a *api) string {
	t.Helper()
	recs, err := a.Client.ReadOne(context.Background(), `
	  MATCH (n) WITH n ORDER BY n.id
	  WITH collect([labels(n), [k IN keys(n) WHERE NOT k IN ['createdAt', 'updatedAt'] | [k, n[k]]]]) AS nodes
	  MATCH (a)-[r]->(b) WITH nodes, r, a, b ORDER BY a.id, type(r), b.id, r.key
	  RETURN nodes, collect([a.id, type(r), b.id, [k IN keys(r) WHERE NOT k IN ['createdAt', 'updatedAt'] | [k, r[k]]]]) AS rels`, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(recs[0].Values)
}

func testIngestAllOrNothing(t *testing.T, a *api) {
	before := fingerprint(t, a)
	facts := append(secondFacts(),
		map[string]any{"partner": map[string]any{"id": "new-partner", "name": "New"}, "sentences": []any{"Xiaomi is based in Beijing."}},
		map[string]any{"relationship": map[string]any{"type": "SELLS", "from": "new-partner", "to": "nothing-here"}, "sentences": []any{"Xiaomi is based in Beijing."}},
		map[string]any{"relationship": map[string]any{"type": "WORKS_FOR", "from": "xiaomi", "to": "barra", "title": "CEO"}, "sentences": []any{"Xiaomi is based in Beijing."}},
		map[string]any{"partner": map[string]any{"id": "p9", "name": "P9"}, "sentences": []any{"This is not in the text."}},
		map[string]any{"relationship": map[string]any{"type": "WORKS_FOR", "from": "barra", "to": "xiaomi", "market": "India"}, "sentences": []any{"Barra announced it in Delhi."}},
	)
	r := a.postAs(t, editorKey, ingestMutation, map[string]any{"source": secondArticle, "facts": facts})
	got := map[string]bool{}
	for _, e := range r.Errors {
		if e.Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("error without BAD_USER_INPUT: %+v", e)
		}
		got[fmt.Sprint(e.Extensions["index"], " ", e.Extensions["field"])] = true
	}
	for _, want := range []string{
		"6 facts[6].relationship.to", "7 facts[7].relationship.type", "8 facts[8].sentences[0]", "9 facts[9].relationship.market",
	} {
		if !got[want] {
			t.Errorf("missing error %q in %v", want, got)
		}
	}
	if len(r.Errors) != 4 {
		t.Errorf("want the 4 invalid facts reported at once, got %d: %s", len(r.Errors), r.raw)
	}
	if after := fingerprint(t, a); after != before {
		t.Error("a batch with invalid facts wrote something")
	}
	big := make([]any, 51)
	for i := range big {
		big[i] = secondFacts()[0]
	}
	if code := a.postAs(t, editorKey, ingestMutation, map[string]any{"source": secondArticle, "facts": big}).code(t); code != "BAD_USER_INPUT" {
		t.Errorf("batch above the bound: %s", code)
	}
}

// Concurrent ingests that mention the same entities never make two nodes.
func testParallelIngest(t *testing.T, a *api) {
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan string, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			text := fmt.Sprintf("Report %d: Globex hired Jane Doe. Globex sells Widgets.", w)
			src := map[string]any{"id": fmt.Sprintf("report-%d", w), "title": "Report", "text": text}
			facts := []any{
				map[string]any{"company": map[string]any{"id": "globex", "name": "Globex"}, "sentences": []any{"Globex hired Jane Doe."}},
				map[string]any{"executive": map[string]any{"id": "jane-doe", "name": "Jane Doe"}, "sentences": []any{"Globex hired Jane Doe."}},
				map[string]any{"product": map[string]any{"id": "widgets", "name": "Widgets"}, "sentences": []any{"Globex sells Widgets."}},
				map[string]any{"relationship": map[string]any{"type": "WORKS_FOR", "from": "jane-doe", "to": "globex"}, "sentences": []any{"Globex hired Jane Doe."}},
				map[string]any{"relationship": map[string]any{"type": "HAS_PRODUCT", "from": "globex", "to": "widgets"}, "sentences": []any{"Globex sells Widgets."}},
			}
			r := a.postAs(t, editorKey, ingestMutation, map[string]any{"source": src, "facts": facts})
			if len(r.Errors) > 0 {
				errs <- r.raw
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a parallel ingest failed: %s", e)
	}
	for q, want := range map[string]int64{
		`MATCH (n) WHERE n.id IN ["globex", "jane-doe", "widgets"] RETURN count(n)`:                    3,
		`MATCH (:Executive {id: "jane-doe"})-[r:WORKS_FOR]->(:Company {id: "globex"}) RETURN count(r)`: 1,
		`MATCH (:Company {id: "globex"})-[r:HAS_PRODUCT]->() RETURN sum(size(r.sentences))`:            writers,
		`MATCH (s:Source) WHERE s.id STARTS WITH "report-" RETURN count(s)`:                            writers,
	} {
		if got := a.count(t, q); got != want {
			t.Errorf("%s: got %d, want %d", q, got, want)
		}
	}
}

func testAuth(t *testing.T, a *api, rsaKey *rsa.PrivateKey) {
	exp := time.Now().Add(time.Hour).Unix()
	hs, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "jwt-editor", "role": "editor", "exp": exp}).SignedString([]byte(jwtSecret))
	rs, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"sub": "jwt-admin", "role": "admin", "exp": exp}).SignedString(rsaKey)
	old, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "late", "role": "admin", "exp": time.Now().Add(-time.Hour).Unix()}).SignedString([]byte(jwtSecret))
	create := `mutation { createMarkets(input: [{id: "brazil", name: "Brazil"}]) { id } }`
	deleteQ := func(id string) string {
		return `mutation { deleteMarkets(where: {id: {eq: "` + id + `"}}) { nodesDeleted } }`
	}
	tests := []struct {
		name, token, query, code string
	}{
		{"no token", "", create, "UNAUTHENTICATED"},
		{"unknown key", "not-a-key", create, "UNAUTHENTICATED"},
		{"expired jwt", old, create, "UNAUTHENTICATED"},
		{"reader writes", readerKey, create, "FORBIDDEN"},
		{"editor deletes", editorKey, deleteQ("india"), "FORBIDDEN"},
		// The same answer whether the entity exists or not.
		{"editor deletes what is not there", editorKey, deleteQ("atlantis"), "FORBIDDEN"},
		{"hs256 editor creates", hs, create, ""},
		{"rs256 admin deletes", rs, deleteQ("brazil"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.postAs(t, tt.token, tt.query, nil)
			if tt.code == "" {
				if len(r.Errors) > 0 {
					t.Fatalf("refused: %s", r.raw)
				}
				return
			}
			if code := r.code(t); code != tt.code {
				t.Errorf("code %s, want %s", code, tt.code)
			}
			if strings.Contains(r.raw, "india") || strings.Contains(r.raw, "atlantis") {
				t.Errorf("the refusal names the entity: %s", r.raw)
			}
		})
	}
	if n := a.count(t, `MATCH (m:Market {id: "brazil"}) RETURN count(m)`); n != 0 {
		t.Errorf("brazil should have been created by jwt-editor and deleted by jwt-admin")
	}
	// Reads stay open by default.
	if r := a.post(t, `{ markets(limit: 1) { id } }`, nil); len(r.Errors) > 0 {
		t.Errorf("open read refused: %s", r.raw)
	}
}

func testAliasesAddUp(t *testing.T, a *api) {
	load := func(source, sentence string, aliases ...any) {
		d := seed.Dataset{
			Source: seed.Source{ID: source, Text: sentence, Properties: map[string]any{"title": source}},
			Nodes:  []seed.Node{{Label: "Company", ID: "initech", Properties: map[string]any{"name": "Initech", "aliases": aliases}, Evidence: []string{sentence}}},
		}
		if err := ingest.Load(context.Background(), a.Changes, a.Engine.Mapping(), d, "test"); err != nil {
			t.Fatal(err)
		}
	}
	load("memo-1", "Initech, or INTECH, makes software.", "INTECH")
	load("memo-2", "Initech Corp. makes TPS reports.", "Initech Corp.")
	load("memo-2", "Initech Corp. makes TPS reports.", "Initech Corp.")
	var got struct{ Company struct{ Aliases []string } }
	a.post(t, `{ company(id: "initech") { aliases } }`, nil).data(t, &got)
	if strings.Join(got.Company.Aliases, ",") != "INTECH,Initech Corp." {
		t.Errorf("aliases: %v", got.Company.Aliases)
	}
}

// testNamesMatchedWhole ingests companies named with Lucene's syntax, a
// name that holds another's words among more, and one without a word,
// then each again under a new id and in another case: each is matched to
// its own node, and only to it.
func testNamesMatchedWhole(t *testing.T, a *api) {
	names := map[string]string{
		"lucene-att":   `AT&T "Mobility" (US) \ OR *`,
		"lucene-att-x": `AT&T "Mobility" (US) \ OR * Wireless`,
		"lucene-dots":  `...`,
		"lucene-alias": `Q+A`,
	}
	ids := slices.Sorted(maps.Keys(names))
	text := ""
	for _, id := range ids {
		text += names[id] + " is a company. "
	}
	post := func(source string, name func(id string) string, id func(string) string) map[string]string {
		var facts []any
		for _, k := range ids {
			company := map[string]any{"id": id(k), "name": name(k)}
			if k == "lucene-alias" && source == "lucene-1" {
				company["name"], company["aliases"] = "Questions and Answers", []any{names[k]}
			}
			facts = append(facts, map[string]any{"company": company, "sentences": []any{names[k] + " is a company."}})
		}
		var got ingestResult
		a.postAs(t, editorKey, ingestMutation, map[string]any{
			"source": map[string]any{"id": source, "title": source, "text": text}, "facts": facts,
		}).data(t, &got)
		out := map[string]string{}
		for _, f := range got.Ingest.Facts {
			out[ids[f.Index]] = f.ID + " " + f.Outcome
		}
		return out
	}
	same := func(id string) string { return id }
	first := post("lucene-1", func(id string) string { return names[id] }, same)
	for _, id := range ids {
		if first[id] != id+" CREATED" {
			t.Errorf("first ingest of %q: %s, want %s CREATED", names[id], first[id], id)
		}
	}
	again := post("lucene-2", func(id string) string { return strings.ToUpper(names[id]) }, func(id string) string { return id + "-again" })
	for _, id := range ids {
		if !strings.HasPrefix(again[id], id+" ") {
			t.Errorf("%q again, in upper case and under another id: %s, want the node %s", names[id], again[id], id)
		}
	}
	if n := a.count(t, `MATCH (c:Company) WHERE c.id STARTS WITH "lucene-" AND c.id ENDS WITH "-again" RETURN count(c)`); n != 0 {
		t.Errorf("%d companies made twice", n)
	}
}
