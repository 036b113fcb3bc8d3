package seed

import (
	"strings"
	"testing"
)

func TestSeedHasOneNodePerName(t *testing.T) {
	sets, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckNames(sets); err != nil {
		t.Fatal(err)
	}
}

func TestCheckNames(t *testing.T) {
	node := func(label, id, name string, aliases ...any) Node {
		return Node{Label: label, ID: id, Properties: map[string]any{"name": name, "aliases": aliases}}
	}
	set := func(nodes ...Node) Dataset { return Dataset{Nodes: nodes} }
	tests := []struct {
		name string
		sets []Dataset
		want string // "" for no error
	}{
		{"distinct names", []Dataset{set(node("Company", "xiaomi", "Xiaomi", "Xiaomi Inc."), node("Partner", "flipkart", "Flipkart"))}, ""},
		{"alias equal to its own name", []Dataset{set(node("Market", "us", "US", "us"))}, ""},
		{"one node in two datasets", []Dataset{set(node("Company", "xiaomi", "Xiaomi")), set(node("Company", "xiaomi", "Xiaomi", "Xiaomi Inc."))}, ""},
		{"same name, other case", []Dataset{set(node("Company", "xiaomi", "Xiaomi"), node("Company", "xiaomi-2", "XIAOMI"))}, `"XIAOMI" names both Company:xiaomi and Company:xiaomi-2`},
		{"alias of one, name of another", []Dataset{set(node("Company", "xiaomi", "Xiaomi", "Mi")), set(node("Product", "mi", " mi "))}, "Company:xiaomi and Product:mi"},
		{"aliases of two", []Dataset{set(node("Market", "us", "United States", "US"), node("Market", "usa", "USA", "us"))}, `"us" names both Market:us and Market:usa`},
		{"spaces do not count", []Dataset{set(node("Company", "a", "Xiaomi  Inc."), node("Company", "b", "xiaomi inc."))}, "Company:a and Company:b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckNames(tt.sets)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an error containing %s", err, tt.want)
			}
		})
	}
}
