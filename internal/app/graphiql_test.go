package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// Environment for the browser test; `make test` sets the first and
// installs what it needs.
const (
	// envRequireBrowser turns a missing Chromium, Node.js or GraphiQL build
	// into a failure instead of a skip, so `make test` cannot pass by skipping.
	envRequireBrowser = "COMPANYGRAPH_TEST_REQUIRE_BROWSER"
	// envChromium names the browser binary when it is not `chromium` on PATH.
	envChromium = "COMPANYGRAPH_TEST_CHROMIUM"
)

// browserOutput is where the browser test leaves its screenshot.
const browserOutput = "../../.test/browser"

func needBrowser(t *testing.T, why string) {
	t.Helper()
	if os.Getenv(envRequireBrowser) != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// browserReport is what web/test/graphiql.mjs saw in the page.
type browserReport struct {
	Requests         []string `json:"requests"`
	FailedRequests   []string `json:"failedRequests"`
	ConsoleErrors    []string `json:"consoleErrors"`
	PageErrors       []string `json:"pageErrors"`
	CSPViolations    []string `json:"cspViolations"`
	Title            string   `json:"title"`
	Query            string   `json:"query"`
	Tabs             []string `json:"tabs"`
	Examples         []string `json:"examples"`
	Headers          string   `json:"headers"`
	Response         string   `json:"response"`
	TabsAfterExample []string `json:"tabsAfterExample"`
	ExampleResponse  string   `json:"exampleResponse"`
	LoadedMs         int      `json:"loadedMs"`
	TotalMs          int      `json:"totalMs"`
}

// TestGraphiQLInBrowser opens GraphiQL in headless Chromium, as a person
// on a network without internet would: the page must load from the API
// alone, run its default query and show the answer, and open an example
// in one click.
func TestGraphiQLInBrowser(t *testing.T) {
	chromium := os.Getenv(envChromium)
	if chromium == "" {
		var err error
		if chromium, err = exec.LookPath("chromium"); err != nil {
			needBrowser(t, "chromium is not installed; `make chromium` installs it")
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		needBrowser(t, "node is not installed")
	}
	web, err := filepath.Abs("../../web")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(web, "node_modules", "playwright-core")); err != nil {
		needBrowser(t, "web/node_modules lacks playwright-core; `make web` installs it")
	}
	a := seeded(t)
	if page := get(t, a.srv.URL+"/"); page.status != http.StatusOK {
		needBrowser(t, "GraphiQL is not built into the API; `make web` builds it")
	}

	if err := os.MkdirAll(browserOutput, 0o755); err != nil {
		t.Fatal(err)
	}
	shot, err := filepath.Abs(filepath.Join(browserOutput, "graphiql.png"))
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(shot)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("test", "graphiql.mjs"), a.srv.URL+"/", chromium, shot)
	cmd.Dir = web
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("browser: %v\n%s\nscreenshot: %s", err, stderr.String(), shot)
	}
	took := time.Since(start)
	var r browserReport
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("browser report: %v\n%s", err, stdout.String())
	}
	t.Logf("browser: page ready in %dms, both queries answered in %dms, %s in all; screenshot %s",
		r.LoadedMs, r.TotalMs, took.Round(time.Millisecond), shot)

	// Nothing from elsewhere, nothing refused, nothing broken.
	for _, u := range r.Requests {
		if !strings.HasPrefix(u, a.srv.URL+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page loaded %s, which is not the API", u)
		}
	}
	for what, list := range map[string][]string{
		"failed request": r.FailedRequests, "console error": r.ConsoleErrors,
		"page error": r.PageErrors, "CSP violation": r.CSPViolations,
	} {
		for _, e := range list {
			t.Errorf("%s: %s", what, e)
		}
	}

	// Ready to use: the example in the default tab, headers with the
	// token's place, and the examples listed.
	if r.Title != "companygraph · GraphiQL" {
		t.Errorf("title %q", r.Title)
	}
	if !strings.HasPrefix(r.Query, "# Welcome to companygraph.") || !strings.Contains(r.Query, `event(id: "xiaomi-us-announcement")`) {
		t.Errorf("default tab's query:\n%s", r.Query)
	}
	if len(r.Tabs) != 1 || r.Tabs[0] != "WhoAnnouncedXiaomisUSEntry" {
		t.Errorf("tabs %q, want the announcement alone", r.Tabs)
	}
	if !strings.Contains(r.Headers, `"Authorization": "Bearer <token>"`) {
		t.Errorf("headers editor:\n%s", r.Headers)
	}
	if len(r.Examples) < 3 || r.Examples[0] != "Who announced Xiaomi's US entry, and where" {
		t.Errorf("examples %q", r.Examples)
	}

	// The answer, as the result pane shows it.
	for _, want := range []string{`"name": "Hugo Barra"`, `"place": "San Francisco, California"`} {
		if !strings.Contains(r.Response, want) {
			t.Errorf("result pane lacks %s:\n%s", want, r.Response)
		}
	}
	if want := []string{"WhoAnnouncedXiaomisUSEntry", "XiaomiPartners"}; strings.Join(r.TabsAfterExample, ",") != strings.Join(want, ",") {
		t.Errorf("tabs after one click on an example: %q, want %q", r.TabsAfterExample, want)
	}
	for _, want := range []string{`"name": "Flipkart"`, `"market": "India"`, `"exclusive": true`} {
		if !strings.Contains(r.ExampleResponse, want) {
			t.Errorf("example's result lacks %s:\n%s", want, r.ExampleResponse)
		}
	}

	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 20_000 {
		t.Errorf("screenshot %s: %d bytes, not a PNG of a page", shot, len(png))
	}
}

// /schema.graphql is the schema a client code generator can read, whether
// or not GraphiQL is on.
func TestSchemaFile(t *testing.T) {
	a := seeded(t)
	res := get(t, a.srv.URL+"/schema.graphql")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("%d %v", res.status, res.header)
	}
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: res.body})
	if err != nil {
		t.Fatalf("the SDL does not load: %v", err)
	}
	ev := s.Query.Fields.ForName("event")
	if ev == nil || ev.Type.String() != "Event" || s.Types["Event"].Fields.ForName("executives") == nil {
		t.Errorf("the SDL lacks Query.event or Event.executives")
	}
	if strings.Contains(res.body, "@relationship") || strings.Contains(res.body, "@node") {
		t.Error("the SDL shows the Neo4j mapping directives")
	}

	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.Playground = false
	off := start(t, cfg, false)
	if res := get(t, off.srv.URL+"/"); res.status != http.StatusNotFound {
		t.Errorf("GraphiQL off: / answered %d", res.status)
	}
	if res := get(t, off.srv.URL+"/schema.graphql"); res.status != http.StatusOK {
		t.Errorf("GraphiQL off: /schema.graphql answered %d", res.status)
	}
}
