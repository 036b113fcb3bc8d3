package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/companygraph/companygraph/internal/kg"
	"github.com/companygraph/companygraph/internal/query"
)

const articleID = "000_4657f6e3798185d7"

type citation struct {
	Sentence, SourceID string
	SourceTitle        *string
}

type gnode struct {
	ID, Type, Name string
	Labels         []string
	Properties     map[string]any
	Depth          *int
	Evidence       []citation
}

type gedge struct {
	ID, Type, From, To string
	Properties         map[string]any
	Evidence           []citation
}

const nodeFields = `id type name labels properties depth evidence { sentence sourceId sourceTitle }`
const edgeFields = `id type from to properties evidence { sentence sourceId sourceTitle }`

// fromArticle fails unless every citation is the article's own words, with its title.
func fromArticle(t *testing.T, text, what string, cs []citation) {
	t.Helper()
	if len(cs) == 0 {
		t.Errorf("%s: no evidence", what)
	}
	for _, c := range cs {
		if c.SourceID != articleID || !strings.Contains(text, c.Sentence) || c.SourceTitle == nil || !strings.HasPrefix(*c.SourceTitle, "Xiaomi finally") {
			t.Errorf("%s: evidence %q from %q is not the article's", what, c.Sentence, c.SourceID)
		}
	}
}

type path struct {
	Length int
	Nodes  []struct{ ID string }
	Hops   []struct {
		From, To     struct{ ID string }
		Direction    string
		Relationship gedge
	}
}

// String writes a path as "a -TYPE-> b <-TYPE- c".
func (p path) String() string {
	if len(p.Nodes) == 0 {
		return ""
	}
	s := p.Nodes[0].ID
	for _, h := range p.Hops {
		if h.Direction == "FORWARD" {
			s += fmt.Sprintf(" -%s-> %s", h.Relationship.Type, h.To.ID)
		} else {
			s += fmt.Sprintf(" <-%s- %s", h.Relationship.Type, h.To.ID)
		}
	}
	return s
}

const pathQuery = `query($from: ID!, $to: ID!, $max: Int) { path(from: $from, to: $to, maxHops: $max) {
  length nodes { id } hops { from { id } to { id } direction relationship { ` + edgeFields + ` } } } }`

func TestPath(t *testing.T) {
	a := seeded(t)
	text := article(t)
	tests := []struct {
		name, from, to string
		max            any
		want           []string
	}{
		{"Hugo Barra to Flipkart", "hugo-barra", "flipkart", nil,
			[]string{"hugo-barra -WORKS_FOR-> xiaomi -PARTNERED_WITH-> flipkart"}},
		{"against the relationships", "flipkart", "hugo-barra", nil,
			[]string{"flipkart <-PARTNERED_WITH- xiaomi <-WORKS_FOR- hugo-barra"}},
		{"all shortest paths, in the order of the ids along them", "headphones", "smartphones", 6, []string{
			"headphones <-SELLS- flipkart -SELLS-> smartphones",
			"headphones <-HAS_PRODUCT- xiaomi -HAS_PRODUCT-> smartphones",
			"headphones <-OFFERS- xiaomi-us-announcement -EXCLUDES-> smartphones",
		}},
		{"none within the bound", "hugo-barra", "flipkart", 1, nil},
		{"an entity to itself", "xiaomi", "xiaomi", nil, []string{"xiaomi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct{ Path []path }
			before := a.statements()
			a.post(t, pathQuery, map[string]any{"from": tt.from, "to": tt.to, "max": tt.max}).data(t, &got)
			if n := a.statements() - before; n != 1 {
				t.Errorf("%v statements, want 1", n)
			}
			var paths []string
			for _, p := range got.Path {
				paths = append(paths, p.String())
				if p.Length != len(p.Hops) || len(p.Nodes) != len(p.Hops)+1 {
					t.Errorf("%s: length %d, %d hops, %d nodes", p, p.Length, len(p.Hops), len(p.Nodes))
				}
				for _, h := range p.Hops {
					r := h.Relationship
					if h.Direction == "FORWARD" && (r.From != h.From.ID || r.To != h.To.ID) ||
						h.Direction == "BACKWARD" && (r.From != h.To.ID || r.To != h.From.ID) {
						t.Errorf("%s: %s hop %s->%s over %s", p, h.Direction, h.From.ID, h.To.ID, r.ID)
					}
					fromArticle(t, text, r.ID, r.Evidence)
				}
			}
			if strings.Join(paths, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(paths, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}

	// The hop's evidence answers "how?" in the article's words.
	var got struct{ Path []path }
	a.post(t, pathQuery, map[string]any{"from": "hugo-barra", "to": "flipkart"}).data(t, &got)
	if ev := got.Path[0].Hops[0].Relationship.Evidence; len(ev) != 1 || !strings.Contains(ev[0].Sentence, "Global Vice President Hugo Barra") {
		t.Errorf("WORKS_FOR evidence: %+v", ev)
	}
	if title := got.Path[0].Hops[0].Relationship.Properties["title"]; title != "Global Vice President" {
		t.Errorf("WORKS_FOR title: %v", title)
	}

	// A path read without its hops, or its nodes without their types, is
	// read by a smaller statement: the same path, with what it selects.
	for _, sel := range []string{"length nodes { id }", "length nodes { id type name }", "nodes { type } hops { direction }"} {
		var part struct {
			Path []struct {
				Length *int
				Nodes  []struct{ ID, Type, Name string }
				Hops   []struct{ Direction string }
			}
		}
		a.post(t, `query($from: ID!, $to: ID!) { path(from: $from, to: $to) { `+sel+` } }`,
			map[string]any{"from": "hugo-barra", "to": "flipkart"}).data(t, &part)
		if len(part.Path) != 1 || len(part.Path[0].Nodes) != 3 {
			t.Fatalf("%s: %+v", sel, part.Path)
		}
		p := part.Path[0]
		for i, want := range []struct{ id, typ, name string }{{"hugo-barra", "Executive", "Hugo Barra"}, {"xiaomi", "Company", "Xiaomi"}, {"flipkart", "Partner", "Flipkart"}} {
			n := p.Nodes[i]
			if strings.Contains(sel, "id") && n.ID != want.id || strings.Contains(sel, "type") && n.Type != want.typ || strings.Contains(sel, "name") && n.Name != want.name {
				t.Errorf("%s: node %d is %+v, want %+v", sel, i, n, want)
			}
		}
		if strings.Contains(sel, "length") && (p.Length == nil || *p.Length != 2) {
			t.Errorf("%s: length %s, want 2", sel, func() string {
				if p.Length == nil {
					return "null"
				}
				return fmt.Sprint(*p.Length)
			}())
		}
		if strings.Contains(sel, "hops") && (len(p.Hops) != 2 || p.Hops[0].Direction != "FORWARD" || p.Hops[1].Direction != "FORWARD") {
			t.Errorf("%s: hops %+v", sel, p.Hops)
		}
	}
}

func TestKGBadInput(t *testing.T) {
	a := seeded(t)
	tests := []struct {
		name, query, code string
	}{
		{"maxHops 0", `{ path(from: "xiaomi", to: "us", maxHops: 0) { length } }`, "BAD_USER_INPUT"},
		{"maxHops above the bound", fmt.Sprintf(`{ path(from: "xiaomi", to: "us", maxHops: %d) { length } }`, query.MaxHops+1), "BAD_USER_INPUT"},
		{"path from an unknown id", `{ path(from: "nobody", to: "us") { length } }`, "NOT_FOUND"},
		{"path to an unknown id", `{ path(from: "xiaomi", to: "nowhere") { length } }`, "NOT_FOUND"},
		{"path to a source, not an entity", `{ path(from: "xiaomi", to: "` + articleID + `") { length } }`, "NOT_FOUND"},
		{"depth 0", `{ neighborhood(id: "xiaomi", depth: 0) { truncated } }`, "BAD_USER_INPUT"},
		{"depth above the bound", fmt.Sprintf(`{ neighborhood(id: "xiaomi", depth: %d) { truncated } }`, kg.MaxDepth+1), "BAD_USER_INPUT"},
		{"limit 0", `{ neighborhood(id: "xiaomi", limit: 0) { truncated } }`, "BAD_USER_INPUT"},
		{"limit above the bound", fmt.Sprintf(`{ neighborhood(id: "xiaomi", limit: %d) { truncated } }`, kg.MaxLimit+1), "BAD_USER_INPUT"},
		{"unknown type", `{ neighborhood(id: "xiaomi", types: ["Planet"]) { truncated } }`, "BAD_USER_INPUT"},
		{"sources are not entities", `{ neighborhood(id: "xiaomi", types: ["Source"]) { truncated } }`, "BAD_USER_INPUT"},
		{"neighbourhood of an unknown id", `{ neighborhood(id: "nobody") { truncated } }`, "NOT_FOUND"},
		{"timeline of an unknown id", `{ timeline(entity: "nobody") { leftOut } }`, "NOT_FOUND"},
		{"relative from", `{ timeline(entity: "xiaomi", from: "July last year") { leftOut } }`, "BAD_USER_INPUT"},
		{"no such month", `{ timeline(entity: "xiaomi", to: "2014-13") { leftOut } }`, "BAD_USER_INPUT"},
		{"from after to", `{ timeline(entity: "xiaomi", from: "2015", to: "2014-12-31") { leftOut } }`, "BAD_USER_INPUT"},
		{"facts of an unknown source", `{ facts(source: "nothing") { truncated } }`, "NOT_FOUND"},
		{"facts of an entity", `{ facts(source: "xiaomi") { truncated } }`, "NOT_FOUND"},
		{"facts limit 0", `{ facts(source: "` + articleID + `", limit: 0) { truncated } }`, "BAD_USER_INPUT"},
		{"empty name", `{ resolve(name: "  ") { id } }`, "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := a.statements()
			r := a.post(t, tt.query, nil)
			if code := r.code(t); code != tt.code {
				t.Errorf("code %s, want %s: %s", code, tt.code, r.raw)
			}
			if strings.Contains(r.raw, "MATCH") || strings.Contains(r.raw, "neo4j") {
				t.Errorf("internals leaked: %s", r.raw)
			}
			// Bad input is refused before it costs a statement.
			if sent := a.statements() - before; tt.code == "BAD_USER_INPUT" && sent != 0 {
				t.Errorf("%v statements sent for bad input", sent)
			}
		})
	}
}

// The schema's argument defaults are the ones internal/kg and internal/query document.
func TestKGDefaultsMatchTheSchema(t *testing.T) {
	a := seeded(t)
	var got struct {
		Type struct {
			Fields []struct {
				Name string
				Args []struct{ Name, DefaultValue string }
			}
		} `json:"__type"`
	}
	a.post(t, `{ __type(name: "Query") { fields { name args { name defaultValue } } } }`, nil).data(t, &got)
	want := map[string]int{
		"path.first": query.MaxPaths, "neighborhood.depth": kg.DefaultDepth,
		"neighborhood.limit": kg.DefaultLimit, "facts.limit": kg.DefaultLimit,
	}
	for _, f := range got.Type.Fields {
		for _, arg := range f.Args {
			if w, ok := want[f.Name+"."+arg.Name]; ok {
				if arg.DefaultValue != fmt.Sprint(w) {
					t.Errorf("%s.%s defaults to %s in the schema, %d in the code", f.Name, arg.Name, arg.DefaultValue, w)
				}
				delete(want, f.Name+"."+arg.Name)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("arguments missing from the schema: %v", want)
	}
}

type subgraph struct {
	Nodes     []gnode
	Edges     []gedge
	Truncated bool
}

const neighborhoodQuery = `query($id: ID!, $depth: Int, $limit: Int, $types: [String!]) {
  neighborhood(id: $id, depth: $depth, limit: $limit, types: $types) {
    nodes { ` + nodeFields + ` } edges { ` + edgeFields + ` } truncated } }`

func TestNeighborhood(t *testing.T) {
	a := seeded(t)
	text := article(t)
	get := func(t *testing.T, vars map[string]any) subgraph {
		t.Helper()
		var got struct{ Neighborhood subgraph }
		before := a.statements()
		a.post(t, neighborhoodQuery, vars).data(t, &got)
		if n := a.statements() - before; n != 1 {
			t.Errorf("%v statements, want 1", n)
		}
		// Every edge joins two nodes of the answer, so it can be drawn as is.
		in := map[string]bool{}
		for _, n := range got.Neighborhood.Nodes {
			in[n.ID] = true
		}
		for _, e := range got.Neighborhood.Edges {
			if !in[e.From] || !in[e.To] {
				t.Errorf("edge %s leaves the subgraph", e.ID)
			}
			fromArticle(t, text, e.ID, e.Evidence)
		}
		return got.Neighborhood
	}
	ids := func(ns []gnode) string {
		var out []string
		for _, n := range ns {
			out = append(out, fmt.Sprintf("%s@%d", n.ID, *n.Depth))
		}
		return strings.Join(out, ",")
	}

	t.Run("depth 1", func(t *testing.T) {
		sg := get(t, map[string]any{"id": "hugo-barra"})
		if s := ids(sg.Nodes); s != "hugo-barra@0,xiaomi@1,xiaomi-us-announcement@1" {
			t.Errorf("nodes %s", s)
		}
		if len(sg.Edges) != 3 || sg.Truncated {
			t.Errorf("%d edges, truncated %v; want WORKS_FOR and both PARTICIPATED_IN", len(sg.Edges), sg.Truncated)
		}
		x := sg.Nodes[1]
		if x.Type != "Company" || x.Name != "Xiaomi" || x.Properties["headquarters"] != "Beijing" || len(x.Labels) != 1 || x.Labels[0] != "Company" {
			t.Errorf("xiaomi as drawn: %+v", x)
		}
		fromArticle(t, text, "xiaomi", x.Evidence)
	})
	t.Run("depth 2 reaches the whole seed", func(t *testing.T) {
		sg := get(t, map[string]any{"id": "hugo-barra", "depth": 2})
		if len(sg.Nodes) != 22 || sg.Truncated {
			t.Errorf("%d nodes, truncated %v; want the 22 entities", len(sg.Nodes), sg.Truncated)
		}
		var twoParallel int
		for _, e := range sg.Edges {
			if e.Type == "REACTED_TO" {
				twoParallel++
				if !strings.HasPrefix(e.ID, "us|REACTED_TO|xiaomi-us-announcement|") {
					t.Errorf("parallel edge id %s", e.ID)
				}
			}
		}
		if twoParallel != 2 {
			t.Errorf("%d REACTED_TO edges, want 2 with their own ids", twoParallel)
		}
	})
	t.Run("limit keeps the nearest", func(t *testing.T) {
		sg := get(t, map[string]any{"id": "hugo-barra", "depth": 2, "limit": 4})
		if s := ids(sg.Nodes); s != "hugo-barra@0,xiaomi@1,xiaomi-us-announcement@1,asia@2" || !sg.Truncated {
			t.Errorf("nodes %s, truncated %v", s, sg.Truncated)
		}
	})
	t.Run("types", func(t *testing.T) {
		sg := get(t, map[string]any{"id": "xiaomi", "types": []string{"Market"}})
		if s := ids(sg.Nodes); s != "xiaomi@0,asia@1,china@1,india@1,us@1" {
			t.Errorf("nodes %s", s)
		}
		var types []string
		for _, e := range sg.Edges {
			types = append(types, e.ID)
		}
		want := "india|PART_OF|asia,xiaomi|IN_MARKET|asia,xiaomi|IN_MARKET|china,xiaomi|IN_MARKET|india,xiaomi|IN_MARKET|us"
		if strings.Join(types, ",") != want {
			t.Errorf("edges %s", strings.Join(types, ","))
		}
		// Walks do not pass through the types left out: Flipkart is two
		// hops from Hugo Barra only through Xiaomi.
		sg = get(t, map[string]any{"id": "hugo-barra", "depth": 3, "types": []string{"Partner", "Product"}})
		if s := ids(sg.Nodes); s != "hugo-barra@0" {
			t.Errorf("nodes %s", s)
		}
	})
}

type timelineEvent struct {
	Event     struct{ ID string }
	Links     []gedge
	Date      *string
	Precision string
	ISO       *string
	Evidence  *citation
}

const timelineQuery = `query($id: ID!, $from: String, $to: String) { timeline(entity: $id, from: $from, to: $to) {
  entity { id name } leftOut truncated
  events { event { id } links { ` + edgeFields + ` } date precision iso evidence { sentence sourceId sourceTitle } } } }`

func TestTimeline(t *testing.T) {
	a := seeded(t)
	text := article(t)
	type timeline struct {
		Entity    struct{ ID, Name string }
		Events    []timelineEvent
		LeftOut   int
		Truncated bool
	}
	get := func(vars map[string]any) timeline {
		var got struct{ Timeline timeline }
		a.post(t, timelineQuery, vars).data(t, &got)
		return got.Timeline
	}

	// The seed's dates are all relative: they keep their wording and are
	// ordered by how far back they point, the undated announcement last.
	tl := get(map[string]any{"id": "xiaomi"})
	want := []struct{ id, date, precision string }{
		{"xiaomi-india-entry", "July last year", "RELATIVE"},
		{"xiaomi-smartphone-sales", "the last year", "RELATIVE"},
		{"xiaomi-smartphone-sales-india", "the last year", "RELATIVE"},
		{"xiaomi-funding-december", "December last year", "RELATIVE"},
		{"mi4-india-launch", "last month", "RELATIVE"},
		{"mi-band-india-launch", "in the coming couple of months", "RELATIVE"},
		{"xiaomi-us-announcement", "", "UNKNOWN"},
	}
	if tl.Entity.Name != "Xiaomi" || len(tl.Events) != len(want) || tl.LeftOut != 0 || tl.Truncated {
		t.Fatalf("timeline of %s: %d events, leftOut %d", tl.Entity.Name, len(tl.Events), tl.LeftOut)
	}
	for i, w := range want {
		e := tl.Events[i]
		date := ""
		if e.Date != nil {
			date = *e.Date
		}
		if e.Event.ID != w.id || date != w.date || e.Precision != w.precision || e.ISO != nil {
			t.Errorf("event %d: %s %q %s, want %s %q %s", i, e.Event.ID, date, e.Precision, w.id, w.date, w.precision)
		}
		if e.Evidence == nil {
			t.Errorf("%s: no sentence", w.id)
			continue
		}
		fromArticle(t, text, w.id, []citation{*e.Evidence})
		if !strings.Contains(e.Evidence.Sentence, w.date) {
			t.Errorf("%s: sentence %q does not give the date", w.id, e.Evidence.Sentence)
		}
		if len(e.Links) != 1 || e.Links[0].Type != "PARTICIPATED_IN" || e.Links[0].Properties["role"] == nil {
			t.Errorf("%s: links %+v", w.id, e.Links)
		}
	}

	// A market's events are those that concern it.
	var got []string
	for _, e := range get(map[string]any{"id": "india"}).Events {
		got = append(got, e.Event.ID)
	}
	if s := strings.Join(got, ","); s != "xiaomi-india-entry,xiaomi-smartphone-sales-india,mi4-india-launch,mi-band-india-launch" {
		t.Errorf("India's timeline: %s", s)
	}

	// No relative date can be placed in a window of the calendar.
	tl = get(map[string]any{"id": "xiaomi", "from": "2014", "to": "2015-06"})
	if len(tl.Events) != 0 || tl.LeftOut != 7 {
		t.Errorf("window: %d events, leftOut %d; want 0 and 7", len(tl.Events), tl.LeftOut)
	}
}

func TestFacts(t *testing.T) {
	a := seeded(t)
	text := article(t)
	type facts struct {
		Source struct{ ID, Type, Name string }
		Facts  []struct {
			Relationship gedge
			From, To     struct{ ID, Name string }
			Sentences    []string
		}
		Truncated bool
	}
	var got struct{ All, Few facts }
	before := a.statements()
	a.post(t, `query($s: ID!) {
	  all: facts(source: $s, limit: 500) { source { id type name } truncated facts { relationship { `+edgeFields+` } from { id name } to { id name } sentences } }
	  few: facts(source: $s, limit: 3) { truncated facts { relationship { id } } }
	}`, map[string]any{"s": articleID}).data(t, &got)
	if n := a.statements() - before; n != 2 {
		t.Errorf("%v statements for two fields, want 2", n)
	}
	if got.All.Source.Type != "Source" || !strings.HasPrefix(got.All.Source.Name, "Xiaomi finally") || got.All.Truncated {
		t.Errorf("source %+v, truncated %v", got.All.Source, got.All.Truncated)
	}
	// The seed's 45 relationships are all the article's.
	if len(got.All.Facts) != 45 {
		t.Errorf("%d facts, want 45", len(got.All.Facts))
	}
	var partner bool
	for _, f := range got.All.Facts {
		r := f.Relationship
		if f.From.ID != r.From || f.To.ID != r.To || len(f.Sentences) != len(r.Evidence) {
			t.Errorf("%s: ends %s, %s; %d sentences, %d citations", r.ID, f.From.ID, f.To.ID, len(f.Sentences), len(r.Evidence))
		}
		fromArticle(t, text, r.ID, r.Evidence)
		if r.ID == "xiaomi|PARTNERED_WITH|flipkart" {
			partner = f.From.Name == "Xiaomi" && f.To.Name == "Flipkart" && strings.Contains(f.Sentences[0], "partnered with Flipkart")
		}
	}
	if !partner {
		t.Error("the partnership with Flipkart is missing from the article's facts")
	}
	if len(got.Few.Facts) != 3 || !got.Few.Truncated || got.Few.Facts[0].Relationship.ID != got.All.Facts[0].Relationship.ID {
		t.Errorf("limit 3: %d facts, truncated %v", len(got.Few.Facts), got.Few.Truncated)
	}
}

func TestResolveNamesAndAliases(t *testing.T) {
	a := seeded(t)
	tests := []struct{ name, want string }{
		{"Hugo Barra", "hugo-barra"},
		{"barra", "hugo-barra"},
		{"  US ", "us"},
		{"united   states", "us"},
		{"INDIAN MARKET", "india"},
		{"Asian regions", "asia"},
		{"E-Commerce Site", "mi-com"},
		{"xiaomi", "xiaomi"},
		// The article never calls Xiaomi so; no alias is made up.
		{"Xiaomi Inc.", ""},
		{"Barr", ""},
		// Lucene's syntax is text, and a name without a word is compared whole.
		{`"xiaomi" OR *`, ""},
		{`xiaomi\`, ""},
		{"...", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct{ Resolve []struct{ ID, Type string } }
			a.post(t, `query($n: String!) { resolve(name: $n) { id type } }`, map[string]any{"n": tt.name}).data(t, &got)
			var out []string
			for _, n := range got.Resolve {
				out = append(out, n.ID)
			}
			if s := strings.Join(out, ","); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
	// The generated filters match aliases case-insensitively too.
	var got struct{ Executives, Markets []struct{ ID string } }
	a.post(t, `{
	  executives(where: {aliases: {includes: "BARRA", caseInsensitive: true}}) { id }
	  markets(where: {OR: [{name: {eq: "us", caseInsensitive: true}}, {aliases: {includes: "us", caseInsensitive: true}}]}) { id }
	}`, nil).data(t, &got)
	if ids(got.Executives) != "hugo-barra" || ids(got.Markets) != "us" {
		t.Errorf("where filters: %v %v", got.Executives, got.Markets)
	}
}
