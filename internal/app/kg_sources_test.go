package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/ingest"
	"github.com/companygraph/companygraph/internal/neo4jtest"
	"github.com/companygraph/companygraph/seed"
)

// secondSource is a made-up report, for tests only, that states again two
// facts of the article (Hugo Barra works for Xiaomi; Xiaomi partners with
// Flipkart), names Xiaomi "Xiaomi Inc.", gives absolute dates, and names a
// company that nothing joins to the rest.
func secondSource() seed.Dataset {
	s := []string{
		"Xiaomi Inc. said its Global Vice President Hugo Barra will lead the company's expansion.",
		"Xiaomi Inc. partnered with Flipkart to sell its smartphones in India.",
		"Xiaomi raised money from investors in 2013.",
		"Xiaomi Inc. first talked about its plans for India in July 2014.",
		"Xiaomi launched the Redmi Note in India on 3 March 2015.",
		"Acme Robotics, a company unrelated to Xiaomi, was founded in Boston.",
	}
	props := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	node := func(label, id string, p map[string]any, ev ...string) seed.Node {
		return seed.Node{Label: label, ID: id, Properties: p, Evidence: ev}
	}
	rel := func(typ, from, to string, p map[string]any, ev ...string) seed.Relationship {
		return seed.Relationship{Type: typ, From: from, To: to, Properties: p, Evidence: ev}
	}
	return seed.Dataset{
		Source: seed.Source{ID: "test_secondIDsource", Text: "Xiaomi Inc. names Hugo Barra to lead its expansion\n\n" + strings.Join(s, " "),
			Properties: props("title", "Xiaomi Inc. names Hugo Barra to lead its expansion", "kind", "test fixture")},
		Nodes: []seed.Node{
			node("Company", "xiaomi", props("name", "Xiaomi", "aliases", []any{"Xiaomi Inc."}), s[0], s[1]),
			node("Executive", "hugo-barra", props("name", "Hugo Barra", "aliases", []any{"Barra"}), s[0]),
			node("Partner", "flipkart", props("name", "Flipkart", "aliases", []any{}), s[1]),
			node("Market", "india", props("name", "India", "aliases", []any{"Indian market"}), s[1]),
			node("Product", "redmi-note", props("name", "Redmi Note", "aliases", []any{}, "kind", "smartphone"), s[4]),
			node("Event", "xiaomi-funding-2013", props("name", "Xiaomi raises money", "kind", "FUNDING", "status", "occurred", "date", "2013"), s[2]),
			node("Event", "xiaomi-india-plans", props("name", "Xiaomi talks about its plans for India", "kind", "ANNOUNCEMENT", "status", "occurred", "date", "July 2014"), s[3]),
			node("Event", "redmi-note-india-launch", props("name", "Launch of the Redmi Note in India", "kind", "PRODUCT_LAUNCH", "status", "occurred", "date", "3 March 2015"), s[4]),
			node("Company", "acme-robotics", props("name", "Acme Robotics", "aliases", []any{}), s[5]),
		},
		Relationships: []seed.Relationship{
			rel("WORKS_FOR", "Executive:hugo-barra", "Company:xiaomi", props("title", "Global Vice President"), s[0]),
			rel("PARTNERED_WITH", "Company:xiaomi", "Partner:flipkart", props("market", "India"), s[1]),
			rel("PARTICIPATED_IN", "Company:xiaomi", "Event:xiaomi-funding-2013", props("role", "fundraiser"), s[2]),
			rel("PARTICIPATED_IN", "Company:xiaomi", "Event:xiaomi-india-plans", props("role", "announcer"), s[3]),
			rel("CONCERNS", "Event:xiaomi-india-plans", "Market:india", props(), s[3]),
			rel("PARTICIPATED_IN", "Company:xiaomi", "Event:redmi-note-india-launch", props("role", "launcher"), s[4]),
			rel("LAUNCHES", "Event:redmi-note-india-launch", "Product:redmi-note", props(), s[4]),
			rel("CONCERNS", "Event:redmi-note-india-launch", "Market:india", props(), s[4]),
			rel("HAS_PRODUCT", "Company:xiaomi", "Product:redmi-note", props(), s[4]),
		},
	}
}

// TestSecondSource loads the seed and a second source into a Neo4j of its
// own (other tests count the shared one's nodes), then checks what two
// sources change: provenance from both, one node per entity, absolute
// dates beside relative ones, and an entity nothing reaches.
func TestSecondSource(t *testing.T) {
	srv := neo4jtest.New(t, "kg-second-source")
	srv.Start()
	a := start(t, testConfig(t, srv.Conn), true)
	second := secondSource()
	for _, n := range second.Nodes {
		for _, s := range n.Evidence {
			if !strings.Contains(second.Source.Text, s) {
				t.Fatalf("fixture: %q is not in its source", s)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := ingest.Load(ctx, a.Changes, a.Engine.Mapping(), second, "kg-test"); err != nil {
		t.Fatal(err)
	}
	const secondID = "test_secondIDsource"

	t.Run("a fact stated by two sources lists both", func(t *testing.T) {
		var got struct {
			Company struct {
				Executives, Partnerships []struct {
					Evidence evidence
				}
				Evidence evidence
			}
			Path []path
		}
		a.post(t, `{
		  company(id: "xiaomi") {
		    executives { evidence { sentence source { id } } }
		    partnerships { evidence { sentence source { id } } }
		    evidence { sentence source { id } }
		  }
		  path(from: "hugo-barra", to: "flipkart") { hops { relationship { evidence { sentence sourceId sourceTitle } } } }
		}`, nil).data(t, &got)
		sources := func(e evidence) string {
			var out []string
			for _, s := range e {
				out = append(out, s.Source.ID)
			}
			return strings.Join(out, ",")
		}
		both := articleID + "," + secondID
		if s := sources(got.Company.Executives[0].Evidence); s != both {
			t.Errorf("WORKS_FOR evidence from %s, want %s", s, both)
		}
		if s := sources(got.Company.Partnerships[0].Evidence); s != both {
			t.Errorf("PARTNERED_WITH evidence from %s, want %s", s, both)
		}
		if s := sources(got.Company.Evidence); !strings.HasSuffix(s, ","+secondID+","+secondID) || !strings.HasPrefix(s, articleID) {
			t.Errorf("Xiaomi's mentions from %s", s)
		}
		for _, h := range got.Path[0].Hops {
			var ids []string
			for _, c := range h.Relationship.Evidence {
				ids = append(ids, c.SourceID)
				if c.SourceTitle == nil {
					t.Errorf("%s: no title", c.SourceID)
				}
			}
			if s := strings.Join(ids, ","); s != both {
				t.Errorf("hop evidence from %s, want %s", s, both)
			}
		}
	})

	t.Run("facts of each source", func(t *testing.T) {
		type facts struct {
			Facts []struct {
				Relationship gedge
				Sentences    []string
			}
		}
		var got struct{ Second, Article facts }
		a.post(t, `query($a: ID!, $b: ID!) {
		  second: facts(source: $b) { facts { relationship { `+edgeFields+` } sentences } }
		  article: facts(source: $a, limit: 500) { facts { relationship { `+edgeFields+` } sentences } }
		}`, map[string]any{"a": articleID, "b": secondID}).data(t, &got)
		var ids []string
		for _, f := range got.Second.Facts {
			ids = append(ids, f.Relationship.ID)
			if len(f.Sentences) != 1 || !strings.Contains(secondSource().Source.Text, f.Sentences[0]) {
				t.Errorf("%s: sentences %q are not the second source's", f.Relationship.ID, f.Sentences)
			}
		}
		want := []string{
			"hugo-barra|WORKS_FOR|xiaomi",
			"redmi-note-india-launch|CONCERNS|india",
			"redmi-note-india-launch|LAUNCHES|redmi-note",
			"xiaomi|HAS_PRODUCT|redmi-note",
			"xiaomi|PARTICIPATED_IN|redmi-note-india-launch",
			"xiaomi|PARTICIPATED_IN|xiaomi-funding-2013",
			"xiaomi|PARTICIPATED_IN|xiaomi-india-plans",
			"xiaomi|PARTNERED_WITH|flipkart",
			"xiaomi-india-plans|CONCERNS|india",
		}
		if strings.Join(ids, "\n") != strings.Join(want, "\n") {
			t.Errorf("the second source's facts:\n%s\nwant\n%s", strings.Join(ids, "\n"), strings.Join(want, "\n"))
		}
		// The article's facts are the seed's 45 still; the two it shares
		// with the second source carry both sources' evidence, and only the
		// article's sentences as its own.
		if len(got.Article.Facts) != 45 {
			t.Errorf("the article supports %d facts, want 45", len(got.Article.Facts))
		}
		shared := 0
		for _, f := range got.Article.Facts {
			if len(f.Relationship.Evidence) != len(f.Sentences) {
				shared++
				if f.Relationship.ID != "hugo-barra|WORKS_FOR|xiaomi" && f.Relationship.ID != "xiaomi|PARTNERED_WITH|flipkart" {
					t.Errorf("%s has other sources' evidence", f.Relationship.ID)
				}
				if strings.Contains(strings.Join(f.Sentences, " "), "Xiaomi Inc.") {
					t.Errorf("%s: the second source's sentence is listed as the article's", f.Relationship.ID)
				}
			}
		}
		if shared != 2 {
			t.Errorf("%d facts stated by both sources, want 2", shared)
		}
	})

	t.Run("two names for one entity make one node", func(t *testing.T) {
		sets, err := seed.All()
		if err != nil {
			t.Fatal(err)
		}
		if err := seed.CheckNames(append(sets, second)); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Companies []struct {
				ID      string
				Aliases []string
			}
		}
		a.post(t, `{ companies { id aliases } }`, nil).data(t, &got)
		if len(got.Companies) != 2 || got.Companies[1].ID != "xiaomi" || strings.Join(got.Companies[1].Aliases, ",") != "Xiaomi Inc." {
			t.Errorf("companies: %+v; want Acme Robotics and one Xiaomi, also named Xiaomi Inc.", got.Companies)
		}
		for _, name := range []string{"Xiaomi Inc.", "xiaomi inc.", "XIAOMI"} {
			var r struct{ Resolve []struct{ ID string } }
			a.post(t, `query($n: String!) { resolve(name: $n) { id } }`, map[string]any{"n": name}).data(t, &r)
			if ids(r.Resolve) != "xiaomi" {
				t.Errorf("resolve(%q): %v", name, r.Resolve)
			}
		}
	})

	t.Run("no path is an empty answer", func(t *testing.T) {
		r := a.post(t, `{ path(from: "hugo-barra", to: "acme-robotics", maxHops: 6) { length }
		  neighborhood(id: "acme-robotics", depth: 3) { nodes { id } edges { id } truncated } }`, nil)
		var got struct {
			Path         []path
			Neighborhood struct {
				Nodes, Edges []struct{ ID string }
				Truncated    bool
			}
		}
		r.data(t, &got)
		if len(got.Path) != 0 {
			t.Errorf("paths to an unconnected entity: %d", len(got.Path))
		}
		if ids(got.Neighborhood.Nodes) != "acme-robotics" || len(got.Neighborhood.Edges) != 0 || got.Neighborhood.Truncated {
			t.Errorf("neighbourhood of an unconnected entity: %+v", got.Neighborhood)
		}
	})

	t.Run("absolute dates first, then relative ones", func(t *testing.T) {
		var got struct {
			All, Window struct {
				Events  []timelineEvent
				LeftOut int
			}
		}
		a.post(t, `{
		  all: timeline(entity: "xiaomi") { leftOut events { event { id } date precision iso evidence { sentence sourceId } } }
		  window: timeline(entity: "xiaomi", from: "2014", to: "2015-03") { leftOut events { event { id } } }
		}`, nil).data(t, &got)
		want := []struct{ id, precision, iso string }{
			{"xiaomi-funding-2013", "YEAR", "2013"},
			{"xiaomi-india-plans", "MONTH", "2014-07"},
			{"redmi-note-india-launch", "DAY", "2015-03-03"},
			{"xiaomi-india-entry", "RELATIVE", ""},
			{"xiaomi-smartphone-sales", "RELATIVE", ""},
			{"xiaomi-smartphone-sales-india", "RELATIVE", ""},
			{"xiaomi-funding-december", "RELATIVE", ""},
			{"mi4-india-launch", "RELATIVE", ""},
			{"mi-band-india-launch", "RELATIVE", ""},
			{"xiaomi-us-announcement", "UNKNOWN", ""},
		}
		if len(got.All.Events) != len(want) {
			t.Fatalf("%d events, want %d", len(got.All.Events), len(want))
		}
		for i, w := range want {
			e := got.All.Events[i]
			iso := ""
			if e.ISO != nil {
				iso = *e.ISO
			}
			if e.Event.ID != w.id || e.Precision != w.precision || iso != w.iso {
				t.Errorf("event %d: %s %s %q, want %s %s %q", i, e.Event.ID, e.Precision, iso, w.id, w.precision, w.iso)
			}
			if i < 3 && (e.Evidence == nil || e.Evidence.SourceID != secondID || !strings.Contains(e.Evidence.Sentence, *e.Date)) {
				t.Errorf("%s: the sentence giving %q: %+v", w.id, *e.Date, e.Evidence)
			}
		}
		var in []string
		for _, e := range got.Window.Events {
			in = append(in, e.Event.ID)
		}
		if strings.Join(in, ",") != "xiaomi-india-plans,redmi-note-india-launch" || got.Window.LeftOut != 7 {
			t.Errorf("2014 to March 2015: %v, leftOut %d; want the two dated events in it, 7 relative or undated left out", in, got.Window.LeftOut)
		}
	})
}
