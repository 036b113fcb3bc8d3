package app_test

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/config"
)

// envRequireExtractor turns a missing extractor environment into a
// failure instead of a skip; `make test` sets it after `make extractor-env`.
const envRequireExtractor = "COMPANYGRAPH_TEST_REQUIRE_EXTRACTOR"

// startExtractor runs the extractor service (extractor/, with the Python
// of .data/extractor) on a free port until the test ends, and returns its URL.
func startExtractor(t *testing.T) string {
	t.Helper()
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	python := filepath.Join(root, ".data", "extractor", "bin", "python")
	if _, err := os.Stat(python); err != nil {
		why := python + " is missing: `make extractor-env` installs it"
		if os.Getenv(envRequireExtractor) != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, python, "-m", "companygraph_extractor.server", "--addr", "127.0.0.1:0")
	cmd.Dir = filepath.Join(root, "extractor")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	// It prints its address once the model is loaded and it listens.
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		t.Fatalf("the extractor did not start: %q %v", line, err)
	}
	return "http://" + addr
}

type articleFact struct {
	Index      int
	Outcome    string
	ID         string
	Fact       map[string]any
	Confidence float64
	Rule       string
	MatchedBy  *string
	Reason     *string
}

type articleIngest struct {
	Source                               string
	DryRun                               bool
	Created, Matched, Unchanged, Skipped int
	Facts                                []articleFact
}

const ingestArticle = `mutation($src: SourceInput!, $dry: Boolean) { ingestArticle(source: $src, dryRun: $dry) {
  source dryRun created matched unchanged skipped
  facts { index outcome id fact confidence rule matchedBy reason } } }`

// walmartArticle is not the seed's: a known person by a surname, a known
// partner read as a company, a new company under two names.
const walmartArticle = `Walmart to buy 77% of Flipkart for $16 billion

Walmart Inc. agreed to buy 77% of Flipkart for $16 billion, the companies said on Wednesday.
Walmart's chief executive Doug McMillon said India is one of the most attractive retail markets in the world.
Barra, who helped Xiaomi enter India, said Flipkart sells smartphones and other devices such as tablets in the country.`

func (f articleFact) entity() (string, map[string]any) {
	for k, v := range f.Fact {
		if k != "sentences" && k != "relationship" && k != "method" && k != "confidence" {
			body, _ := v.(map[string]any)
			return k, body
		}
	}
	return "", nil
}

// testArticles runs on TestWrites' graph: the seed and what the earlier
// write tests wrote.
func testArticles(t *testing.T, cfg config.Config) {
	cfg.ExtractorURL = startExtractor(t)
	cfg.MaxArticleBytes = 8000
	// Not a test of deadlines: a write of an article's facts on a busy
	// machine may take longer than a query should.
	cfg.QueryTimeout = time.Minute
	b := start(t, cfg, false)
	nodes := func() int64 { return b.count(t, "MATCH (n) RETURN count(n)") }
	src := func(id, text string) map[string]any {
		return map[string]any{"id": id, "title": strings.SplitN(text, "\n", 2)[0], "text": text}
	}

	t.Run("a dry run writes nothing and answers the same", func(t *testing.T) {
		before := nodes()
		var dry, wet struct{ IngestArticle articleIngest }
		b.postAs(t, editorKey, ingestArticle, map[string]any{"src": src("walmart-flipkart", walmartArticle), "dry": true}).data(t, &dry)
		if got := nodes(); got != before {
			t.Fatalf("a dry run wrote %d nodes", got-before)
		}
		if !dry.IngestArticle.DryRun || dry.IngestArticle.Created == 0 {
			t.Fatalf("dry run: %+v", dry.IngestArticle)
		}
		b.postAs(t, editorKey, ingestArticle, map[string]any{"src": src("walmart-flipkart", walmartArticle)}).data(t, &wet)
		d, w := dry.IngestArticle, wet.IngestArticle
		if w.DryRun || d.Created != w.Created || d.Matched != w.Matched || d.Skipped != w.Skipped || len(d.Facts) != len(w.Facts) {
			t.Fatalf("dry run %+v, then %+v", d, w)
		}
		if nodes() <= before {
			t.Fatal("the article wrote nothing")
		}

		byID := map[string]articleFact{}
		for _, f := range w.Facts {
			byID[f.ID] = f
			for _, s := range f.Fact["sentences"].([]any) {
				if !strings.Contains(walmartArticle, s.(string)) {
					t.Errorf("%s: sentence not in the article: %q", f.ID, s)
				}
			}
			if f.Confidence <= 0 || f.Confidence > 1 || f.Rule == "" {
				t.Errorf("%s: confidence %v, rule %q", f.ID, f.Confidence, f.Rule)
			}
			if (f.Outcome == "SKIPPED") != (f.Reason != nil) {
				t.Errorf("%s: %s with reason %v", f.ID, f.Outcome, f.Reason)
			}
		}
		// A known person by a surname alone, and a partner the article
		// reads as a company, are the nodes of the graph.
		for id, want := range map[string]struct{ key, how string }{
			"hugo-barra": {"executive", "ALIAS"}, "flipkart": {"company", "ID"}, "xiaomi": {"company", "ID"}, "india": {"market", "ID"},
		} {
			f, ok := byID[id]
			key, _ := f.entity()
			if !ok || f.Outcome != "MATCHED" && f.Outcome != "UNCHANGED" || key != want.key || f.MatchedBy == nil || *f.MatchedBy != want.how {
				t.Errorf("%s: %+v, want it matched as %s by %s", id, f, want.key, want.how)
			}
		}
		for _, id := range []string{"walmart", "doug-mcmillon", "doug-mcmillon-WORKS_FOR->walmart", "walmart-buys-flipkart",
			"walmart-PARTICIPATED_IN->walmart-buys-flipkart", "flipkart-PARTICIPATED_IN->walmart-buys-flipkart", "flipkart-HAS_PRODUCT->smartphones"} {
			if f, ok := byID[id]; !ok || f.Outcome != "CREATED" || f.MatchedBy != nil {
				t.Errorf("%s: %+v, want CREATED", id, f)
			}
		}
		if e := byID["walmart-buys-flipkart"].Fact["event"].(map[string]any); e["kind"] != "ACQUISITION" || e["stakePercent"] != 77.0 || e["amount"] != 16e9 || e["currency"] != "USD" {
			t.Errorf("the acquisition: %v", e)
		}

		// What it wrote is found as any fact is, and says it was extracted.
		var found struct {
			Company struct {
				Name       string
				Aliases    []string
				Executives []struct{ Executive struct{ ID string } }
				Evidence   []struct {
					Method     string
					Confidence float64
				}
			}
			Node struct {
				Typename string `json:"__typename"`
				Roles    []string
			}
			Path []struct{ Length int }
		}
		b.post(t, `{ company(id: "walmart") { name aliases executives { executive { id } } evidence { method confidence } }
  node(id: "flipkart") { __typename roles }
  path(from: "doug-mcmillon", to: "flipkart") { length } }`, nil).data(t, &found)
		if found.Company.Name != "Walmart" || strings.Join(found.Company.Aliases, ",") != "Walmart Inc." ||
			len(found.Company.Executives) != 1 || found.Company.Executives[0].Executive.ID != "doug-mcmillon" ||
			len(found.Path) != 1 || found.Path[0].Length != 3 {
			t.Errorf("walmart: %+v", found)
		}
		for _, e := range found.Company.Evidence {
			if e.Method != "EXTRACTED" || e.Confidence <= 0 || e.Confidence > 1 {
				t.Errorf("walmart's evidence: %+v", found.Company.Evidence)
			}
		}
		// Flipkart, the seed's partner, is now a company too: one node.
		if found.Node.Typename != "Company" || strings.Join(found.Node.Roles, ",") != "Company,Partner" {
			t.Errorf("flipkart: %+v", found.Node)
		}
		// Walmart's timeline has the acquisition, its neighbourhood Flipkart.
		var around struct {
			Timeline struct {
				Events []struct{ Event struct{ ID string } }
			}
			Neighborhood struct {
				Nodes []struct{ ID string }
			}
		}
		b.post(t, `{ timeline(entity: "walmart") { events { event { id } } } neighborhood(id: "walmart", depth: 2) { nodes { id } } }`, nil).data(t, &around)
		if ev := around.Timeline.Events; len(ev) != 1 || ev[0].Event.ID != "walmart-buys-flipkart" {
			t.Errorf("walmart's timeline: %+v", ev)
		}
		if !strings.Contains(jsonString(around.Neighborhood.Nodes), `"flipkart"`) {
			t.Errorf("walmart's neighbourhood: %+v", around.Neighborhood.Nodes)
		}

		// The same article again changes nothing.
		after := nodes()
		var again struct{ IngestArticle articleIngest }
		b.postAs(t, editorKey, ingestArticle, map[string]any{"src": src("walmart-flipkart", walmartArticle)}).data(t, &again)
		if again.IngestArticle.Created != 0 || nodes() != after {
			t.Errorf("again: %+v, %d nodes more", again.IngestArticle, nodes()-after)
		}
	})

	t.Run("what the schema cannot hold is skipped and the rest written", func(t *testing.T) {
		// MIUI is a product of the graph: it employs no one.
		text := "MIUI's chief executive John Doe praised the new phones. Flipkart's chief executive Kalyan Krishnamurthy praised them too."
		var got struct{ IngestArticle articleIngest }
		b.postAs(t, editorKey, ingestArticle, map[string]any{"src": src("miui-people", text)}).data(t, &got)
		outcomes := map[string]articleFact{}
		for _, f := range got.IngestArticle.Facts {
			outcomes[f.ID] = f
		}
		if f := outcomes["john-doe-WORKS_FOR->miui"]; f.Outcome != "SKIPPED" || f.Reason == nil || !strings.Contains(*f.Reason, "WORKS_FOR") {
			t.Errorf("a product's executive: %+v", f)
		}
		if f := outcomes["miui"]; f.Outcome == "SKIPPED" || f.MatchedBy == nil || *f.MatchedBy != "ID" {
			t.Errorf("miui: %+v", f)
		}
		if key, _ := outcomes["miui"].entity(); key != "product" {
			t.Errorf("miui is written as a %s", key)
		}
		if f := outcomes["kalyan-krishnamurthy-WORKS_FOR->flipkart"]; f.Outcome != "CREATED" {
			t.Errorf("the rest: %+v", outcomes)
		}
		if got.IngestArticle.Skipped < 1 || got.IngestArticle.Created < 2 {
			t.Errorf("counts: %+v", got.IngestArticle)
		}
	})

	t.Run("a known company under another name", func(t *testing.T) {
		text := "Xiaomi Corp. opened a store in Bangalore, its chief executive Lei Jun said."
		var got struct{ IngestArticle articleIngest }
		b.postAs(t, editorKey, ingestArticle, map[string]any{"src": src("xiaomi-store", text)}).data(t, &got)
		for _, f := range got.IngestArticle.Facts {
			if key, body := f.entity(); key == "company" {
				if f.ID != "xiaomi" || f.Outcome != "MATCHED" || f.MatchedBy == nil || *f.MatchedBy != "NAME" || body["id"] != "xiaomi" {
					t.Errorf("Xiaomi Corp.: %+v", f)
				}
			}
		}
		var x struct{ Company struct{ Aliases []string } }
		b.post(t, `{ company(id: "xiaomi") { aliases } }`, nil).data(t, &x)
		if !strings.Contains(strings.Join(x.Company.Aliases, ","), "Xiaomi Corp.") {
			t.Errorf("xiaomi's aliases: %v", x.Company.Aliases)
		}
	})

	t.Run("a full name is not matched by a surname someone else has", func(t *testing.T) {
		text := "Tim Barra, chief executive of Acme Corp, said the company would open an office in Berlin. Barra joined Acme Corp in 2019."
		var got struct{ IngestArticle articleIngest }
		b.postAs(t, editorKey, ingestArticle, map[string]any{"src": src("acme-office", text)}).data(t, &got)
		var ids []string
		for _, f := range got.IngestArticle.Facts {
			if key, _ := f.entity(); key == "executive" {
				ids = append(ids, f.ID+":"+f.Outcome)
			}
		}
		if strings.Join(ids, ",") != "tim-barra:CREATED" {
			t.Errorf("people: %v", ids)
		}
		var hugo struct{ Executive struct{ Aliases []string } }
		b.post(t, `{ executive(id: "hugo-barra") { aliases } }`, nil).data(t, &hugo)
		if strings.Join(hugo.Executive.Aliases, ",") != "Barra" {
			t.Errorf("hugo-barra's aliases: %v", hugo.Executive.Aliases)
		}
	})

	t.Run("bad input is coded and writes nothing", func(t *testing.T) {
		french := strings.Repeat("Le groupe a annoncé mardi l'acquisition de la chaîne de supermarchés, pour un montant de deux milliards d'euros, selon un communiqué. ", 3)
		down, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closedURL := "http://" + down.Addr().String()
		down.Close()
		noExtractor := cfg
		noExtractor.ExtractorURL = ""
		deadExtractor := cfg
		deadExtractor.ExtractorURL = closedURL
		apis := map[string]*api{"b": b, "none": start(t, noExtractor, false), "dead": start(t, deadExtractor, false)}
		tests := []struct {
			name, api, text, code string
		}{
			{"empty text", "b", "  \n ", "BAD_USER_INPUT"},
			{"text over the limit", "b", strings.Repeat("Acme Corp sells robots. ", 400), "LIMIT_EXCEEDED"},
			{"another language", "b", french, "UNSUPPORTED_LANGUAGE"},
			{"no extractor configured", "none", walmartArticle, "EXTRACTOR_UNAVAILABLE"},
			{"the extractor is down", "dead", walmartArticle, "EXTRACTOR_UNAVAILABLE"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := nodes()
				r := apis[tt.api].postAs(t, editorKey, ingestArticle, map[string]any{"src": src("bad-"+tt.api, tt.text)})
				if code := r.code(t); code != tt.code {
					t.Errorf("code %s, want %s: %s", code, tt.code, r.raw)
				}
				if nodes() != before {
					t.Errorf("wrote %d nodes", nodes()-before)
				}
			})
		}
		t.Run("ten megabytes", func(t *testing.T) {
			r := b.postAs(t, editorKey, ingestArticle, map[string]any{"src": src("huge", strings.Repeat("Acme Corp sells robots. ", 10<<20/24))})
			if r.status != 413 || r.code(t) == "" {
				t.Errorf("status %d: %.200s", r.status, r.raw)
			}
		})
		t.Run("a text that is not a string", func(t *testing.T) {
			r := b.postAs(t, editorKey, ingestArticle, map[string]any{"src": map[string]any{"id": "x", "title": "x", "text": 42}})
			if code := r.code(t); code != "BAD_USER_INPUT" {
				t.Errorf("code %s: %s", code, r.raw)
			}
		})
		t.Run("a reader may not", func(t *testing.T) {
			r := b.postAs(t, readerKey, ingestArticle, map[string]any{"src": src("reader", walmartArticle)})
			if code := r.code(t); code != "FORBIDDEN" {
				t.Errorf("code %s: %s", code, r.raw)
			}
		})
	})
}
