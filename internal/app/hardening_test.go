package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/app"
	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/config"
	cgneo4j "github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// hardened is the seeded API with an editor key and the default limits,
// changed by mod.
func hardened(t *testing.T, mod func(*config.Config)) *api {
	t.Helper()
	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.APIKeys = "ed:editor:" + auth.HashKey(editorKey)
	if mod != nil {
		mod(&cfg)
	}
	return start(t, cfg, true)
}

// request sends any request to /graphql and returns the answer as it is.
func (a *api) request(t *testing.T, method, rawQuery, contentType, body string, header ...string) httpResult {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+"/graphql"+rawQuery, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return httpResult{status: res.StatusCode, header: res.Header, body: string(raw)}
}

func gqlBody(query string, vars map[string]any) string {
	return jsonString(map[string]any{"query": query, "variables": vars})
}

// firstCode is the code of the first error of an answer, or of the first
// answer of a batch.
func firstCode(t *testing.T, body string) (code, limit string) {
	t.Helper()
	var one struct {
		Errors []gqlError `json:"errors"`
	}
	if json.Unmarshal([]byte(body), &one) != nil || len(one.Errors) == 0 {
		return "", ""
	}
	code, _ = one.Errors[0].Extensions["code"].(string)
	limit, _ = one.Errors[0].Extensions["limit"].(string)
	return code, limit
}

// The probes a GraphQL security scanner sends, and a few more of the same
// kind: each is refused with its code before any Cypher is sent, and those
// that carry a mutation write nothing.
func TestScannerProbesAreRefused(t *testing.T) {
	a := hardened(t, nil)
	var aliases, dup strings.Builder
	for i := range 101 {
		fmt.Fprintf(&aliases, "a%d: name ", i)
	}
	dup.WriteString(strings.Repeat("name ", 500))
	batch := make([]string, 10)
	for i := range batch {
		batch[i] = gqlBody(`{ markets(limit: 1) { id } }`, nil)
	}
	deep := "id"
	for range 5 {
		deep = "employers(limit: 1) { company { executives(limit: 1) { executive { " + deep + " } } } }"
	}
	mutation := func(id string) string {
		return fmt.Sprintf(`mutation { createMarkets(input: [{id: %q, name: "Probe"}]) { id } }`, id)
	}
	secret := strings.Repeat("do-not-echo-", 100_000) // 1.2 MB
	bigVars := map[string]any{"pad": strings.Repeat("x", 600<<10)}
	form := url.Values{"query": {mutation("probe-form")}}.Encode()
	multipart := "--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n" + gqlBody(mutation("probe-multipart"), nil) + "\r\n--b--\r\n"
	evil := []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}
	key := []string{"Authorization", "Bearer " + editorKey}
	json := "application/json"

	tests := []struct {
		name                    string
		method, query, ct, body string
		header                  []string
		status                  int
		code, limit             string
	}{
		{"101 aliases", "POST", "", json, gqlBody(`{ company(id: "xiaomi") { `+aliases.String()+`} }`, nil), nil, 200, "LIMIT_EXCEEDED", "aliases"},
		{"500 duplicated fields", "POST", "", json, gqlBody(`{ company(id: "xiaomi") { `+dup.String()+`} }`, nil), nil, 200, "LIMIT_EXCEEDED", "fields"},
		{"a batch of 10 operations", "POST", "", json, "[" + strings.Join(batch, ",") + "]", nil, 400, "LIMIT_EXCEEDED", "operations"},
		{"10 duplicated directives", "POST", "", json, gqlBody(`{ markets(limit: 1) { id `+strings.Repeat("@include(if: true) ", 10)+`} }`, nil), nil, 200, "GRAPHQL_VALIDATION_FAILED", ""},
		{"introspection nested 4 lists deep", "POST", "", json, gqlBody(`{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`, nil), nil, 200, "GRAPHQL_VALIDATION_FAILED", ""},
		{"depth bomb", "POST", "", json, gqlBody(`{ executive(id: "hugo-barra") { `+deep+` } }`, nil), nil, 200, "LIMIT_EXCEEDED", "depth"},
		{"complexity bomb", "POST", "", json, gqlBody(`{ companies { executives { executive { employers { company { markets { market { id } } } } } } } }`, nil), nil, 200, "LIMIT_EXCEEDED", "complexity"},
		{"11 root fields", "POST", "", json, gqlBody("{ "+strings.Repeat("markets(limit: 1) { id } ", 11)+"}", nil), nil, 200, "LIMIT_EXCEEDED", "rootFields"},
		{"3000 tokens", "POST", "", json, gqlBody("{ "+strings.Repeat("__typename ", 3000)+"}", nil), nil, 200, "LIMIT_EXCEEDED", "tokens"},
		{"a page of 101", "POST", "", json, gqlBody(`{ companies(limit: 101) { id } }`, nil), nil, 200, "BAD_USER_INPUT", ""},
		{"600 KiB of variables", "POST", "", json, gqlBody(`query($pad: String) { markets(limit: 1) { id } }`, bigVars), nil, 413, "LIMIT_EXCEEDED", "variablesBytes"},
		{"an oversized body", "POST", "", json, `{"query":"{ __typename }","pad":"` + secret + `"}`, nil, 413, "LIMIT_EXCEEDED", "bodyBytes"},
		{"a mutation as text/plain", "POST", "", "text/plain", gqlBody(mutation("probe-text"), nil), key, 415, "BAD_REQUEST", ""},
		{"a mutation as a form", "POST", "", "application/x-www-form-urlencoded", form, key, 415, "BAD_REQUEST", ""},
		{"a mutation as multipart", "POST", "", "multipart/form-data; boundary=b", multipart, key, 415, "BAD_REQUEST", ""},
		{"text/plain from another origin", "POST", "", "text/plain", gqlBody(mutation("probe-cross"), nil), evil, 403, "FORBIDDEN", ""},
		{"a mutation by GET", "GET", "?query=" + url.QueryEscape(mutation("probe-get")), "", "", key, 405, "BAD_REQUEST", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := a.statements()
			begin := time.Now()
			res := a.request(t, tt.method, tt.query, tt.ct, tt.body, tt.header...)
			took := time.Since(begin)
			if res.status != tt.status {
				t.Errorf("status %d, want %d: %.300s", res.status, tt.status, res.body)
			}
			code, limit := firstCode(t, res.body)
			if code != tt.code || limit != tt.limit {
				t.Errorf("code %q limit %q, want %q %q: %.300s", code, limit, tt.code, tt.limit, res.body)
			}
			if n := a.statements() - before; n != 0 {
				t.Errorf("%v Cypher statements sent for a refused request", n)
			}
			if strings.Contains(res.body, "do-not-echo") || strings.Contains(res.body, "xxxxxxxx") {
				t.Errorf("the request is echoed back: %.300s", res.body)
			}
			if took > 2*time.Second {
				t.Errorf("refused in %v", took)
			}
		})
	}
	if n := a.count(t, `MATCH (m:Market) WHERE m.id STARTS WITH "probe-" RETURN count(m)`); n != 0 {
		t.Errorf("%d probe markets were written", n)
	}
}

// GET queries from another origin: reads are public with CORS "*", so a
// page elsewhere may read them; with named origins, a browser on any other
// origin is not let read the answer. Either way GET never writes.
func TestGetFromAnotherOrigin(t *testing.T) {
	q := "?query=" + url.QueryEscape(`{ markets(limit: 1) { id } }`)
	open := hardened(t, nil)
	res := open.request(t, "GET", q, "", "", "Origin", "https://evil.example")
	if res.status != 200 || res.header.Get("Access-Control-Allow-Origin") != "*" || res.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("CORS *: %d %v %s", res.status, res.header, res.body)
	}
	named := hardened(t, func(c *config.Config) { c.CORSOrigins = []string{"https://app.example"} })
	res = named.request(t, "GET", q, "", "", "Origin", "https://evil.example")
	if acao := res.header.Get("Access-Control-Allow-Origin"); acao != "" {
		t.Errorf("an origin not named may read the answer: %q", acao)
	}
	res = named.request(t, "GET", q, "", "", "Origin", "https://app.example")
	if acao := res.header.Get("Access-Control-Allow-Origin"); acao != "https://app.example" {
		t.Errorf("the named origin may not read the answer: %q", acao)
	}
}

// GraphQL over HTTP: both media types, GET for queries, the right status.
func TestMediaTypesAndStatus(t *testing.T) {
	a := hardened(t, nil)
	body := gqlBody(`{ market(id: "india") { name } }`, nil)
	res := a.request(t, "POST", "", "application/json", body, "Accept", "application/graphql-response+json")
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "application/graphql-response+json") || !strings.Contains(res.body, `"name":"India"`) {
		t.Errorf("graphql-response+json: %d %v %s", res.status, res.header, res.body)
	}
	res = a.request(t, "POST", "", "application/json", body, "Accept", "application/json")
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
		t.Errorf("json: %d %v", res.status, res.header)
	}
	res = a.request(t, "GET", "?query="+url.QueryEscape(`{ market(id: "india") { name } }`), "", "")
	if res.status != 200 || !strings.Contains(res.body, `"name":"India"`) {
		t.Errorf("GET: %d %s", res.status, res.body)
	}
	res = a.request(t, "POST", "", "application/json", gqlBody(`{ market(id: "india") { nme } }`, nil), "Accept", "application/graphql-response+json")
	if res.status != 400 || strings.Contains(res.body, `"data"`) {
		t.Errorf("a validation error with graphql-response+json: %d %s", res.status, res.body)
	}
	// An error during execution is 200 with data, whatever the media type.
	res = a.request(t, "POST", "", "application/json", gqlBody(`{ market(id: "nowhere") { name } }`, nil), "Accept", "application/graphql-response+json")
	if code, _ := firstCode(t, res.body); res.status != 200 || code != "NOT_FOUND" || !strings.Contains(res.body, `"data"`) {
		t.Errorf("an execution error: %d %s", res.status, res.body)
	}
}

// Introspection and GraphiQL off, for production: the schema can be had
// neither from introspection, nor from /schema.graphql, nor from errors.
func TestIntrospectionOff(t *testing.T) {
	a := hardened(t, func(c *config.Config) { c.Introspection, c.Playground = false, false })
	res := a.request(t, "POST", "", "application/json", gqlBody(`{ __schema { queryType { name } } }`, nil))
	if code, _ := firstCode(t, res.body); code != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(res.body, "Query") {
		t.Errorf("introspection: %s", res.body)
	}
	res = a.request(t, "POST", "", "application/json", gqlBody(`{ __type(name: "Company") { fields { name } } }`, nil))
	if code, _ := firstCode(t, res.body); code != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(res.body, "executives") {
		t.Errorf("__type: %s", res.body)
	}
	res = a.request(t, "POST", "", "application/json", gqlBody(`{ compny(id: "xiaomi") { name } }`, nil))
	if strings.Contains(res.body, "Did you mean") || strings.Contains(res.body, `"company"`) {
		t.Errorf("suggestions: %s", res.body)
	}
	for _, path := range []string{"/schema.graphql", "/"} {
		if r := get(t, a.srv.URL+path); r.status != http.StatusNotFound {
			t.Errorf("%s: %d", path, r.status)
		}
	}
	var got struct{ Market struct{ Name string } }
	a.post(t, `{ market(id: "india") { name } }`, nil).data(t, &got)
	if got.Market.Name != "India" {
		t.Errorf("data: %+v", got)
	}
}

func sha(q string) string {
	sum := sha256.Sum256([]byte(q))
	return hex.EncodeToString(sum[:])
}

func persisted(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

// Automatic persisted queries: a hash alone, unknown, asks for the query;
// the query with its hash is kept; then the hash alone runs it, by POST or
// GET. The cache is bounded: the oldest query is forgotten.
func TestAutomaticPersistedQueries(t *testing.T) {
	a := hardened(t, func(c *config.Config) { c.APQCacheSize = 2 })
	send := func(query, hash string) httpResult {
		b := map[string]any{"extensions": persisted(hash)}
		if query != "" {
			b["query"] = query
		}
		return a.request(t, "POST", "", "application/json", jsonString(b))
	}
	q := []string{`{ market(id: "india") { name } }`, `{ market(id: "china") { name } }`, `{ market(id: "us") { name } }`}
	if code, _ := firstCode(t, send("", sha(q[0])).body); code != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("unknown hash: %s", code)
	}
	if r := send(q[0], sha(q[0])); !strings.Contains(r.body, `"India"`) {
		t.Fatalf("query with its hash: %s", r.body)
	}
	if r := send("", sha(q[0])); !strings.Contains(r.body, `"India"`) {
		t.Errorf("hash alone: %s", r.body)
	}
	ext := url.QueryEscape(jsonString(persisted(sha(q[0]))))
	if r := a.request(t, "GET", "?extensions="+ext, "", ""); r.status != 200 || !strings.Contains(r.body, `"India"`) {
		t.Errorf("hash alone by GET: %d %s", r.status, r.body)
	}
	if code, _ := firstCode(t, send(q[1], sha(q[0])).body); code != "BAD_USER_INPUT" {
		t.Errorf("a hash that is not the query's: %s", code)
	}
	send(q[1], sha(q[1]))
	send(q[2], sha(q[2]))
	if code, _ := firstCode(t, send("", sha(q[0])).body); code != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("the cache holds more than 2: %s", code)
	}
	// A query over a limit is refused and not kept.
	bomb := `{ companies { executives { executive { employers { company { markets { market { id } } } } } } } }`
	if _, limit := firstCode(t, send(bomb, sha(bomb)).body); limit != "complexity" {
		t.Errorf("bomb: %s", limit)
	}
	if code, _ := firstCode(t, send("", sha(bomb)).body); code != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("a refused query was kept: %s", code)
	}
}

// The allow-list: only registered operations run, by hash or by text;
// anything else is refused before any Cypher, and no client can register
// more through automatic persisted queries.
func TestPersistedQueriesAllowList(t *testing.T) {
	allowed := `query Market($id: ID!) { market(id: $id) { name } }`
	file := filepath.Join(t.TempDir(), "persisted.json")
	if err := os.WriteFile(file, []byte(jsonString(map[string]string{sha(allowed): allowed})), 0o600); err != nil {
		t.Fatal(err)
	}
	a := hardened(t, func(c *config.Config) { c.PersistedQueries = file })
	vars := map[string]any{"id": "india"}
	byHash := jsonString(map[string]any{"variables": vars, "extensions": persisted(sha(allowed))})
	if r := a.request(t, "POST", "", "application/json", byHash); !strings.Contains(r.body, `"India"`) {
		t.Errorf("by hash: %s", r.body)
	}
	if r := a.request(t, "POST", "", "application/json", gqlBody(allowed, vars)); !strings.Contains(r.body, `"India"`) {
		t.Errorf("by text: %s", r.body)
	}
	other := `{ market(id: "india") { name } }`
	before := a.statements()
	for name, body := range map[string]string{
		"another query":            gqlBody(other, nil),
		"another query, with hash": jsonString(map[string]any{"query": other, "extensions": persisted(sha(other))}),
		"an unknown hash":          jsonString(map[string]any{"extensions": persisted(sha(other))}),
		"introspection":            gqlBody(`{ __schema { queryType { name } } }`, nil),
	} {
		if code, _ := firstCode(t, a.request(t, "POST", "", "application/json", body).body); code != "PERSISTED_QUERY_NOT_IN_LIST" {
			t.Errorf("%s: %s", name, code)
		}
	}
	if n := a.statements() - before; n != 0 {
		t.Errorf("%v statements for refused operations", n)
	}
	// A list whose ids are not its queries' hashes is refused at start-up.
	os.WriteFile(file, []byte(`{"not-the-hash": "{ __typename }"}`), 0o600)
	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.PersistedQueries = file
	if _, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("a list whose ids are not the queries' hashes: %v", err)
	}
}

// A slow query is cancelled at the request's deadline in Neo4j too, and
// the client gets TIMEOUT; a uniqueness rule of Neo4j's the API does not
// define reaches the client as CONFLICT, with no driver text, Cypher or
// file path. Both
// on a private Neo4j: the slow query needs a dense graph of its own.
func TestDeadlineAndDatabaseErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own Neo4j")
	}
	neo := neo4jtest.New(t, "deadline-password")
	neo.Start()
	cfg := testConfig(t, neo.Conn)
	cfg.LoadSeed = false
	cfg.QueryTimeout = time.Second
	cfg.MaxFilterDepth = 12
	cfg.APIKeys = "ed:editor:" + auth.HashKey(editorKey)
	a := start(t, cfg, true)
	ctx := context.Background()

	// Every company is in every market: each nested "all" below visits
	// every relationship, 40^5 paths in all.
	if _, err := a.Client.Write(ctx, func(tx cgneo4j.Tx) (any, error) {
		return tx.Run(ctx, `UNWIND range(1, 40) AS i CREATE (:Company {id: 'dense-c' + i, name: 'C' + i, aliases: []})
			WITH collect(i) AS is UNWIND is AS j CREATE (:Market {id: 'dense-m' + j, name: 'M' + j, aliases: []})
			WITH 1 AS one MATCH (c:Company), (m:Market) CREATE (c)-[:IN_MARKET]->(m)`, nil)
	}); err != nil {
		t.Fatal(err)
	}
	cond := `name: { startsWith: "C" }`
	for hop := range 5 {
		if hop%2 == 0 {
			cond = `companies: { all: { company: { ` + cond + ` } } }`
		} else {
			cond = `markets: { all: { market: { ` + cond + ` } } }`
		}
	}
	slow := `{ markets(where: { ` + cond + ` }) { id } }`
	begin := time.Now()
	r := a.post(t, slow, nil)
	took := time.Since(begin)
	if code := r.code(t); code != "TIMEOUT" {
		t.Fatalf("code %q: %s", code, r.raw)
	}
	if took > 5*time.Second {
		t.Errorf("TIMEOUT after %v with a 1s deadline", took)
	}
	// Neo4j stopped the transaction: nothing of it still runs.
	deadline := time.Now().Add(5 * time.Second)
	for {
		recs, err := a.Client.ReadOne(ctx, `SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS 'NOT EXISTS' AND NOT currentQuery STARTS WITH 'SHOW' RETURN count(*)`, nil)
		if err != nil {
			t.Fatal(err)
		}
		if recs[0].Values[0].(int64) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the slow query still runs in Neo4j %v after TIMEOUT", time.Since(begin))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A uniqueness Neo4j enforces but the API does not know of: a
	// CONFLICT, though the driver's error names the constraint, the label
	// and the value, none of which the client sees.
	if _, err := a.Client.Write(ctx, func(tx cgneo4j.Tx) (any, error) {
		return tx.Run(ctx, `CREATE CONSTRAINT market_name_unique IF NOT EXISTS FOR (m:Market) REQUIRE m.name IS UNIQUE`, nil)
	}); err != nil {
		t.Fatal(err)
	}
	// With the default deadline: this part is about the error, not the time.
	cfg.QueryTimeout = 10 * time.Second
	a = start(t, cfg, false)
	r = a.postAs(t, editorKey, `mutation { createMarkets(input: [{id: "twin-1", name: "Twin"}, {id: "twin-2", name: "Twin"}]) { id } }`, nil)
	if code := r.code(t); code != "CONFLICT" || r.Errors[0].Message != "the write conflicts with data already in the graph" {
		t.Fatalf("%s", r.raw)
	}
	for _, leak := range []string{"Neo4jError", "Neo.ClientError", "Constraint", "already exists", "Twin", "CREATE", "MERGE", "UNWIND", ".go:", "/work/"} {
		if strings.Contains(r.raw, leak) {
			t.Errorf("the answer shows %q: %s", leak, r.raw)
		}
	}
	if n := a.count(t, `MATCH (m:Market) WHERE m.id STARTS WITH "twin-" RETURN count(m)`); n != 0 {
		t.Errorf("a failed create left %d markets", n)
	}
}
