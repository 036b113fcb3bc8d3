package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/companygraph/companygraph/graph"
	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/metrics"
)

// testLimits are the configuration's defaults (internal/config), with the
// default maximum page size.
var testLimits = Limits{
	MaxDepth: 10, MaxComplexity: 250_000, MaxAliases: 15, MaxRootFields: 10, MaxFields: 200, MaxTokens: 2000,
	MaxOperations: 1, MaxBodyBytes: 1 << 20, MaxVariablesBytes: 512 << 10, PageSize: 100,
}

// served is our schema without a database: the resolvers have no engine,
// so any operation that reaches one fails, and a test that wants to see an
// operation refused before execution sees it.
func served() graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}})
}

// nested is a query that nests list fields n times below companies.
func nested(n int) string {
	q := "id"
	for range n {
		q = "executives(limit: 1) { executive { employers(limit: 1) { company { " + q + " } } } }"
	}
	return "{ companies(limit: 1) { " + q + " } }"
}

func aliases(n int) string {
	var b strings.Builder
	b.WriteString(`{ company(id: "x") { `)
	for i := range n {
		fmt.Fprintf(&b, "a%d: name ", i)
	}
	return b.String() + "} }"
}

func repeated(field string, n int) string {
	return "{ company(id: \"x\") { " + strings.Repeat(field+" ", n) + "} }"
}

// fragmentBomb spreads each fragment twice in the next: 2^n fields once
// expanded, in a document of a few hundred tokens.
func fragmentBomb(n int) string {
	var b strings.Builder
	b.WriteString("query { company(id: \"x\") { ...F0 } }\nfragment F" + fmt.Sprint(n) + " on Company { id }\n")
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "fragment F%d on Company { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	return b.String()
}

func TestLimitsCheck(t *testing.T) {
	es := served()
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		limit string // "" passes
	}{
		{"small query", `{ company(id: "xiaomi") { name executives(limit: 5) { title executive { name } } } }`, nil, ""},
		{"depth at the limit", nested(1) + "", nil, ""},
		{"depth bomb", nested(4), nil, "depth"},
		{"15 aliases", aliases(15), nil, ""},
		{"101 aliases", aliases(101), nil, "aliases"},
		{"500 duplicated fields", repeated("name", 500), nil, "fields"},
		{"500 duplicated root fields", "{ " + strings.Repeat("__typename ", 500) + "}", nil, "rootFields"},
		{"11 root fields", "{ " + strings.Repeat("markets(limit: 1) { id } ", 11) + "}", nil, "rootFields"},
		{"lists multiply: 100 x 100 x 100", `{ companies { executives { executive { employers { company { id } } } } } }`, nil, "complexity"},
		{"lists multiply: 10 x 10 x 10", `{ companies(limit: 10) { events(limit: 10) { event { executives(limit: 10) { executive { id } } } } } }`, nil, ""},
		{"limit from a variable", `query($n: Int) { companies(limit: $n) { executives(limit: $n) { executive { employers(limit: $n) { title } } } } }`,
			map[string]any{"n": json.Number("100")}, "complexity"},
		{"same query, small limit", `query($n: Int) { companies(limit: $n) { executives(limit: $n) { executive { employers(limit: $n) { title } } } } }`,
			map[string]any{"n": json.Number("5")}, ""},
		{"connections multiply too", `{ companiesConnection { edges { node { executivesConnection { edges { node { executive { employers { title } } } } } } } } }`, nil, "complexity"},
		{"fragment bomb", fragmentBomb(40), nil, "fields"},
		{"tokens", "{ " + strings.Repeat("__typename ", 2001) + "}", nil, "tokens"},
		{"introspection is not data depth", `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }`, nil, ""},
		{"parse error is left to gqlgen", `{ company(id: "x") { name `, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shape, err := testLimits.Check(context.Background(), es, tt.query, "", tt.vars)
			got := ""
			if err != nil {
				got, _ = err.Fields["limit"].(string)
				if err.Code != "LIMIT_EXCEEDED" {
					t.Errorf("code %s", err.Code)
				}
			}
			if got != tt.limit {
				t.Errorf("refused by %q, want %q (%s): %v", got, tt.limit, shape, err)
			}
		})
	}
}

// The generic complexity: 1 per field, what a list selects times its page.
func TestComplexityFollowsPages(t *testing.T) {
	es := served()
	for _, tt := range []struct {
		query string
		want  int
	}{
		{`{ company(id: "x") { id name } }`, 3},
		{`{ companies(limit: 10) { id name } }`, 1 + 10*2},
		{`{ companies { id } }`, 1 + 100*1},
		// search's first defaults to 10 in the schema.
		{`{ search(query: "mi") { score } }`, 1 + 10*1},
		// edges are bounded by first: they do not multiply again.
		{`{ companiesConnection(first: 3) { totalCount edges { node { id } } } }`, 1 + 3*(1+1+(1+1))},
		{`{ companies(limit: 2) { executives(limit: 3) { title } } }`, 1 + 2*(1+3*1)},
		// A fragment counts at each spread.
		{`{ a: company(id: "x") { ...F } b: company(id: "y") { ...F } } fragment F on Company { id name }`, 2 * 3},
	} {
		shape, err := testLimits.Check(context.Background(), es, tt.query, "", nil)
		if err != nil || shape.Complexity != tt.want {
			t.Errorf("%s: complexity %d, want %d (%v)", tt.query, shape.Complexity, tt.want, err)
		}
	}
}

// A fragment bomb of 2^60 fields is measured in a walk over its
// fragments, not over its expansion.
func TestFragmentBombIsMeasuredQuickly(t *testing.T) {
	begin := time.Now()
	shape, err := testLimits.Check(context.Background(), served(), fragmentBomb(60), "", nil)
	if err == nil {
		t.Fatalf("not refused: %s", shape)
	}
	if took := time.Since(begin); took > 100*time.Millisecond {
		t.Errorf("took %v", took)
	}
}

// testHandler is the HTTP handler over the database-less schema.
func testHandler(t testing.TB, h Hardening) http.Handler {
	t.Helper()
	return New(Options{
		Schema: served(), Ready: func(context.Context) error { return nil }, Metrics: metrics.New(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), CORSOrigins: []string{"*"}, Hardening: h,
	})
}

func post(h http.Handler, contentType, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func body(query string) string {
	raw, _ := json.Marshal(map[string]any{"query": query})
	return string(raw)
}

func TestTransport(t *testing.T) {
	h := testHandler(t, Hardening{Limits: testLimits, Introspection: true, APQCacheSize: 10})
	big := `{"query":"{ __typename }","pad":"` + strings.Repeat("secret-", 200_000) + `"}`
	tests := []struct {
		name, contentType, body string
		header                  []string
		status                  int
		code                    string
	}{
		{"query", "application/json", body("{ __typename }"), nil, 200, ""},
		{"charset", "application/json; charset=utf-8", body("{ __typename }"), nil, 200, ""},
		{"text/plain", "text/plain", body("{ __typename }"), nil, 415, "BAD_REQUEST"},
		{"form", "application/x-www-form-urlencoded", "query=%7B__typename%7D", nil, 415, "BAD_REQUEST"},
		{"multipart", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n{ __typename }\r\n--x--\r\n", nil, 415, "BAD_REQUEST"},
		{"latin-1", "application/json; charset=iso-8859-1", body("{ __typename }"), nil, 415, "BAD_REQUEST"},
		{"too large", "application/json", big, nil, 413, "LIMIT_EXCEEDED"},
		{"not JSON", "application/json", `{"query": secret-body`, nil, 400, "BAD_REQUEST"},
		{"query of the wrong type", "application/json", `{"query": 1}`, nil, 400, "BAD_REQUEST"},
		{"no query", "application/json", `{}`, nil, 400, "BAD_REQUEST"},
		{"variables not an object", "application/json", `{"query":"{ __typename }","variables":[1]}`, nil, 400, "BAD_REQUEST"},
		{"batch of 10", "application/json", "[" + strings.Repeat(body("{ __typename }")+",", 9) + body("{ __typename }") + "]", nil, 400, "LIMIT_EXCEEDED"},
		{"validation error, json", "application/json", body("{ nope }"), nil, 200, "GRAPHQL_VALIDATION_FAILED"},
		{"validation error, graphql-response+json", "application/json", body("{ nope }"), []string{"Accept", "application/graphql-response+json"}, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"limit, graphql-response+json", "application/json", body(aliases(101)), []string{"Accept", "application/graphql-response+json"}, 400, "LIMIT_EXCEEDED"},
		{"not acceptable", "application/json", body("{ __typename }"), []string{"Accept", "text/html"}, 406, "BAD_REQUEST"},
		{"10 duplicated directives", "application/json", body(`{ __typename ` + strings.Repeat("@include(if: true) ", 10) + `}`), nil, 200, "GRAPHQL_VALIDATION_FAILED"},
		{"introspection 4 lists deep", "application/json", body(`{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`), nil, 200, "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := post(h, tt.contentType, tt.body, tt.header...)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			var resp struct {
				Data   *json.RawMessage `json:"data"`
				Errors []struct {
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatalf("not JSON: %s", rec.Body)
			}
			code := ""
			if len(resp.Errors) > 0 {
				code, _ = resp.Errors[0].Extensions["code"].(string)
			}
			if code != tt.code {
				t.Errorf("code %q, want %q: %s", code, tt.code, rec.Body)
			}
			if tt.code != "" && resp.Data != nil {
				t.Errorf("a request refused before execution has data: %s", rec.Body)
			}
			if strings.Contains(rec.Body.String(), "secret-") {
				t.Errorf("the body is echoed back: %.200s", rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/") || !strings.Contains(ct, "json") {
				t.Errorf("content type %q", ct)
			}
		})
	}
}

func TestBatch(t *testing.T) {
	l := testLimits
	l.MaxOperations = 3
	h := testHandler(t, Hardening{Limits: l, Introspection: true})
	rec := post(h, "application/json", "["+body("{ __typename }")+","+body("{ a: __typename }")+","+body("{ nope }")+"]")
	var got []map[string]any
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &got) != nil || len(got) != 3 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if fmt.Sprint(got[0]["data"]) != "map[__typename:Query]" || fmt.Sprint(got[1]["data"]) != "map[a:Query]" || got[2]["errors"] == nil {
		t.Errorf("answers: %s", rec.Body)
	}
	if rec := post(h, "application/json", "["+strings.Repeat(body("{ __typename }")+",", 3)+body("{ __typename }")+"]"); rec.Code != 400 {
		t.Errorf("a batch of 4: %d %s", rec.Code, rec.Body)
	}
}

func TestGet(t *testing.T) {
	h := testHandler(t, Hardening{Limits: testLimits, Introspection: true})
	get := func(q string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/graphql?query="+q, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := get("%7B__typename%7D"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"__typename":"Query"`) {
		t.Errorf("query: %d %s", rec.Code, rec.Body)
	}
	rec := get("mutation%7BcreateMarkets(input:%5B%7Bid:%22x%22,name:%22x%22%7D%5D)%7Bid%7D%7D")
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" {
		t.Errorf("mutation by GET: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

// With introspection off, neither introspection nor the SDL nor "Did
// you mean" gives the schema away.
func TestIntrospectionOff(t *testing.T) {
	h := testHandler(t, Hardening{Limits: testLimits, Introspection: false})
	for q, leak := range map[string]string{
		`{ __schema { types { name } } }`:                   "Company",
		`{ compny(id: "x") { name } }`:                      "company",
		`{ company(idd: "x") { name } }`:                    "Did you mean",
		`{ search(query: "x", types: [Compny]) { score } }`: "Company",
		`{ companies(where: {nme: {eq: "x"}}) { id } }`:     "Did you mean",
	} {
		rec := post(h, "application/json", body(q))
		if strings.Contains(rec.Body.String(), "Did you mean") || strings.Contains(rec.Body.String(), leak) {
			t.Errorf("%s: %s", q, rec.Body)
		}
		if !strings.Contains(rec.Body.String(), "GRAPHQL_VALIDATION_FAILED") {
			t.Errorf("%s: not refused: %s", q, rec.Body)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/schema.graphql", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("/schema.graphql: %d", rec.Code)
	}
	on := testHandler(t, Hardening{Limits: testLimits, Introspection: true})
	if rec := post(on, "application/json", body(`{ compny(id: "x") { name } }`)); !strings.Contains(rec.Body.String(), "Did you mean") {
		t.Errorf("with introspection on, suggestions help: %s", rec.Body)
	}
}

// Cross-origin POSTs that a browser sends without a preflight are refused
// by CrossOriginProtection before the transport; JSON ones with CORS "*"
// pass to it, and with named origins only those origins pass.
func TestCrossOrigin(t *testing.T) {
	open := testHandler(t, Hardening{Limits: testLimits, Introspection: true})
	evil := []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}
	if rec := post(open, "text/plain", body("{ __typename }"), evil...); rec.Code != http.StatusForbidden {
		t.Errorf("text/plain from another origin: %d %s", rec.Code, rec.Body)
	}
	if rec := post(open, "application/json", body("{ __typename }"), evil...); rec.Code != http.StatusOK {
		t.Errorf("JSON from another origin with CORS *: %d %s", rec.Code, rec.Body)
	}
	named := New(Options{
		Schema: served(), Ready: func(context.Context) error { return nil }, Metrics: metrics.New(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), CORSOrigins: []string{"https://app.example"},
		Hardening: Hardening{Limits: testLimits, Introspection: true},
	})
	if rec := post(named, "application/json", body("{ __typename }"), evil...); rec.Code != http.StatusForbidden {
		t.Errorf("JSON from an origin not named: %d %s", rec.Code, rec.Body)
	}
	if rec := post(named, "application/json", body("{ __typename }"), "Origin", "https://app.example", "Sec-Fetch-Site", "cross-site"); rec.Code != http.StatusOK {
		t.Errorf("JSON from a named origin: %d %s", rec.Code, rec.Body)
	}
}

// Refusing a bomb costs microseconds: the whole HTTP handler, from body
// to 200 with LIMIT_EXCEEDED, with no resolver and no Cypher.
func BenchmarkRefuseDepthBomb(b *testing.B) { benchRefusal(b, nested(30)) }

func BenchmarkRefuseAliasBomb(b *testing.B) { benchRefusal(b, aliases(1000)) }

func BenchmarkRefuseFragmentBomb(b *testing.B) { benchRefusal(b, fragmentBomb(60)) }

func BenchmarkRefuseDuplicatedFields(b *testing.B) { benchRefusal(b, repeated("name", 500)) }

func benchRefusal(b *testing.B, query string) {
	h := testHandler(b, Hardening{Limits: testLimits, Introspection: true})
	payload := body(query)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		rec := post(h, "application/json", payload)
		if !strings.Contains(rec.Body.String(), "LIMIT_EXCEEDED") {
			b.Fatalf("not refused: %s", rec.Body)
		}
	}
}
