package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/app"
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// api is an App serving over a test HTTP server.
type api struct {
	*app.App
	srv *httptest.Server
}

func testConfig(t *testing.T, conn neo4jtest.Conn) config.Config {
	t.Helper()
	cfg, err := config.Load(nil, func(k string) string {
		switch k {
		case "NEO4J_URI":
			return conn.URI
		case "NEO4J_PASSWORD":
			return conn.Password
		case "NEO4J_RETRY_TIME":
			return "1s"
		case "COMPANYGRAPH_QUERY_TIMEOUT":
			// A guard against a hang: tests share two busy cores with
			// several servers, and those that test deadlines set their own.
			return "2m"
		}
		return ""
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func start(t *testing.T, cfg config.Config, prepare bool, opts ...app.Option) *api {
	t.Helper()
	a, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	if prepare {
		prepareApp(t, a)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &api{App: a, srv: srv}
}

// prepareApp prepares a as PrepareWhenUp does when the API starts: again
// after a failure the database may get over (tests that prepare at once
// on one server deadlock on its schema locks; a server that has just
// started, on a busy machine, may not answer yet), until it succeeds or
// a deadline set only against a hang.
func prepareApp(t *testing.T, a *app.App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		err := a.Prepare(ctx)
		if err == nil {
			return
		}
		if e, ok := apierror.As(err); !ok || e.Code != apierror.Unavailable || ctx.Err() != nil {
			t.Fatalf("prepare: %v", err)
		}
		t.Logf("prepare: %v; again in %v", err, wait)
		select {
		case <-ctx.Done():
			t.Fatalf("prepare: %v", err)
		case <-time.After(wait):
		}
	}
}

// seeded is the API over the shared Neo4j with the seed loaded.
func seeded(t *testing.T) *api {
	t.Helper()
	return start(t, testConfig(t, neo4jtest.Shared(t)), true)
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	raw    string
}

func (a *api) post(t *testing.T, query string, vars map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, raw: string(raw)}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response is not JSON (%d): %s", res.StatusCode, raw)
	}
	return r
}

// data decodes a successful response's data into v.
func (r response) data(t *testing.T, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatal(err)
	}
}

// ok fails the test if the response has errors.
func (r response) ok(t *testing.T) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.raw)
	}
}

func (r response) code(t *testing.T) string {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Fatalf("want an error, got %s", r.raw)
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	return code
}

func article(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../seed/sources/000_4657f6e3798185d7.txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

type evidence []struct {
	Sentence string `json:"sentence"`
	Source   struct {
		ID string `json:"id"`
	} `json:"source"`
}

// check fails unless every sentence is the article's own words, from the article.
func (e evidence) check(t *testing.T, text, what string) {
	t.Helper()
	if len(e) == 0 {
		t.Errorf("%s: no evidence", what)
	}
	for _, s := range e {
		if !strings.Contains(text, s.Sentence) || s.Source.ID != "000_4657f6e3798185d7" {
			t.Errorf("%s: evidence %q from %q is not the article's", what, s.Sentence, s.Source.ID)
		}
	}
}

func names(items []struct{ Name string }) string {
	var out []string
	for _, i := range items {
		out = append(out, i.Name)
	}
	return strings.Join(out, ", ")
}

func (a *api) statements() float64 { return testutil.ToFloat64(a.Metrics.CypherQueries) }

func jsonString(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
