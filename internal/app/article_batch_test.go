package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/config"
)

const ingestArticles = `mutation($srcs: [SourceInput!]!, $dry: Boolean) { ingestArticles(sources: $srcs, dryRun: $dry) {
  index source alreadyIngested
  article { source dryRun created matched unchanged skipped facts { index outcome id fact confidence rule matchedBy reason } } } }`

type batchOutcome struct {
	Index           int
	Source          string
	AlreadyIngested bool
	Article         *articleIngest
}

// batch sends sources to ingestArticles and returns the outcomes, and
// the code of each article's error by its index.
func batch(t *testing.T, a *api, dry bool, srcs ...map[string]any) ([]batchOutcome, map[int]string) {
	t.Helper()
	r := a.postAs(t, editorKey, ingestArticles, map[string]any{"srcs": srcs, "dry": dry})
	var got struct{ IngestArticles []batchOutcome }
	if err := json.Unmarshal(r.Data, &got); err != nil || len(got.IngestArticles) != len(srcs) {
		t.Fatalf("%d outcomes of %d: %s", len(got.IngestArticles), len(srcs), r.raw)
	}
	codes := map[int]string{}
	for _, e := range r.Errors {
		if len(e.Path) != 3 || e.Path[0] != "ingestArticles" || e.Path[2] != "article" {
			t.Fatalf("an error not at an article: %s", r.raw)
		}
		code, _ := e.Extensions["code"].(string)
		codes[int(e.Path[1].(float64))] = code
	}
	for i, o := range got.IngestArticles {
		if o.Index != i || o.Source != srcs[i]["id"] {
			t.Errorf("outcome %d: %+v", i, o)
		}
		if _, failed := codes[i]; failed && o.Article != nil || !failed && (o.Article == nil) != o.AlreadyIngested {
			t.Errorf("outcome %d: %+v with error %q", i, o, codes[i])
		}
	}
	return got.IngestArticles, codes
}

// A batch of articles: each in its own transaction, one that fails
// answered with its code in its place and the others written; an article
// the graph holds with the same text is neither read nor written again.
func TestIngestArticles(t *testing.T) {
	fake := newFakeExtractor(t)
	a := articleEditors(t, fake, func(c *config.Config) { c.MaxArticles = 5 })
	cleanUp(t, a, "batch-")
	src := func(id, title, text string) map[string]any {
		return map[string]any{"id": id, "title": title, "text": text, "url": "https://news.example/" + id, "published": "2021-07-15"}
	}
	changesOf := func(source string) int64 {
		return a.count(t, `MATCH (c:Change) WHERE c.source = '`+source+`' RETURN count(c)`)
	}

	textA := "Batchmart opened a store in Batchland. Its chief executive Rosa Batchova opened it."
	sa := sentences(textA)
	fake.answer("Batchmart opens",
		entity("company", "batch-mart", "Batchmart", 0.8, sa[0]),
		entity("executive", "batch-rosa", "Rosa Batchova", 0.8, sa[1]),
		relation("WORKS_FOR", "batch-rosa", "Executive", "batch-mart", "Company", sa[1], map[string]any{"title": "chief executive"}),
	)
	// The user's report, in a batch: one id read as a person and a company.
	textP := "Batchpay files for an IPO. Batchpay said so."
	sp := sentences(textP)
	fake.answer("Batchpay IPO",
		entity("company", "batch-pay", "Batchpay", 0.8, sp[0]),
		entity("executive", "batch-pay", "Batchpay", 0.5, sp[1]),
	)
	fake.mu.Lock()
	fake.answers["Batchmarché"] = extracted{english: 0.1}
	fake.mu.Unlock()
	first := []map[string]any{
		src("batch-a", "Batchmart opens", textA),
		src("batch-fr", "Batchmarché", "Le groupe a annoncé mardi l'acquisition de la chaîne."),
		src("batch-down", "The extractor fails on this one", "Batchfail bought Batchother."),
		src("batch-p", "Batchpay IPO", textP),
		src("batch-empty", "Nothing", " "),
	}

	t.Run("one outcome per article, failures in their place", func(t *testing.T) {
		got, codes := batch(t, a, false, first...)
		want := map[int]string{1: "UNSUPPORTED_LANGUAGE", 2: "EXTRACTOR_UNAVAILABLE", 4: "BAD_USER_INPUT"}
		if fmt.Sprint(codes) != fmt.Sprint(want) {
			t.Errorf("codes %v, want %v", codes, want)
		}
		if art := got[0].Article; art == nil || art.Created != 3 || art.DryRun || got[0].AlreadyIngested {
			t.Errorf("article a: %+v", got[0])
		}
		if art := got[3].Article; art == nil {
			t.Errorf("article p: %+v", got[3])
		} else {
			sameOutcomes(t, art.outcomes(), []string{"CREATED", `SKIPPED: id "batch-pay" is already a Company in this article (fact 0)`})
		}
		var s struct {
			Source struct {
				URL, Published string
				Companies      []struct{ ID string }
			}
		}
		a.post(t, `{ source(id: "batch-a") { url published companies { id } } }`, nil).data(t, &s)
		if s.Source.URL != "https://news.example/batch-a" || s.Source.Published != "2021-07-15" || len(s.Source.Companies) != 1 {
			t.Errorf("source batch-a: %+v", s.Source)
		}
		if n := a.count(t, `MATCH (s:Source {id: 'batch-a', textSha256: '`+sha(textA)+`'}) RETURN count(s)`); n != 1 {
			t.Errorf("the source does not record its text's sha256")
		}
		if n := a.count(t, `MATCH (n) WHERE n.id IN ['batch-fr', 'batch-down', 'batch-empty'] RETURN count(n)`); n != 0 {
			t.Errorf("a failed article wrote %d nodes", n)
		}
	})

	t.Run("again: what is in is not read or written again", func(t *testing.T) {
		calls, changes := fake.called("Batchmart opens")+fake.called("Batchpay IPO"), changesOf("batch-a")+changesOf("batch-p")
		got, codes := batch(t, a, false, first...)
		for _, i := range []int{0, 3} {
			if !got[i].AlreadyIngested || got[i].Article != nil {
				t.Errorf("article %d: %+v", i, got[i])
			}
		}
		if len(codes) != 3 {
			t.Errorf("codes: %v", codes)
		}
		if c := fake.called("Batchmart opens") + fake.called("Batchpay IPO"); c != calls {
			t.Errorf("the extractor read them again: %d calls, then %d", calls, c)
		}
		if c := changesOf("batch-a") + changesOf("batch-p"); c != changes {
			t.Errorf("%d changes more", c-changes)
		}
		// A dry run says what a write would do: nothing.
		got, _ = batch(t, a, true, first[0])
		if !got[0].AlreadyIngested {
			t.Errorf("dry run: %+v", got[0])
		}
	})

	t.Run("new text is read again", func(t *testing.T) {
		text := textA + " Batchmart said so."
		got, codes := batch(t, a, false, src("batch-a", "Batchmart opens", text))
		// Its facts are the graph's already, matched by id.
		if len(codes) != 0 || got[0].AlreadyIngested || got[0].Article == nil || got[0].Article.Created != 0 || got[0].Article.Skipped != 0 {
			t.Errorf("%+v %v", got[0], codes)
		}
		if n := a.count(t, `MATCH (s:Source {id: 'batch-a', textSha256: '`+sha(text)+`'}) RETURN count(s)`); n != 1 {
			recs, _ := a.Client.ReadOne(context.Background(), `MATCH (s:Source {id: 'batch-a'}) RETURN s.textSha256, s.text`, nil)
			t.Errorf("the source's hash is not the new text's: %v, want %s", recs[0].Values, sha(text))
		}
	})

	t.Run("the same article twice in one batch, and dry runs", func(t *testing.T) {
		text := "Batchcorp hired Tom Batchley. Tom Batchley is its chief executive."
		s := sentences(text)
		fake.answer("Batchcorp hires",
			entity("company", "batch-corp", "Batchcorp", 0.8, s[0]),
			entity("executive", "batch-tom", "Tom Batchley", 0.8, s[0]),
			relation("WORKS_FOR", "batch-tom", "Executive", "batch-corp", "Company", s[1], map[string]any{"title": "chief executive"}),
		)
		c := src("batch-c", "Batchcorp hires", text)
		got, _ := batch(t, a, true, c, c)
		for _, o := range got {
			if o.AlreadyIngested || o.Article == nil || !o.Article.DryRun || o.Article.Created != 3 {
				t.Errorf("dry run: %+v", o)
			}
		}
		if n := a.count(t, `MATCH (n) WHERE n.id IN ['batch-c', 'batch-corp', 'batch-tom'] RETURN count(n)`); n != 0 {
			t.Errorf("a dry run wrote %d nodes", n)
		}
		got, _ = batch(t, a, false, c, c)
		if got[0].Article == nil || got[0].Article.Created != 3 || !got[1].AlreadyIngested {
			t.Errorf("twice: %+v, %+v", got[0], got[1])
		}
		if n := fake.called("Batchcorp hires"); n != 3 {
			t.Errorf("the extractor read it %d times, want 3", n)
		}
	})

	t.Run("bounds", func(t *testing.T) {
		six := []map[string]any{}
		for i := range 6 {
			six = append(six, src(fmt.Sprintf("batch-six-%d", i), "Batchmart opens", textA))
		}
		r := a.postAs(t, editorKey, ingestArticles, map[string]any{"srcs": six})
		if code := r.code(t); code != "LIMIT_EXCEEDED" || r.Errors[0].Extensions["limit"] != "articles" || r.Errors[0].Extensions["max"] != 5.0 {
			t.Errorf("six articles: %s", r.raw)
		}
		if code := a.postAs(t, editorKey, ingestArticles, map[string]any{"srcs": []any{}}).code(t); code != "BAD_USER_INPUT" {
			t.Errorf("no articles: %s", code)
		}
		if code := a.postAs(t, readerKey, ingestArticles, map[string]any{"srcs": first[:1]}).code(t); code != "FORBIDDEN" {
			t.Errorf("a reader: %s", code)
		}
		if n := a.count(t, `MATCH (n) WHERE n.id STARTS WITH 'batch-six' RETURN count(n)`); n != 0 {
			t.Errorf("wrote %d nodes", n)
		}
	})

	t.Run("a batch starts no article past its time", func(t *testing.T) {
		slow := articleEditors(t, fake, func(c *config.Config) { c.QueryTimeout = time.Second })
		fake.mu.Lock()
		fake.answers["Batchslow"] = extracted{english: 1, delay: 1500 * time.Millisecond}
		fake.mu.Unlock()
		got, codes := batch(t, slow, false, src("batch-slow", "Batchslow", "Batchslow takes its time."), src("batch-later", "Batchmart opens", textA))
		if got[0].Article == nil || codes[0] != "" || codes[1] != "TIMEOUT" {
			t.Errorf("%+v %v", got, codes)
		}
		if n := fake.called("Batchslow"); n != 1 {
			t.Errorf("the slow article was read %d times", n)
		}
	})

	t.Run("the answer of each article is ingestArticle's", func(t *testing.T) {
		text := "Batchone hired Ann Batchford. Ann Batchford is its chief executive."
		s := sentences(text)
		fake.answer("Batchone hires",
			entity("company", "batch-one", "Batchone", 0.8, s[0]),
			entity("executive", "batch-ann", "Ann Batchford", 0.8, s[0]),
			relation("WORKS_FOR", "batch-ann", "Executive", "batch-one", "Company", s[1], map[string]any{"title": "chief executive"}),
		)
		one := src("batch-one-article", "Batchone hires", text)
		got, _ := batch(t, a, true, one)
		var single struct{ IngestArticle articleIngest }
		a.postAs(t, editorKey, ingestArticle, map[string]any{"src": one, "dry": true}).data(t, &single)
		if jsonString(got[0].Article) != jsonString(single.IngestArticle) {
			t.Errorf("batch:  %s\nsingle: %s", jsonString(got[0].Article), jsonString(single.IngestArticle))
		}
		if !strings.Contains(jsonString(single.IngestArticle), `"WORKS_FOR"`) {
			t.Errorf("%s", jsonString(single.IngestArticle))
		}
	})
}
