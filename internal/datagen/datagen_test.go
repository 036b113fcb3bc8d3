package datagen

import (
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/query"
)

func TestSameSeedSameGraph(t *testing.T) {
	a, err := New(10_000, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(10_000, 7)
	for k := range numKinds {
		for _, i := range []int{0, 1, a.Count(k) - 1} {
			if !reflect.DeepEqual(a.node(k, i), b.node(k, i)) {
				t.Errorf("%s %d differs between two runs", k.Label(), i)
			}
		}
	}
	for si, s := range a.RelSets() {
		var ra, rb [][2]string
		for i := range 50 {
			a.Rels(s, i, func(f, to string, _ map[string]any) { ra = append(ra, [2]string{f, to}) })
			b.Rels(b.RelSets()[si], i, func(f, to string, _ map[string]any) { rb = append(rb, [2]string{f, to}) })
		}
		if !reflect.DeepEqual(ra, rb) {
			t.Errorf("%s relationships differ between two runs", s.Type)
		}
	}
	c, _ := New(10_000, 8)
	if reflect.DeepEqual(a.node(Company, 0), c.node(Company, 0)) {
		t.Error("another seed gave the same company")
	}
}

// TestShape checks what the benchmark relies on: the node count, about
// four relationships per node, skewed degrees, unique ids, and only
// relationships the API's schema declares.
func TestShape(t *testing.T) {
	g, err := New(10_000, 1)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	ids := map[string]bool{}
	for k := range numKinds {
		total += g.Count(k)
		for i := range g.Count(k) {
			id := g.ID(k, i)
			if ids[id] {
				t.Fatalf("id %s twice", id)
			}
			ids[id] = true
		}
	}
	if total != 10_000 {
		t.Errorf("nodes: got %d, want 10000", total)
	}
	m, err := query.NewMapping(generated.NewExecutableSchema(generated.Config{}).Schema())
	if err != nil {
		t.Fatal(err)
	}
	kinds := m.RelationshipKinds()
	rels := 0
	degree := map[string]int{}
	for _, s := range g.RelSets() {
		if !kinds[[3]string{s.From.Label(), s.Type, s.To.Label()}] {
			t.Errorf("(%s)-[:%s]->(%s) is not in the schema", s.From.Label(), s.Type, s.To.Label())
		}
		for i := range g.Count(s.Owner) {
			g.Rels(s, i, func(f, to string, p map[string]any) {
				if !ids[f] || !ids[to] {
					t.Fatalf("%s: unknown end %s or %s", s.Type, f, to)
				}
				if len(p["sources"].([]string)) != len(p["sentences"].([]string)) {
					t.Fatalf("%s: evidence lists differ in length", s.Type)
				}
				rels++
				degree[f]++
				degree[to]++
			})
		}
	}
	if per := float64(rels) / float64(total); per < 3.5 || per > 4.5 {
		t.Errorf("relationships per node: got %.2f, want about 4", per)
	}
	companies := make([]int, g.Count(Company))
	for i := range companies {
		companies[i] = degree[g.ID(Company, i)]
	}
	sort.Sort(sort.Reverse(sort.IntSlice(companies)))
	median := companies[len(companies)/2]
	if companies[0] < 50*max(median, 1) {
		t.Errorf("company degrees not skewed: top %d, median %d", companies[0], median)
	}
	top, all := 0, 0
	for i := range g.Count(Market) {
		d := degree[g.ID(Market, i)]
		all += d
		if i < 5 {
			top += d
		}
	}
	if float64(top) < 0.5*float64(all) {
		t.Errorf("the top five markets hold %d of %d market edges, want most", top, all)
	}
	t.Logf("%d nodes, %d relationships; company degree top %d, median %d; top 5 markets %d%% of market edges",
		total, rels, companies[0], median, 100*top/all)
}

// TestStreamsApart checks that a set given a stream of its own shares it,
// or its gaps' stream, with nothing else its owner draws from: adding it
// left every value drawn before as it was.
func TestStreamsApart(t *testing.T) {
	g, err := New(10_000, 1)
	if err != nil {
		t.Fatal(err)
	}
	taken := map[Kind]map[int]string{}
	use := func(k Kind, stream int, what string) {
		if taken[k] == nil {
			taken[k] = map[int]string{0: "properties", 1: "properties", gapStream: "gaps"}
			if k == Event {
				taken[k][figureStream] = "figures"
			}
		}
		if other, ok := taken[k][stream]; ok && other != what {
			t.Errorf("%s: stream %d of %s is %s's too", k.Label(), stream, what, other)
		}
		taken[k][stream] = what
	}
	sets := g.RelSets()
	// The sets on the streams their ends give first: two of them may share
	// one (LAUNCHES and ABOUT never both draw for one event).
	for _, own := range []bool{false, true} {
		for _, s := range sets {
			if (s.stream != 0) != own {
				continue
			}
			rels, gaps := s.streams()
			what := fmt.Sprintf("(%s)-[:%s]->(%s)", s.From.Label(), s.Type, s.To.Label())
			if !own {
				what = fmt.Sprintf("the sets from %s to %s", s.From.Label(), s.To.Label())
			}
			use(s.Owner, rels, what)
			use(s.Owner, gaps, what+" gaps")
		}
	}
}

// TestCompanyNewsData checks that the graph holds what the company news
// need: ownership with stakes, investments with their figures, and
// layoffs with theirs, between distinct companies.
func TestCompanyNewsData(t *testing.T) {
	g, err := New(10_000, 1)
	if err != nil {
		t.Fatal(err)
	}
	props := map[string]map[string]int{}
	for _, s := range g.RelSets() {
		if s.Type != "OWNS" && s.Type != "INVESTED_IN" {
			continue
		}
		props[s.Type] = map[string]int{}
		for i := range g.Count(s.Owner) {
			g.Rels(s, i, func(from, to string, p map[string]any) {
				if from == to {
					t.Errorf("%s from %s to itself", s.Type, from)
				}
				props[s.Type][""]++
				for k := range p {
					props[s.Type][k]++
				}
			})
		}
	}
	for typ, keys := range map[string][]string{"OWNS": {"stakePercent", "since", "until"}, "INVESTED_IN": {"amount", "currency", "round", "date"}} {
		if props[typ][""] < 50 {
			t.Errorf("%d %s", props[typ][""], typ)
		}
		for _, k := range keys {
			if props[typ][k] == 0 {
				t.Errorf("no %s has %s", typ, k)
			}
		}
	}
	kinds := map[string]int{}
	for i := range g.Count(Event) {
		p := g.node(Event, i)
		kinds[p["kind"].(string)]++
		for k, kind := range map[string]string{"headcount": "LAYOFF", "sharePercent": "LAYOFF", "round": "FUNDING"} {
			if _, ok := p[k]; ok {
				kinds[k]++
				if p["kind"] != kind {
					t.Errorf("a %s with %s", p["kind"], k)
				}
			}
		}
	}
	for _, k := range append(EventKinds, "headcount", "sharePercent", "round") {
		if kinds[k] == 0 {
			t.Errorf("no event has %s: %v", k, kinds)
		}
	}
	t.Logf("OWNS %v; INVESTED_IN %v; events %v", props["OWNS"], props["INVESTED_IN"], kinds)
}
