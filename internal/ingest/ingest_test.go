package ingest

import (
	"strings"
	"testing"

	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/query"
	"github.com/companygraph/companygraph/seed"
)

func mapping(t *testing.T) *query.Mapping {
	t.Helper()
	m, err := query.NewMapping(generated.NewExecutableSchema(generated.Config{}).Schema())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Every fact in the seed must be one the API can show.
func TestSeedFitsTheSchema(t *testing.T) {
	sets, err := seed.All()
	if err != nil {
		t.Fatal(err)
	}
	m := mapping(t)
	for _, d := range sets {
		plan, err := Plan(m, d)
		if err != nil {
			t.Fatalf("%s: %v", d.Source.ID, err)
		}
		for _, st := range plan {
			if strings.Contains(st.cypher, d.Source.ID) {
				t.Errorf("%s: a value reached the Cypher text: %s", st.what, st.cypher)
			}
		}
	}
}

func TestPlanRefusesWhatTheSchemaLacks(t *testing.T) {
	m := mapping(t)
	base := func() seed.Dataset {
		return seed.Dataset{
			Source: seed.Source{ID: "s"},
			Nodes: []seed.Node{
				{Label: "Company", ID: "acme"},
				{Label: "Executive", ID: "bob"},
			},
			Relationships: []seed.Relationship{{Type: "WORKS_FOR", From: "Executive:bob", To: "Company:acme"}},
		}
	}
	if _, err := Plan(m, base()); err != nil {
		t.Fatalf("valid dataset refused: %v", err)
	}
	tests := []struct {
		name  string
		spoil func(*seed.Dataset)
		want  string
	}{
		{"unknown label", func(d *seed.Dataset) { d.Nodes[0].Label = "Company`) DETACH DELETE (x" }, "not in the schema"},
		{"unknown type", func(d *seed.Dataset) { d.Relationships[0].Type = "OWNS" }, "not in the schema"},
		{"wrong direction", func(d *seed.Dataset) {
			d.Relationships[0].From, d.Relationships[0].To = "Company:acme", "Executive:bob"
		}, "not in the schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			tt.spoil(&d)
			if _, err := Plan(m, d); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want error containing %q", err, tt.want)
			}
		})
	}
}
