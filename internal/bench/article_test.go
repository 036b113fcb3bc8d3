package bench

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/companygraph/companygraph/graph/generated"
)

func TestBuildArticle(t *testing.T) {
	news := []newsArticle{
		{File: "a.json", Title: "First", Text: "one two\n\nthree four five"},
		{File: "b.json", Title: "Second", Text: "six seven\n\n\n\neight"},
	}
	for _, c := range []struct {
		name     string
		minWords int
		want     benchArticle
	}{
		{"the paragraph that reaches the length ends it", 3,
			benchArticle{Title: "First", Text: "one two\n\nthree four five", Words: 5, Paragraphs: 2, From: []string{"a.json"}, Last: 2}},
		{"exactly the length", 5,
			benchArticle{Title: "First", Text: "one two\n\nthree four five", Words: 5, Paragraphs: 2, From: []string{"a.json"}, Last: 2}},
		{"the next file, in part, its title not taken", 6,
			benchArticle{Title: "First", Text: "one two\n\nthree four five\n\nsix seven", Words: 7, Paragraphs: 3, From: []string{"a.json", "b.json"}, Last: 1}},
		{"empty paragraphs are left out", 8,
			benchArticle{Title: "First", Text: "one two\n\nthree four five\n\nsix seven\n\neight", Words: 8, Paragraphs: 4, From: []string{"a.json", "b.json"}, Last: 2}},
	} {
		got, err := buildArticle(news, c.minWords)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	if _, err := buildArticle(news, 9); err == nil {
		t.Error("9 words from 8: want an error")
	}
}

// TestNewsArticle builds the benchmark's article from the news dev set:
// at least 700 words, ending with the paragraph that reaches them, the
// files' texts word for word in the order of their names.
func TestNewsArticle(t *testing.T) {
	dir := filepath.Join("..", "..", "extractor", "testdata", "news")
	news, err := readNews(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := buildArticle(news, articleWords)
	if err != nil {
		t.Fatal(err)
	}
	words := len(strings.Fields(a.Text))
	paragraphs := strings.Split(a.Text, "\n\n")
	last := len(strings.Fields(paragraphs[len(paragraphs)-1]))
	if words != a.Words || words < articleWords || words-last >= articleWords || len(paragraphs) != a.Paragraphs {
		t.Errorf("%d words in %d paragraphs (said %d in %d), the last of %d words", words, len(paragraphs), a.Words, a.Paragraphs, last)
	}
	var whole []string
	for i, f := range a.From {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		var n newsArticle
		if err := json.Unmarshal(b, &n); err != nil {
			t.Fatal(err)
		}
		if i == 0 && a.Title != n.Title {
			t.Errorf("title %q, want the first article's, %q", a.Title, n.Title)
		}
		whole = append(whole, n.Text)
	}
	if !strings.HasPrefix(strings.Join(whole, "\n\n"), a.Text) {
		t.Errorf("the article is not %v's texts one after the other", a.From)
	}
	if a.From[0] != news[0].File {
		t.Errorf("the article starts with %s, not the first file, %s", a.From[0], news[0].File)
	}
}

// TestArticleRequests sends each series once more than once to a fake API
// and extractor: every ingestArticle names a source of its own, with the
// article as it was built, and validates against the schema; the
// extractor gets what internal/extract sends it, without the API key.
func TestArticleRequests(t *testing.T) {
	a := benchArticle{Title: "Walmart buys Flipkart", Text: "Walmart agreed to buy 77% of Flipkart.\n\nDoug McMillon said so."}
	type seen struct {
		path, auth string
		body       map[string]any
	}
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(b, &body); err != nil {
			t.Error(err)
		}
		mu.Lock()
		got = append(got, seen{r.URL.Path, r.Header.Get("Authorization"), body})
		mu.Unlock()
		w.Write([]byte(`{"data":{}}`))
	}))
	defer srv.Close()
	c, err := newArticleClient(srv.URL+"/graphql", srv.URL+"/extract", "Bearer k", 1, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{seriesIngest, seriesIngest, seriesDryRun, seriesExtract} {
		if _, err := c.send(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	s := generated.NewExecutableSchema(generated.Config{}).Schema()
	doc, errs := gqlparser.LoadQuery(s, articleDoc)
	if errs != nil {
		t.Fatal(errs)
	}
	ids := map[string]bool{}
	for i, g := range got[:3] {
		vars, _ := g.body["variables"].(map[string]any)
		if _, err := validator.VariableValues(s, doc.Operations[0], vars); err != nil {
			t.Errorf("request %d: %v", i, err)
		}
		src, _ := vars["source"].(map[string]any)
		id, _ := src["id"].(string)
		ids[id] = true
		if g.path != "/graphql" || g.auth != "Bearer k" || src["text"] != a.Text || src["title"] != a.Title || vars["dryRun"] != (i == 2) || strings.Contains(id, freshMark) {
			t.Errorf("request %d: %s %q %v", i, g.path, g.auth, vars)
		}
	}
	if len(ids) != 3 {
		t.Errorf("want three source ids, got %v", ids)
	}
	if x := got[3]; x.path != "/extract" || x.auth != "" || !reflect.DeepEqual(x.body, map[string]any{"text": a.Text, "title": a.Title}) {
		t.Errorf("extractor request: %s %q %v", x.path, x.auth, x.body)
	}
}

// TestCountLoop checks that the clients send the number of requests asked
// for in all, and count the failures apart.
func TestCountLoop(t *testing.T) {
	var calls atomic.Int64
	do := func(context.Context) error {
		if calls.Add(1)%5 == 0 {
			return errors.New("every fifth fails")
		}
		return nil
	}
	res := countLoop(context.Background(), do, 3, 20, &watcher{}, 0)
	if calls.Load() != 20 || res.Requests != 16 || res.Errors != 4 || res.FirstError != "every fifth fails" || len(res.latencies) != 16 {
		t.Errorf("%d calls: %d requests, %d errors (%q)", calls.Load(), res.Requests, res.Errors, res.FirstError)
	}
}

func TestPick(t *testing.T) {
	ops := []*Op{{Key: "by-id"}, {Key: "ingest"}}
	for _, c := range []struct {
		keys    []string
		want    []string
		article bool
	}{
		{nil, []string{"by-id", "ingest"}, true},
		{[]string{articleKey}, nil, true},
		{[]string{"ingest", articleKey}, []string{"ingest"}, true},
		{[]string{"by-id"}, []string{"by-id"}, false},
	} {
		got, article, err := pick(ops, c.keys)
		var keys []string
		for _, o := range got {
			keys = append(keys, o.Key)
		}
		if err != nil || !reflect.DeepEqual(keys, c.want) || article != c.article {
			t.Errorf("%v: %v, article %v, %v", c.keys, keys, article, err)
		}
	}
	if _, _, err := pick(ops, []string{"nope"}); err == nil {
		t.Error("an unknown key: want an error")
	}
}

// TestArticleReport renders an article run alone, as -ops article prints
// it: the goal's verdict, the extractor's share, one row per cell.
func TestArticleReport(t *testing.T) {
	cell := func(series string, latencies ...time.Duration) *articleCell {
		res := &Result{System: series, Op: articleKey, Concurrency: 1, Clients: 1, Requests: len(latencies), Elapsed: 10 * time.Second, latencies: latencies,
			CPU: CPU{Server: 1, Neo4j: 1}}
		return &articleCell{Result: res, Series: series, Extractor: 2}
	}
	run := &articleRun{
		article: benchArticle{Text: "x", Words: 708, Paragraphs: 23, From: []string{"a.json", "b.json"}, Last: 7},
		cells: []*articleCell{
			cell(seriesIngest, 800*time.Millisecond, 900*time.Millisecond, 1200*time.Millisecond, 1300*time.Millisecond),
			cell(seriesExtract, 400*time.Millisecond, 450*time.Millisecond, 500*time.Millisecond, 600*time.Millisecond),
		},
		requests: 4, rounds: 2,
	}
	r := &report{cfg: Config{Size: "S"}, article: run}
	text := r.render()
	for _, want := range []string{
		"a.json, b.json (its first 7 paragraphs)",
		"in under 1 s p50 at concurrency 1: **missed** (p50 1200 ms, p90 1300 ms)",
		"its p50 alone is 0.42 of ingestArticle's, and it used 50% of the CPU time",
		"| ingestArticle | 1 | 4 | 0.40 | 1200 | 1300 | 1300 | 0 | 250.00 | 500.00 | 250.00 | 0.00 |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("want %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, "### Concurrency") {
		t.Errorf("an article run alone has no tables of the workload:\n%s", text)
	}
}
