package query

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestNameQueries(t *testing.T) {
	tests := []struct {
		names     []string
		queries   []string
		unmatched []string
	}{
		{[]string{"xiaomi"}, []string{`name:"xiaomi" OR aliases:"xiaomi"`}, nil},
		// Lucene's syntax stays inside the phrase, quotes and backslashes escaped.
		{[]string{`at&t "mobility" \ or *`}, []string{`name:"at&t \"mobility\" \\ or *" OR aliases:"at&t \"mobility\" \\ or *"`}, nil},
		{[]string{"hugo barra", "..."}, []string{`name:"hugo barra" OR aliases:"hugo barra"`}, []string{"..."}},
		{[]string{"", " - "}, nil, []string{"", " - "}},
		{[]string{"小米"}, []string{`name:"小米" OR aliases:"小米"`}, nil},
	}
	for _, tt := range tests {
		queries, unmatched := NameQueries(tt.names)
		if !slices.Equal(queries, tt.queries) || !slices.Equal(unmatched, tt.unmatched) {
			t.Errorf("NameQueries(%q) = %q, %q; want %q, %q", tt.names, queries, unmatched, tt.queries, tt.unmatched)
		}
	}
}

func TestNameQueriesStayWithinLucenesClauses(t *testing.T) {
	var names []string
	for i := range 2*NamesPerQuery + 1 {
		names = append(names, fmt.Sprintf("company %d", i))
	}
	queries, _ := NameQueries(names)
	if len(queries) != 3 {
		t.Fatalf("%d queries for %d names, want 3", len(queries), len(names))
	}
	total := 0
	for _, q := range queries {
		n := strings.Count(q, "name:")
		total += n
		if n > NamesPerQuery {
			t.Errorf("a query of %d names", n)
		}
	}
	if total != len(names) {
		t.Errorf("the queries hold %d names, want %d", total, len(names))
	}
}
