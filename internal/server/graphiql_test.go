package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/companygraph/companygraph/internal/metrics"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func serve(h http.Handler, target string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestGraphiQLBuilt(t *testing.T) {
	const page = `<!doctype html><script defer src="graphiql/main-ABC.js"></script>`
	mux := http.NewServeMux()
	mountGraphiQL(mux, fstest.MapFS{
		"README.md":             {Data: []byte("not served")},
		"index.html":            {Data: []byte(page)},
		"assets/main-ABC.js":    {Data: []byte("console.log(1)")},
		"assets/main-ABC.js.gz": {Data: gzipped(t, "console.log(1)")},
		"assets/codicon-X.ttf":  {Data: []byte("font")},
		"assets/nested/x.js":    {Data: []byte("x")},
	}, discard)

	tests := []struct {
		name, target, encoding     string
		status                     int
		body, contentType, encoded string
		cacheControl               string
	}{
		{name: "page", target: "/", status: 200, body: page, contentType: "text/html; charset=utf-8", cacheControl: "no-cache"},
		{name: "script", target: "/graphiql/main-ABC.js", status: 200, body: "console.log(1)",
			contentType: "text/javascript; charset=utf-8", cacheControl: "public, max-age=31536000, immutable"},
		{name: "script, gzip", target: "/graphiql/main-ABC.js", encoding: "br, gzip", status: 200, body: "console.log(1)", encoded: "gzip",
			contentType: "text/javascript; charset=utf-8", cacheControl: "public, max-age=31536000, immutable"},
		{name: "gzip refused", target: "/graphiql/main-ABC.js", encoding: "gzip;q=0", status: 200, body: "console.log(1)",
			contentType: "text/javascript; charset=utf-8", cacheControl: "public, max-age=31536000, immutable"},
		{name: "font", target: "/graphiql/codicon-X.ttf", status: 200, body: "font", contentType: "font/ttf",
			cacheControl: "public, max-age=31536000, immutable"},
		{name: "nested", target: "/graphiql/nested/x.js", status: 200, body: "x", contentType: "text/javascript; charset=utf-8",
			cacheControl: "public, max-age=31536000, immutable"},
		{name: "no listing", target: "/graphiql/", status: 404},
		{name: "no folder", target: "/graphiql/nested", status: 404},
		{name: "no gzip file by name", target: "/graphiql/main-ABC.js.gz", status: 404},
		{name: "missing", target: "/graphiql/main-OLD.js", status: 404},
		{name: "page only at /", target: "/index.html", status: 404},
		{name: "not outside assets", target: "/graphiql/README.md", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(mux, tt.target, map[string]string{"Accept-Encoding": tt.encoding})
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != 200 {
				return
			}
			h := rec.Header()
			body := rec.Body.String()
			if got := h.Get("Content-Encoding"); got != tt.encoded {
				t.Errorf("Content-Encoding %q, want %q", got, tt.encoded)
			}
			if tt.encoded == "gzip" {
				r, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				raw, err := io.ReadAll(r)
				if err != nil {
					t.Fatal(err)
				}
				body = string(raw)
			}
			if body != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			for k, want := range map[string]string{
				"Content-Type":            tt.contentType,
				"Cache-Control":           tt.cacheControl,
				"Content-Security-Policy": graphiqlCSP,
				"X-Content-Type-Options":  "nosniff",
				"X-Frame-Options":         "DENY",
				"Referrer-Policy":         "no-referrer",
			} {
				if got := h.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
		})
	}
}

// The policy must keep the page to its own origin: no CDN, no eval, no
// inline script, no framing.
func TestGraphiQLCSP(t *testing.T) {
	directives := map[string]string{}
	for _, d := range strings.Split(graphiqlCSP, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	for name, want := range map[string]string{
		"default-src":     "'none'",
		"script-src":      "'self'",
		"connect-src":     "'self'",
		"worker-src":      "'self'",
		"frame-ancestors": "'none'",
		"base-uri":        "'none'",
		"form-action":     "'none'",
	} {
		if got := directives[name]; got != want {
			t.Errorf("%s %q, want %q", name, got, want)
		}
	}
	for name, value := range directives {
		if strings.Contains(value, "http") || strings.Contains(value, "*") || strings.Contains(value, "unsafe-eval") {
			t.Errorf("%s allows %q", name, value)
		}
	}
}

func TestGraphiQLNotBuilt(t *testing.T) {
	mux := http.NewServeMux()
	mountGraphiQL(mux, fstest.MapFS{"README.md": {Data: []byte("build me")}}, discard)
	rec := serve(mux, "/", nil)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "make web") {
		t.Errorf("/: %d %s", rec.Code, rec.Body)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); csp != graphiqlCSP {
		t.Errorf("CSP %q", csp)
	}
	if rec := serve(mux, "/graphiql/main.js", nil); rec.Code != http.StatusNotFound {
		t.Errorf("asset: %d", rec.Code)
	}
}

func TestPlaygroundSwitch(t *testing.T) {
	for _, on := range []bool{true, false} {
		h := New(Options{Schema: stubSchema(t), Metrics: metrics.New(), Logger: discard, Playground: on, Hardening: Hardening{Introspection: true}})
		page := serve(h, "/", nil)
		if !on && page.Code != http.StatusNotFound {
			t.Errorf("GraphiQL off: / answered %d", page.Code)
		}
		// 503 is the page of a binary built without `make web`.
		if on && page.Code != http.StatusOK && page.Code != http.StatusServiceUnavailable {
			t.Errorf("GraphiQL on: / answered %d", page.Code)
		}
		if on && page.Header().Get("Content-Security-Policy") != graphiqlCSP {
			t.Errorf("GraphiQL on: / without its CSP: %v", page.Header())
		}
		if sdl := serve(h, "/schema.graphql", nil); sdl.Code != http.StatusOK {
			t.Errorf("playground=%t: /schema.graphql answered %d", on, sdl.Code)
		}
	}
}

// The binary's own embed holds a page that names assets it also holds,
// when `make web` has run; without it, only the README.
func TestEmbeddedBuild(t *testing.T) {
	mux := http.NewServeMux()
	mountGraphiQL(mux, graphiqlBuild(), discard)
	page := serve(mux, "/", nil)
	if page.Code == http.StatusServiceUnavailable {
		t.Skip("GraphiQL is not built; `make web` builds it")
	}
	refs := 0
	for _, part := range strings.Split(page.Body.String(), `"`) {
		if !strings.HasPrefix(part, "graphiql/") {
			continue
		}
		refs++
		if rec := serve(mux, "/"+part, nil); rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Errorf("the page names %s, which answers %d", part, rec.Code)
		}
	}
	if refs < 2 {
		t.Errorf("the page names %d assets, want a script and a stylesheet:\n%s", refs, page.Body)
	}
}
