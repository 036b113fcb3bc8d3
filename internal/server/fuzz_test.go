package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/companygraph/companygraph/graph"
	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/graph/model"
	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/changes"
	"github.com/companygraph/companygraph/internal/kg"
	"github.com/companygraph/companygraph/internal/metrics"
	"github.com/companygraph/companygraph/internal/mutation"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

// FuzzHandler sends arbitrary bodies, with each content type a client or
// an attacker might use, to the GraphQL endpoint of the whole API (query
// engine, mutations, knowledge-graph fields, an admin caller) over a
// database that refuses every connection: each operation is parsed,
// validated, coerced and compiled as in production and then fails with
// DATABASE_UNAVAILABLE, the same way every time. Whatever comes in, the
// answer is JSON with errors or data, its status is one the transport
// gives, every error has an extensions.code, no resolver panics (a panic
// is INTERNAL to the client and "panic in resolver" in the log), and the
// answer never echoes the body nor shows a panic, a Go file or a stack.
// The seed corpus and testdata/fuzz/FuzzHandler run in `go test`;
// `make fuzz` explores.
func FuzzHandler(f *testing.F) {
	for _, seed := range []string{
		`{"query":"{ __typename }"}`,
		`{"query":"{ company(id: \"xiaomi\") { name } }"}`,
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":5}}`,
		`{"query":"mutation { createMarkets(input: [{id: \"x\", name: \"x\"}]) { id } }"}`,
		`[{"query":"{ __typename }"},{"query":"{ a: __typename }"}]`,
		`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`,
		`{"query":"{ __schema { types { fields { type { fields { name } } } } } }"}`,
		`{"query":"{ x`,
		`{"query":null,"variables":[]}`,
		`not json at all`,
		`{"query":"{ a: __typename b: __typename }","operationName":7}`,
		"",

		// Variables and literals of the wrong or an edge-case type. GraphQL
		// coerces an Int into an ID and refuses the rest before execution.
		// An ID given as an integer: as a variable, and as literals in a
		// filter, in a node lookup and in the knowledge-graph fields.
		`{"query":"query($id: ID!) { company(id: $id) { id } }","variables":{"id":42}}`,
		`{"query":"query($id: ID!) { company(id: $id) { id } }","variables":{"id":-0}}`,
		`{"query":"query($id: ID!) { node(id: $id) { id } }","variables":{"id":9007199254740993}}`,
		`{"query":"{ company(id: 42) { id name } }"}`,
		`{"query":"{ companies(where: {id: {eq: 42}}) { id } }"}`,
		`{"query":"{ companies(where: {id: {in: [1, 2, \"three\"]}, NOT: {id: {ne: 0}}}) { id } }"}`,
		`{"query":"query($w: CompanyWhere) { companies(where: $w) { id } }","variables":{"w":{"id":{"eq":42}}}}`,
		`{"query":"query($w: CompanyWhere) { companies(where: $w) { id } }","variables":{"w":{"id":{"in":[42,43]},"OR":[{"id":{"eq":7}}]}}}`,
		`{"query":"query($w: CompanyWhere) { companies(where: $w) { id } }","variables":{"w":{"id":{"eq":{"nested":1}}}}}`,
		`{"query":"query($w: CompanyWhere) { companies(where: $w) { id } }","variables":{"w":{"id":"xiaomi"}}}`,
		`{"query":"{ path(from: 1, to: 2) { length } }"}`,
		`{"query":"query($id: ID!) { neighborhood(id: $id) { nodes { id } } }","variables":{"id":42}}`,
		`{"query":"{ facts(source: 7) { source { id } } }"}`,
		// Floats where an Int goes.
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":1.5}}`,
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":2.0}}`,
		`{"query":"{ companies(limit: 1.5) { id } }"}`,
		`{"query":"{ companiesConnection(first: 2.0) { edges { node { id } } } }"}`,
		`{"query":"query($f: Int) { companiesConnection(first: $f) { edges { node { id } } } }","variables":{"f":2.0}}`,
		`{"query":"query($f: Int) { companiesConnection(first: $f) { edges { node { id } } } }","variables":{"f":1e0}}`,
		// Nulls for optional and required variables, and null literals.
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":null}}`,
		`{"query":"query($id: ID!) { company(id: $id) { id } }","variables":{"id":null}}`,
		`{"query":"query($id: ID!) { company(id: $id) { id } }","variables":{}}`,
		`{"query":"query($w: CompanyWhere) { companies(where: $w) { id } }","variables":{"w":null}}`,
		`{"query":"query($w: CompanyWhere) { companies(where: $w) { id } }","variables":{"w":{"id":null,"AND":null,"NOT":null}}}`,
		`{"query":"{ companies(where: {id: {eq: null}}, limit: null, offset: null) { id } }"}`,
		`{"query":"{ company(id: null) { id } }"}`,
		// Numbers too large for an Int (or for an int64 and a float64).
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":1e30}}`,
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":9223372036854775808}}`,
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":-9223372036854775809}}`,
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":9223372036854775807}}`,
		`{"query":"query($n: Int) { companies(offset: $n) { id } }","variables":{"n":-9223372036854775808}}`,
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":1e400}}`,
		`{"query":"{ companies(limit: 9223372036854775808) { id } }"}`,
		`{"query":"{ companies(offset: -9223372036854775809) { id } }"}`,
		`{"query":"{ companiesConnection(first: 2147483648) { edges { node { id } } } }"}`,
		`{"query":"query($id: ID!) { company(id: $id) { id } }","variables":{"id":1e30}}`,
		`{"query":"query($id: ID!) { company(id: $id) { id } }","variables":{"id":9223372036854775808}}`,
		`{"query":"{ company(id: 9223372036854775808) { id } }"}`,
		`{"query":"{ events(where: {unitsSold: {gt: 9223372036854775808}}) { id } }"}`,
		`{"query":"query($w: EventWhere) { events(where: $w) { id } }","variables":{"w":{"unitsSold":{"gte":1e30,"lt":-9223372036854775809}}}}`,
		// Strings, booleans, lists and objects where an Int goes.
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":"5"}}`,
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":true}}`,
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":[5]}}`,
		`{"query":"query($n: Int) { companies(limit: $n) { id } }","variables":{"n":{"n":5}}}`,
		`{"query":"{ companies(limit: \"5\") { id } }"}`,
		`{"query":"query($w: EventWhere) { events(where: $w) { id } }","variables":{"w":{"unitsSold":{"eq":"many","in":[1,"2"]}}}}`,
		`{"query":"query($w: EventWhere) { events(where: $w) { id } }","variables":{"w":{"unitsSold":{"in":[1.5]}}}}`,
		// Mutations with integer ids, as literals and as variables.
		`{"query":"mutation { ingest(source: {id: 42, title: \"t\", text: \"x\"}, facts: [{company: {id: 43, name: \"C\"}, sentences: [\"x\"]}]) { created matched } }"}`,
		`{"query":"mutation { ingest(source: {id: \"s\", title: \"t\", text: \"x\"}, facts: [{market: {id: 44}, sentences: [\"x\"]}, {relationship: {type: IN_MARKET, from: 43, to: 44}, sentences: [\"x\"]}]) { created matched } }"}`,
		`{"query":"mutation($s: SourceInput!, $f: [FactInput!]!) { ingest(source: $s, facts: $f) { created matched } }","variables":{"s":{"id":42,"title":"t","text":"x"},"f":[{"company":{"id":43},"sentences":["x"]}]}}`,
		`{"query":"mutation($s: SourceInput!, $f: [FactInput!]!) { ingest(source: $s, facts: $f) { created matched } }","variables":{"s":{"id":"s","title":7},"f":[{"sentences":[1]}]}}`,
		`{"query":"mutation { createMarkets(input: [{id: 43, name: \"M\"}]) { id } }"}`,
		`{"query":"mutation($in: [MarketInput!]!) { createMarkets(input: $in) { id } }","variables":{"in":[{"id":43,"name":"M"}]}}`,
		`{"query":"mutation($in: [MarketInput!]!) { createMarkets(input: $in) { id } }","variables":{"in":{"id":43,"name":"M"}}}`,
		`{"query":"mutation($in: [MarketInput!]!) { createMarkets(input: $in) { id } }","variables":{"in":[{"id":1e30,"name":null}]}}`,
		`{"query":"mutation { updateMarkets(where: {id: {eq: 43}}, set: {name: \"N\"}) { id } }"}`,
		`{"query":"mutation($w: MarketWhere!) { deleteMarkets(where: $w) { nodesDeleted } }","variables":{"w":{"id":{"in":[43,44]}}}}`,
	} {
		f.Add([]byte(seed), uint8(0))
	}
	contentTypes := []string{"application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/graphql-response+json"}
	var log syncBuffer
	h := fuzzHandler(f, &log)
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		log.Reset()
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentTypes[int(ct)%len(contentTypes)])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		out := rec.Body.Bytes()
		if !json.Valid(out) {
			t.Fatalf("not JSON: %q", out)
		}
		type response struct {
			Data   json.RawMessage `json:"data"`
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		var one response
		var many []response
		if json.Unmarshal(out, &one) == nil {
			many = []response{one}
		} else if json.Unmarshal(out, &many) != nil {
			t.Fatalf("neither a response nor a batch of them: %s", out)
		}
		for _, r := range many {
			for _, e := range r.Errors {
				if code, _ := e.Extensions["code"].(string); code == "" {
					t.Fatalf("an error without extensions.code: %s", out)
				}
			}
		}
		if logged := log.String(); strings.Contains(logged, "panic in resolver") {
			t.Fatalf("a resolver panicked; the client got: %s\nthe log:\n%s", out, logged)
		}
		s := string(out)
		for _, leak := range []string{".go:", "goroutine ", "panic", "runtime error", "nil pointer"} {
			// Validation errors quote the query's own names, which may hold anything.
			if strings.Contains(s, leak) && !bytes.Contains(body, []byte(leak)) {
				t.Fatalf("the answer shows %q: %s", leak, s)
			}
		}
		if len(body) >= 24 && bytes.Contains(out, body) {
			t.Fatalf("the answer echoes the body: %s", s)
		}
	})
}

// fuzzHandler assembles the API as internal/app does, with an admin
// caller and a Neo4j address that accepts connections and resets them at
// once, so every statement fails fast as DATABASE_UNAVAILABLE. Its log
// goes to log. What a resolver does after its first statement (inside a
// write transaction, say) is out of the fuzzer's reach; the integration
// tests cover it.
func fuzzHandler(t testing.TB, log *syncBuffer) http.Handler {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			// A reset leaves no TIME_WAIT behind: fuzzing opens many.
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}
	}()
	client, err := neo4j.Open(neo4j.Options{URI: "bolt://" + ln.Addr().String(), Username: "neo4j", Password: "refused", Database: "neo4j"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(context.Background()) })

	resolver := &graph.Resolver{}
	schema := generated.NewExecutableSchema(generated.Config{
		Resolvers:  resolver,
		Directives: generated.DirectiveRoot{Auth: auth.Directive[model.Role]},
	})
	limits := query.Limits{MaxPageSize: testLimits.PageSize, MaxFilterDepth: 6}
	engine, err := query.NewEngine(schema.Schema(), client, query.Options{Timeout: 5 * time.Second, Limits: limits, Authorize: auth.Field})
	if err != nil {
		t.Fatal(err)
	}
	if resolver.KG, err = kg.New(schema.Schema(), client, kg.Options{Timeout: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	resolver.Feed = changes.New(client, resolver.KG, changes.Options{Timeout: 5 * time.Second})
	resolver.Live = changes.Live{Log: resolver.Feed}
	writes := mutation.New(engine.Mapping(), resolver.Feed, mutation.Options{Timeout: 5 * time.Second, Limits: limits, MaxBatch: 1000})
	admin := &auth.Principal{Name: "fuzz", Role: auth.Admin}
	return New(Options{
		Schema: engine.Serve(schema, writes), Ready: func(context.Context) error { return nil },
		Metrics: metrics.New(), Logger: slog.New(slog.NewTextHandler(log, nil)), CORSOrigins: []string{"*"},
		Hardening: Hardening{Limits: testLimits, Introspection: true, APQCacheSize: 16},
		Authenticate: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), admin)))
			})
		},
	})
}

// syncBuffer is a log that the resolvers of one request, running in
// goroutines of their own, may write to at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}
