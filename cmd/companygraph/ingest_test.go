package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/intake"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// envRunMain makes the test binary run main itself: the tests run
// `companygraph ingest-articles` as a process, its exit status included.
const envRunMain = "COMPANYGRAPH_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) != "" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const editorKey = "ingest-articles-editor-key"

// ingestExtractor stands in for the extractor service, in its wire
// format: it answers each article, known by its title, with the facts
// given, English below one half for "Climarché", and fails on any other.
func ingestExtractor(t *testing.T) string {
	t.Helper()
	fact := func(key string, body map[string]any, sentence string) map[string]any {
		return map[string]any{key: body, "sentences": []string{sentence}, "confidence": 0.8, "rule": "test"}
	}
	answers := map[string][]map[string]any{
		"Climart opens": {
			fact("company", map[string]any{"id": "clim-mart", "name": "Climart", "aliases": []string{}}, "Climart opened a store."),
			fact("executive", map[string]any{"id": "clim-rosa", "name": "Rosa Climova", "aliases": []string{}}, "Rosa Climova runs it."),
			{"relationship": map[string]any{"type": "WORKS_FOR", "from": "clim-rosa", "to": "clim-mart", "title": "chief executive"},
				"sentences": []string{"Rosa Climova runs it."}, "confidence": 0.7, "rule": "test", "fromType": "Executive", "toType": "Company"},
		},
		// One id read as a company and a person: the person is skipped.
		"Clipay IPO": {
			fact("company", map[string]any{"id": "clim-pay", "name": "Clipay", "aliases": []string{}}, "Clipay files for an IPO."),
			fact("executive", map[string]any{"id": "clim-pay", "name": "Clipay", "aliases": []string{}}, "Clipay said so."),
		},
		"Climbank opens": {
			fact("company", map[string]any{"id": "clim-bank", "name": "Climbank", "aliases": []string{}}, "Climbank opened."),
		},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Title string }
		json.NewDecoder(r.Body).Decode(&req)
		facts, ok := answers[req.Title]
		english := 1.0
		switch {
		case req.Title == "Climarché":
			facts, english = []map[string]any{}, 0.1
		case !ok:
			http.Error(w, "the model failed", http.StatusInternalServerError)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"facts": facts, "english": english})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// ingestAPI runs the program as an API, as main does, with an editor's
// key, the stand-in extractor and at most two articles a request, and
// returns its GraphQL endpoint.
func ingestAPI(t *testing.T) string {
	t.Helper()
	addr, stop, done := serveWith(t, map[string]string{
		"COMPANYGRAPH_API_KEYS":      "ed:editor:" + auth.HashKey(editorKey),
		"COMPANYGRAPH_EXTRACTOR_URL": ingestExtractor(t),
		"COMPANYGRAPH_MAX_ARTICLES":  "2",
		"COMPANYGRAPH_QUERY_TIMEOUT": "2m",
	})
	t.Cleanup(func() { stop(); <-done })
	waitReady(t, addr, done)
	// Its own ids, deleted when the test ends.
	conn := neo4jtest.Shared(t)
	t.Cleanup(func() {
		c, err := neo4j.Open(neo4j.Options{URI: conn.URI, Username: "neo4j", Password: conn.Password})
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		ctx := context.Background()
		if _, err := c.Write(ctx, func(tx neo4j.Tx) (any, error) {
			return tx.Run(ctx, `MATCH (n) WHERE n.id STARTS WITH 'clim-' DETACH DELETE n`, nil)
		}); err != nil {
			t.Error(err)
		}
	})
	return "http://" + addr + "/graphql"
}

// runIngest runs `companygraph ingest-articles ARGS` as a process and
// returns its stdout's JSON lines, its stderr and its exit status.
func runIngest(t *testing.T, args ...string) ([]intake.Outcome, string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"ingest-articles"}, args...)...)
	cmd.Env = append(os.Environ(), envRunMain+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var out []intake.Outcome
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if line == "" {
			continue
		}
		var o intake.Outcome
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("stdout line %q: %v", line, err)
		}
		out = append(out, o)
	}
	return out, stderr.String(), code
}

func writeLines(t *testing.T, lines ...string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "articles.jsonl")
	if err := os.WriteFile(name, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

type articleSummary struct {
	Created, Skipped int
	DryRun           bool
	Facts            []struct{ Outcome, Reason string }
}

func summary(t *testing.T, o intake.Outcome) articleSummary {
	t.Helper()
	var s articleSummary
	if err := json.Unmarshal(o.Article, &s); err != nil {
		t.Fatalf("line %d: article %s: %v", o.Line, o.Article, err)
	}
	return s
}

// `companygraph ingest-articles FILE` against the API: one JSON line per
// line of the file, in its order; a malformed line reported with its
// number and the others sent; exit status 1 when any line failed; the
// same file again writes nothing twice.
func TestIngestArticlesCommand(t *testing.T) {
	url := ingestAPI(t)
	climart := `{"id": "clim-a", "title": "Climart opens", "text": "Climart opened a store. Rosa Climova runs it.", "url": "https://news.example/clim-a", "published": "2021-07-15"}`
	clipay := `{"id": "clim-p", "title": "Clipay IPO", "text": "Clipay files for an IPO. Clipay said so."}`
	climbank := `{"id": "clim-b", "title": "Climbank opens", "text": "Climbank opened."}`
	file := writeLines(t,
		climart,
		`{"id": "clim-fr", "title": "Climarché", "text": "Le groupe a annoncé mardi l'acquisition de la chaîne."}`,
		`{"id": "clim-broken", "title": "Broken`,
		``,
		clipay,
		`{"id": "clim-x", "title": "Climart opens", "text": "Climart opened a store.", "author": "Someone"}`,
		`{"title": "No id", "text": "Climart opened a store."}`,
	)
	out, stderr, code := runIngest(t, "-url", url, "-api-key", editorKey, "-batch", "2", file)
	if code != 1 {
		t.Errorf("exit status %d, want 1; stderr:\n%s", code, stderr)
	}
	var lines []int
	for _, o := range out {
		lines = append(lines, o.Line)
	}
	if got := jsonOf(lines); got != "[1,2,3,5,6,7]" {
		t.Fatalf("outcomes of lines %s: %+v", got, out)
	}
	if o := out[0]; !o.OK || o.ID != "clim-a" || o.AlreadyIngested || summary(t, o).Created != 3 {
		t.Errorf("line 1: %+v", o)
	}
	if o := out[1]; o.OK || o.Error == nil || o.Error.Code != "UNSUPPORTED_LANGUAGE" {
		t.Errorf("line 2: %+v", o)
	}
	for _, o := range []intake.Outcome{out[2], out[4], out[5]} {
		if o.OK || o.Error == nil || o.Error.Code != intake.MalformedLine || !strings.HasPrefix(o.Error.Message, "line ") {
			t.Errorf("line %d: %+v", o.Line, o)
		}
	}
	if !strings.Contains(out[4].Error.Message, `unknown field "author"`) || !strings.Contains(out[5].Error.Message, "an id is required") {
		t.Errorf("malformed lines: %+v, %+v", out[4].Error, out[5].Error)
	}
	if o := out[3]; !o.OK || summary(t, o).Skipped != 1 || !strings.Contains(summary(t, o).Facts[1].Reason, `id "clim-pay" is already a Company in this article (fact 0)`) {
		t.Errorf("line 5: %+v", o)
	}
	// Progress and the malformed lines on stderr: not a terminal, so
	// plain lines.
	for _, want := range []string{"2/3 articles\n", "3/3 articles\n", "line 3: ", "line 6: ", "line 7: ", "4 of the lines failed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr has no %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "\r") {
		t.Errorf("progress written over in place on a file:\n%q", stderr)
	}

	// Again, with a new article: what is in is not written again. Three
	// articles in one request are more than the API takes: the command
	// sends them in halves.
	out, stderr, code = runIngest(t, "-url", url, "-api-key", editorKey, "-batch", "3", writeLines(t, climart, clipay, climbank))
	if code != 0 || len(out) != 3 {
		t.Fatalf("exit status %d, %+v; stderr:\n%s", code, out, stderr)
	}
	if !out[0].OK || !out[0].AlreadyIngested || out[0].Article != nil || !out[1].AlreadyIngested || !out[2].OK || out[2].AlreadyIngested || summary(t, out[2]).Created != 1 {
		t.Errorf("again: %+v", out)
	}

	// A dry run writes nothing; a key the API does not know fails every
	// article with its code.
	out, _, code = runIngest(t, "-url", url, "-api-key", editorKey, "-dry-run", writeLines(t, `{"id": "clim-dry", "title": "Climbank opens", "text": "Climbank opened."}`))
	if code != 0 || len(out) != 1 || !summary(t, out[0]).DryRun {
		t.Errorf("dry run: %d %+v", code, out)
	}
	out, _, code = runIngest(t, "-url", url, "-api-key", "not-a-key", writeLines(t, climbank))
	if code != 1 || len(out) != 1 || out[0].Error == nil || out[0].Error.Code != "UNAUTHENTICATED" {
		t.Errorf("a bad key: %d %+v", code, out)
	}
	if _, stderr, code := runIngest(t, "-url", url); code != 2 || !strings.Contains(stderr, "usage:") {
		t.Errorf("no file: %d %s", code, stderr)
	}

	// On a terminal the progress line is written over in place.
	var progress, stdout bytes.Buffer
	sum, err := intake.Run(context.Background(), strings.NewReader(climart+"\n"+clipay+"\n"), intake.Options{
		URL: url, APIKey: editorKey, Batch: 1, Out: &stdout, Progress: &progress, Terminal: true,
	})
	if err != nil || sum.Articles != 2 || sum.Failed != 0 || progress.String() != "\r1/2 articles\r2/2 articles\n" {
		t.Errorf("%+v %v, progress %q", sum, err, progress.String())
	}
}

func jsonOf(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
