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
