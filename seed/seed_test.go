package seed

import (
	"strings"
	"testing"
)

func TestAllLoadsTheArticle(t *testing.T) {
	sets, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 1 {
		t.Fatalf("want 1 dataset, got %d", len(sets))
	}
	d := sets[0]
	if !strings.HasPrefix(d.Source.Text, "Xiaomi finally entering US") {
		t.Errorf("source text not loaded: %.40q", d.Source.Text)
	}
	if len(d.Nodes) == 0 || len(d.Relationships) == 0 {
		t.Errorf("empty dataset: %d nodes, %d relationships", len(d.Nodes), len(d.Relationships))
	}
}

func TestCheckRefuses(t *testing.T) {
	base := func() Dataset {
		return Dataset{
			Source: Source{ID: "s", Text: "Acme hired Bob. Bob left."},
			Nodes: []Node{
				{Label: "Company", ID: "acme", Evidence: []string{"Acme hired Bob."}},
				{Label: "Executive", ID: "bob", Evidence: []string{"Bob left."}},
			},
			Relationships: []Relationship{{Type: "WORKS_FOR", From: "Executive:bob", To: "Company:acme", Evidence: []string{"Acme hired Bob."}}},
		}
	}
	tests := []struct {
		name  string
		spoil func(*Dataset)
		want  string
	}{
		{"sentence not in source", func(d *Dataset) { d.Nodes[0].Evidence = []string{"Acme was sold."} }, "is not in source"},
		{"no evidence", func(d *Dataset) { d.Relationships[0].Evidence = nil }, "no evidence"},
		{"unknown end", func(d *Dataset) { d.Relationships[0].To = "Company:globex" }, "unknown node"},
		{"duplicate node", func(d *Dataset) { d.Nodes[1] = d.Nodes[0] }, "defined twice"},
		{"id used by two labels", func(d *Dataset) { d.Nodes[1].ID = "acme" }, "already used by a Company"},
		{"id of the source", func(d *Dataset) { d.Nodes[1].ID = "s" }, "already used by a Source"},
		{"missing id", func(d *Dataset) { d.Nodes[0].ID = "" }, "required"},
	}
	if err := base().Check(); err != nil {
		t.Fatalf("valid dataset refused: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			tt.spoil(&d)
			err := d.Check()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestNumbersKeepTheirType(t *testing.T) {
	sets, err := All()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]map[string]any{}
	for _, n := range sets[0].Nodes {
		byID[n.ID] = n.Properties
	}
	if v, ok := byID["xiaomi-smartphone-sales"]["unitsSold"].(int64); !ok || v != 61_100_000 {
		t.Errorf("unitsSold: %#v", byID["xiaomi-smartphone-sales"]["unitsSold"])
	}
	if v, ok := byID["xiaomi-funding-december"]["amountUsd"].(float64); !ok || v != 1.1e9 {
		t.Errorf("amountUsd: %#v", byID["xiaomi-funding-december"]["amountUsd"])
	}
}
