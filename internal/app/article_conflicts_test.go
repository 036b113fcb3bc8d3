package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// fakeExtractor stands in for the extractor service (extractor/), in its
// wire format: POST /extract with {"text", "title"} answers {"facts",
// "english"}. It answers each article, known by its title, with the facts
// a test gives it, so a test can state exactly what the extractor got
// wrong; an unknown title is a failure of the service (500).
type fakeExtractor struct {
	srv *httptest.Server
	mu  sync.Mutex
	// by title
	answers map[string]extracted
	calls   map[string]int
}

type extracted struct {
	facts   []map[string]any
	english float64
	// gate, when set, holds the answer until every article of its
	// group has asked: their transactions then start together.
	gate *gate
	// delay is how long the extractor takes.
	delay time.Duration
}

func newFakeExtractor(t *testing.T) *fakeExtractor {
	t.Helper()
	f := &fakeExtractor{answers: map[string]extracted{}, calls: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Text, Title string }
		if r.URL.Path != "/extract" || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		a, ok := f.answers[req.Title]
		f.calls[req.Title]++
		f.mu.Unlock()
		if !ok {
			http.Error(w, "the model failed", http.StatusInternalServerError)
			return
		}
		if a.gate != nil {
			a.gate.pass()
		}
		time.Sleep(a.delay)
		facts := a.facts
		if facts == nil {
			facts = []map[string]any{}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"facts": facts, "english": a.english})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// answer makes the extractor read the article of this title as facts.
func (f *fakeExtractor) answer(title string, facts ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[title] = extracted{facts: facts, english: 1}
}

func (f *fakeExtractor) called(title string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[title]
}

// gate lets its n callers through together.
type gate struct {
	mu   sync.Mutex
	n    int
	open chan struct{}
}

func newGate(n int) *gate { return &gate{n: n, open: make(chan struct{})} }

func (g *gate) pass() {
	g.mu.Lock()
	if g.n--; g.n == 0 {
		close(g.open)
	}
	g.mu.Unlock()
	select {
	case <-g.open:
	case <-time.After(30 * time.Second): // a guard against a hang
	}
}

// entity is an entity fact as the extractor answers it.
func entity(key, id, name string, confidence float64, sentence string) map[string]any {
	body := map[string]any{"id": id, "name": name}
	if key != "event" {
		body["aliases"] = []any{}
	}
	return map[string]any{key: body, "sentences": []any{sentence}, "confidence": confidence, "rule": "test " + key}
}

// event is an event fact of a kind.
func event(id, name, kind, sentence string) map[string]any {
	f := entity("event", id, name, 0.7, sentence)
	f["event"].(map[string]any)["kind"] = kind
	return f
}

// relation is a relationship fact with the types the extractor read its ends as.
func relation(typ, from, fromType, to, toType, sentence string, props map[string]any) map[string]any {
	body := map[string]any{"type": typ, "from": from, "to": to}
	for k, v := range props {
		body[k] = v
	}
	return map[string]any{"relationship": body, "sentences": []any{sentence}, "confidence": 0.7, "rule": "test relationship",
		"fromType": fromType, "toType": toType}
}

// articleEditors is the API over the shared Neo4j, seeded, with the test
// keys and the fake extractor.
func articleEditors(t *testing.T, fake *fakeExtractor, edit func(*config.Config)) *api {
	t.Helper()
	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.APIKeys = fmt.Sprintf("ed:editor:%s,ad:admin:%s,rd:reader:%s", auth.HashKey(editorKey), auth.HashKey(adminKey), auth.HashKey(readerKey))
	cfg.ExtractorURL = fake.srv.URL
	if edit != nil {
		edit(&cfg)
	}
	return start(t, cfg, true)
}

// sentences splits a text of sentences that each end with ". ".
func sentences(text string) []string {
	var out []string
	for _, s := range strings.SplitAfter(text, ". ") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// outcomes are an answer's facts by index, as "OUTCOME" or "SKIPPED: reason".
func (a articleIngest) outcomes() []string {
	out := make([]string, len(a.Facts))
	for _, f := range a.Facts {
		out[f.Index] = f.Outcome
		if f.Reason != nil {
			out[f.Index] += ": " + *f.Reason
		}
	}
	return out
}

func sameOutcomes(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d facts, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("fact %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// An id the article, or the graph, holds as a type the fact cannot join
// costs that fact, and the relationships that hang on it, not the article.
func TestArticleConflicts(t *testing.T) {
	fake := newFakeExtractor(t)
	a := articleEditors(t, fake, nil)
	cleanUp(t, a, "conf-")
	nodes := func() int64 { return a.count(t, `MATCH (n) WHERE n.id STARTS WITH 'conf-' RETURN count(n)`) }
	ingest := func(t *testing.T, id, title, text string, dry bool) articleIngest {
		t.Helper()
		var got struct{ IngestArticle articleIngest }
		a.postAs(t, editorKey, ingestArticle, map[string]any{"src": map[string]any{"id": id, "title": title, "text": text}, "dry": dry}).data(t, &got)
		return got.IngestArticle
	}

	t.Run("one id read as a person and as a company", func(t *testing.T) {
		// The user's report: the extractor gave "Paytm" as an executive
		// and as a company under one id.
		text := "Confpay files for an IPO. Vijay Confsharma, chief executive of Confpay, said the IPO would raise $2 billion. Confpay said the listing would be the largest in India."
		s := sentences(text)
		fake.answer("Confpay files for an IPO",
			entity("executive", "conf-paytm", "Confpay", 0.6, s[1]),
			entity("company", "conf-paytm", "Confpay", 0.85, s[0]),
			entity("executive", "conf-vijay", "Vijay Confsharma", 0.8, s[1]),
			relation("WORKS_FOR", "conf-vijay", "Executive", "conf-paytm", "Company", s[1], map[string]any{"title": "chief executive"}),
			event("conf-ipo", "Confpay IPO", "IPO", s[0]),
			relation("PARTICIPATED_IN", "conf-paytm", "Company", "conf-ipo", "Event", s[0], map[string]any{"role": "issuer"}),
			relation("PARTICIPATED_IN", "conf-paytm", "Executive", "conf-ipo", "Event", s[2], map[string]any{"role": "announcer"}),
		)
		// The company is the fact the extractor is surer of: it keeps the id.
		personSkipped := `SKIPPED: id "conf-paytm" is already a Company in this article (fact 1)`
		want := []string{
			personSkipped, "CREATED", "CREATED", "CREATED", "CREATED", "CREATED",
			`SKIPPED: from: the Executive "conf-paytm" (fact 0) is skipped: ` + strings.TrimPrefix(personSkipped, "SKIPPED: "),
		}
		dry := ingest(t, "conf-paytm-ipo", "Confpay files for an IPO", text, true)
		sameOutcomes(t, dry.outcomes(), want)
		if n := nodes(); n != 0 {
			t.Fatalf("the dry run wrote %d nodes", n)
		}
		wet := ingest(t, "conf-paytm-ipo", "Confpay files for an IPO", text, false)
		sameOutcomes(t, wet.outcomes(), want)
		if wet.Created != 5 || wet.Skipped != 2 {
			t.Errorf("counts: %+v", wet)
		}

		var got struct {
			Node struct {
				Typename   string `json:"__typename"`
				Roles      []string
				Executives []struct{ Executive struct{ ID string } }
				Events     []struct {
					Role  string
					Event struct{ ID string }
				}
			}
		}
		a.post(t, `{ node(id: "conf-paytm") { __typename ... on Company { roles executives { executive { id } } events { role event { id } } } } }`, nil).data(t, &got)
		n := got.Node
		if n.Typename != "Company" || strings.Join(n.Roles, ",") != "Company" || len(n.Executives) != 1 || n.Executives[0].Executive.ID != "conf-vijay" ||
			len(n.Events) != 1 || n.Events[0].Role != "issuer" || n.Events[0].Event.ID != "conf-ipo" {
			t.Errorf("conf-paytm: %+v", n)
		}
		if c := a.count(t, `MATCH (n:Executive {id: 'conf-paytm'}) RETURN count(n)`); c != 0 {
			t.Errorf("%d executives conf-paytm", c)
		}
	})

	t.Run("ids the graph holds as another type, and the source's", func(t *testing.T) {
		a.postAs(t, editorKey, `mutation { createMarkets(input: [{id: "conf-brazil", name: "Brazil Confmarket"}]) { id } }`, nil).ok(t)
		text := "Confbrazil Holdings hired Ana Confsouza as chief executive. Confpay praised the appointment. Confhire is the name of the deal."
		s := sentences(text)
		fake.answer("Confbrazil hires",
			entity("company", "conf-brazil", "Confbrazil Holdings", 0.8, s[0]),
			entity("executive", "conf-ana", "Ana Confsouza", 0.8, s[0]),
			relation("WORKS_FOR", "conf-ana", "Executive", "conf-brazil", "Company", s[0], map[string]any{"title": "chief executive"}),
			// The graph holds Confpay as a company (the test above).
			entity("executive", "conf-paytm", "Confpay", 0.7, s[1]),
			event("conf-appointment", "Ana Confsouza appointed", "APPOINTMENT", s[0]),
			relation("PARTICIPATED_IN", "conf-paytm", "Executive", "conf-appointment", "Event", s[1], map[string]any{"role": "commentator"}),
			relation("PARTICIPATED_IN", "conf-ana", "Executive", "conf-appointment", "Event", s[0], map[string]any{"role": "appointee"}),
			entity("product", "conf-hire", "Confhire", 0.6, s[2]),
		)
		brazil := `id "conf-brazil" is already a Market in the graph`
		paytm := `id "conf-paytm" is already a Company in the graph`
		want := []string{
			"SKIPPED: " + brazil, "CREATED", `SKIPPED: to: the Company "conf-brazil" (fact 0) is skipped: ` + brazil,
			"SKIPPED: " + paytm, "CREATED", `SKIPPED: from: the Executive "conf-paytm" (fact 3) is skipped: ` + paytm, "CREATED",
			`SKIPPED: id "conf-hire" is this article's source`,
		}
		sameOutcomes(t, ingest(t, "conf-hire", "Confbrazil hires", text, true).outcomes(), want)
		sameOutcomes(t, ingest(t, "conf-hire", "Confbrazil hires", text, false).outcomes(), want)
		var got struct {
			Brazil, Paytm struct {
				Typename string `json:"__typename"`
			}
			Executive struct{ Events []struct{ Role string } }
		}
		a.post(t, `{ brazil: node(id: "conf-brazil") { __typename } paytm: node(id: "conf-paytm") { __typename }
		  executive(id: "conf-ana") { events { role } } }`, nil).data(t, &got)
		if got.Brazil.Typename != "Market" || got.Paytm.Typename != "Company" || len(got.Executive.Events) != 1 {
			t.Errorf("after: %+v", got)
		}
		if c := a.count(t, `MATCH (n {id: 'conf-brazil'}) WHERE n:Company OR n:Organization RETURN count(n)`); c != 0 {
			t.Errorf("the market became a company")
		}
	})

	t.Run("two articles writing one id as two types at once", func(t *testing.T) {
		// Each pair's transactions start together: the second to write the
		// id finds it taken, in the graph or by the uniqueness of ids,
		// and skips its fact; neither article fails.
		const pairs = 4
		for i := range pairs {
			id, name := fmt.Sprintf("conf-race-%d", i), fmt.Sprintf("Confrace%c", 'a'+i)
			text := name + " was named in a report. " + name + " spoke at a fair."
			s := sentences(text)
			g := newGate(2)
			fake.mu.Lock()
			fake.answers["race company "+id] = extracted{english: 1, gate: g, facts: []map[string]any{
				entity("company", id, name, 0.8, s[0]),
				event(id+"-report", name+" report", "APPOINTMENT", s[0]),
				relation("PARTICIPATED_IN", id, "Company", id+"-report", "Event", s[0], map[string]any{"role": "employer"}),
			}}
			fake.answers["race person "+id] = extracted{english: 1, gate: g, facts: []map[string]any{
				entity("executive", id, name, 0.8, s[1]),
				event(id+"-fair", name+" at a fair", "APPOINTMENT", s[1]),
				relation("PARTICIPATED_IN", id, "Executive", id+"-fair", "Event", s[1], map[string]any{"role": "speaker"}),
			}}
			fake.mu.Unlock()
		}
		for i := range pairs {
			id := fmt.Sprintf("conf-race-%d", i)
			var wg sync.WaitGroup
			answers := make([]response, 2)
			for j, kind := range []string{"company", "person"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					text := fmt.Sprintf("Confrace%c was named in a report. Confrace%c spoke at a fair.", 'a'+i, 'a'+i)
					answers[j] = a.postAs(t, editorKey, ingestArticle, map[string]any{"src": map[string]any{
						"id": id + "-" + kind, "title": "race " + kind + " " + id, "text": text}})
				}()
			}
			wg.Wait()
			written := 0
			for j, r := range answers {
				var got struct{ IngestArticle articleIngest }
				r.data(t, &got)
				o := got.IngestArticle.outcomes()
				switch {
				case o[0] == "CREATED" && o[2] == "CREATED":
					written++
				// The loser learns of the id either from the graph before its
				// write or from ingest's check after the retry, which names the
				// field: both say the id is taken.
				case strings.HasPrefix(o[0], "SKIPPED: ") && strings.Contains(o[0], `id "`+id+`" is already`) &&
					strings.Contains(o[2], "(fact 0) is skipped"):
				default:
					t.Errorf("%s, article %d: %v", id, j, o)
				}
			}
			if written != 1 {
				t.Errorf("%s: %d articles wrote it", id, written)
			}
			if c := a.count(t, `MATCH (n {id: '`+id+`'}) RETURN count(n)`); c != 1 {
				t.Errorf("%s: %d nodes", id, c)
			}
		}
	})

	t.Run("ingest refuses one id as two types, naming the first", func(t *testing.T) {
		r := a.postAs(t, editorKey, `mutation { ingest(source: {id: "conf-memo", title: "Memo", text: "Confmemo is a company."},
		  facts: [{company: {id: "conf-memo-co", name: "Confmemo"}, sentences: ["Confmemo is a company."]},
		          {executive: {id: "conf-memo-co", name: "Confmemo"}, sentences: ["Confmemo is a company."]}]) { created } }`, nil)
		if code := r.code(t); code != "BAD_USER_INPUT" || len(r.Errors) != 1 || r.Errors[0].Extensions["index"] != 1.0 ||
			!strings.Contains(r.Errors[0].Message, `id "conf-memo-co" is already a Company in this batch (fact 0)`) {
			t.Errorf("%s", r.raw)
		}
		if c := a.count(t, `MATCH (n) WHERE n.id STARTS WITH 'conf-memo' RETURN count(n)`); c != 0 {
			t.Errorf("a refused ingest wrote %d nodes", c)
		}
	})
}
