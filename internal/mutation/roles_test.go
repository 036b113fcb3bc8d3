package mutation

import (
	"strings"
	"testing"

	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/query"
)

func writer(t *testing.T) *request {
	t.Helper()
	m, err := query.NewMapping(generated.NewExecutableSchema(generated.Config{}).Schema())
	if err != nil {
		t.Fatal(err)
	}
	return &request{w: New(m, nil, Options{})}
}

// Which labels a relationship's ends take: those they have, else one role
// of their group that the kind of relationship needs.
func TestKindPicksARole(t *testing.T) {
	r := writer(t)
	kinds := r.w.m.RelationshipKinds()
	tests := []struct {
		name     string
		relType  string
		from, to labels
		want     string // "from to", "" for none
	}{
		{"labels they have", "WORKS_FOR", labels{"Executive"}, labels{"Company"}, "Executive Company"},
		{"a partner becomes a company", "WORKS_FOR", labels{"Executive"}, labels{"Partner"}, "Executive Company"},
		{"an organisation of both", "WORKS_FOR", labels{"Executive"}, labels{"Company", "Partner"}, "Executive Company"},
		{"a company becomes a partner", "PARTNERED_WITH", labels{"Company"}, labels{"Company"}, "Company Partner"},
		{"the start takes the role", "SELLS", labels{"Company"}, labels{"Product"}, "Partner Product"},
		{"no group, no role", "WORKS_FOR", labels{"Executive"}, labels{"Product"}, ""},
		{"an executive is no organisation", "WORKS_FOR", labels{"Executive"}, labels{"Executive"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, ok := r.kind(kinds, tt.relType, [2]end{{id: "a", labels: tt.from}, {id: "b", labels: tt.to}})
			got := ""
			if ok {
				got = from + " " + to
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProvenance(t *testing.T) {
	tests := []struct {
		name   string
		in     map[string]any
		method string
		conf   float64
		bad    string
	}{
		{"nothing said is manual", map[string]any{}, "MANUAL", 1, ""},
		{"extracted with its confidence", map[string]any{"method": "EXTRACTED", "confidence": 0.7}, "EXTRACTED", 0.7, ""},
		{"a dataset", map[string]any{"method": "DATASET"}, "DATASET", 1, ""},
		{"an integer confidence", map[string]any{"method": "EXTRACTED", "confidence": int64(1)}, "EXTRACTED", 1, ""},
		{"extracted without one", map[string]any{"method": "EXTRACTED"}, "EXTRACTED", 0, "needs its confidence"},
		{"above 1", map[string]any{"confidence": 1.2}, "MANUAL", 1.2, "from 0 to 1"},
		{"below 0", map[string]any{"method": "DATASET", "confidence": -0.5}, "DATASET", -0.5, "from 0 to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bad invalid
			method, conf := provenance(tt.in, "facts[0]", 0, &bad)
			if method != tt.method || conf != tt.conf {
				t.Errorf("got %s %v, want %s %v", method, conf, tt.method, tt.conf)
			}
			switch {
			case tt.bad == "" && len(bad) > 0:
				t.Errorf("refused: %v", bad[0])
			case tt.bad != "" && (len(bad) != 1 || !strings.Contains(bad[0].Error(), tt.bad) || bad[0].Fields["field"] != "facts[0].confidence"):
				t.Errorf("want one error %q at facts[0].confidence, got %v", tt.bad, bad)
			}
		})
	}
}

// Which entity facts of an article keep their id, and which entity each
// relationship's end is: by the type the extractor read it as.
func TestArticleConflictsAndEnds(t *testing.T) {
	r := writer(t)
	ent := func(key, id string, confidence float64) *articleFact {
		return &articleFact{key: key, given: key, givenID: id, confidence: confidence, ends: [2]int{-1, -1},
			input: map[string]any{key: map[string]any{"id": id}}}
	}
	rel := func(from, fromType, to, toType string) *articleFact {
		return &articleFact{key: "relationship", endTypes: [2]string{fromType, toType}, ends: [2]int{-1, -1},
			input: map[string]any{"relationship": map[string]any{"from": from, "to": to}}}
	}
	held := ent("executive", "held", 0.9)
	held.held = labels{"Company"}
	renamed := ent("company", "acme-corp", 0.8)
	renamed.input["company"].(map[string]any)["id"] = "acme" // matched by name
	facts := []*articleFact{
		0:  ent("executive", "paytm", 0.6),
		1:  ent("company", "paytm", 0.85),
		2:  ent("partner", "paytm", 0.7), // a Company's other role: one node
		3:  ent("executive", "dup", 0.8),
		4:  ent("market", "dup", 0.8), // as sure as fact 3: the first keeps it
		5:  held,
		6:  ent("product", "article-1", 0.5),
		7:  renamed,
		8:  rel("paytm", "Executive", "paytm", "Company"),
		9:  rel("vijay", "Executive", "paytm", "Company"),
		10: rel("acme-corp", "Company", "dup", "Market"),
		11: rel("acme-corp", "", "held", ""), // no types: the id alone
		12: rel("paytm", "", "x", ""),
	}
	r.conflicts(facts, "article-1")
	r.link(facts)
	want := []string{
		0:  `id "paytm" is already a Company in this article (fact 1)`,
		1:  "",
		2:  "",
		3:  "",
		4:  `id "dup" is already an Executive in this article (fact 3)`,
		5:  `id "held" is already a Company in the graph`,
		6:  `id "article-1" is this article's source`,
		7:  "",
		8:  `from: the Executive "paytm" (fact 0) is skipped: id "paytm" is already a Company in this article (fact 1)`,
		9:  "",
		10: `to: the Market "dup" (fact 4) is skipped: id "dup" is already an Executive in this article (fact 3)`,
		11: `to: the Executive "held" (fact 5) is skipped: id "held" is already a Company in the graph`,
		12: "",
	}
	for i, f := range facts {
		if f.skipped != want[i] {
			t.Errorf("fact %d: skipped %q, want %q", i, f.skipped, want[i])
		}
	}
	// An end follows its entity to the node it matched; one that names no
	// fact is a node of the graph.
	if body := facts[9].input["relationship"].(map[string]any); facts[9].ends != [2]int{-1, 1} || body["from"] != "vijay" || body["to"] != "paytm" {
		t.Errorf("fact 9: ends %v, %v", facts[9].ends, body)
	}
	if body := facts[10].input["relationship"].(map[string]any); body["from"] != "acme" {
		t.Errorf("fact 10: %v", body)
	}
	// Without a type, the id names the fact that keeps it.
	if facts[12].ends[0] != 1 {
		t.Errorf("fact 12: ends %v", facts[12].ends)
	}
}
