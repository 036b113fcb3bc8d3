package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHandler sends arbitrary bodies, with each content type a client or
// an attacker might use, to the GraphQL endpoint over the database-less
// schema (resolvers that reach for the engine panic, and the recover
// function turns that into INTERNAL). Whatever comes in, the answer is
// JSON with errors or data, its status is one the transport gives, it
// never echoes the body, and it never shows a panic, a Go file or a stack.
// The seed corpus runs in `go test`; `go test -fuzz FuzzHandler` explores.
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
	} {
		f.Add([]byte(seed), uint8(0))
	}
	contentTypes := []string{"application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/graphql-response+json"}
	h := testHandler(f, Hardening{Limits: testLimits, Introspection: true, APQCacheSize: 16})
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
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
		var one struct {
			Data   json.RawMessage `json:"data"`
			Errors []any           `json:"errors"`
		}
		var many []json.RawMessage
		if json.Unmarshal(out, &one) != nil && json.Unmarshal(out, &many) != nil {
			t.Fatalf("neither a response nor a batch of them: %s", out)
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
