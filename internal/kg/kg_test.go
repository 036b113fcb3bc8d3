package kg

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
)

// graph is a Graph over the API's schema, without a database: enough for
// everything that must happen before a statement is sent. The schema is
// read from its file, since the generated executor imports this package.
func graph(t *testing.T) *Graph {
	t.Helper()
	sdl, err := os.ReadFile("../../graph/schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(sdl)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	g, err := New(schema, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestNewReadsTheSchema(t *testing.T) {
	g := graph(t)
	if got := strings.Join(g.EntityTypes(), ","); got != "Company,Event,Executive,Market,Partner,Product" {
		t.Errorf("entity types %s", got)
	}
	if g.sourceLabel != "Source" {
		t.Errorf("source label %q", g.sourceLabel)
	}
	if slices.Contains(g.relTypes, "MENTIONED_IN") || !slices.Contains(g.relTypes, "WORKS_FOR") || !slices.Contains(g.relTypes, "PART_OF") {
		t.Errorf("relationship types %v", g.relTypes)
	}
}

func TestNewRefuses(t *testing.T) {
	const base = `
directive @node(label: String!, plural: String) on OBJECT
directive @relationship(type: String!, direction: String!) on FIELD_DEFINITION
directive @evidence on FIELD_DEFINITION
type Evidence { sentence: String! source: Source! }
type Source @node(label: "Source") { id: ID! }
type Query { x: Int }
`
	tests := []struct{ name, sdl, want string }{
		{"no entities", base, "no @node type has an @evidence field"},
		{"no events", base + `type Company @node(label: "Company") { id: ID! evidence: [Evidence!]! @evidence
		  peers: [Company!]! @relationship(type: "PEER", direction: "OUT") }`, "no entity type Event"},
		{"label not an identifier", base + "type Event @node(label: \"Ev`ent\") { id: ID! evidence: [Evidence!]! @evidence }", "not a plain identifier"},
		{"relationship type not an identifier", base + `type Event @node(label: "Event") { id: ID! evidence: [Evidence!]! @evidence
		  parts: [Event!]! @relationship(type: "PART OF", direction: "IN") }`, "not a plain identifier"},
		{"no relationships", base + `type Event @node(label: "Event") { id: ID! evidence: [Evidence!]! @evidence }`, "no relationship types"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			schema, err := gqlparser.LoadSchema(&ast.Source{Input: tt.sdl})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := New(schema, nil, Options{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// Bad input is refused before any statement: the Graph has no client.
func TestBadInputNeedsNoDatabase(t *testing.T) {
	g := graph(t)
	ctx := context.Background()
	n := func(v int64) *int64 { return &v }
	s := func(v string) *string { return &v }
	tests := []struct {
		name string
		call func() error
	}{
		{"depth 0", func() error { _, err := g.Neighborhood(ctx, "a", n(0), nil, nil); return err }},
		{"depth 4", func() error { _, err := g.Neighborhood(ctx, "a", n(MaxDepth+1), nil, nil); return err }},
		{"limit -1", func() error { _, err := g.Neighborhood(ctx, "a", nil, n(-1), nil); return err }},
		{"limit 501", func() error { _, err := g.Neighborhood(ctx, "a", nil, n(MaxLimit+1), nil); return err }},
		{"unknown type", func() error { _, err := g.Neighborhood(ctx, "a", nil, nil, []string{"Planet"}); return err }},
		{"source type", func() error { _, err := g.Neighborhood(ctx, "a", nil, nil, []string{"Source"}); return err }},
		{"depth without a centre", func() error { _, err := g.Subgraph(ctx, SubgraphQuery{Depth: n(1)}); return err }},
		{"relative from", func() error { _, err := g.Timeline(ctx, "a", s("last year"), nil); return err }},
		{"to before from", func() error { _, err := g.Timeline(ctx, "a", s("2014-02"), s("2014-01-31")); return err }},
		{"facts limit 0", func() error { _, err := g.Facts(ctx, "s", n(0)); return err }},
		{"empty name", func() error { _, err := g.Resolve(ctx, " \t"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *apierror.Error
			if !errors.As(err, &e) || e.Code != apierror.BadInput {
				t.Fatalf("got %v, want BAD_USER_INPUT", err)
			}
		})
	}
}

func TestEdgeID(t *testing.T) {
	if got := EdgeID("us", "REACTED_TO", "xiaomi-us-announcement", "customers"); got != "us|REACTED_TO|xiaomi-us-announcement|customers" {
		t.Errorf("keyed: %s", got)
	}
	if got := EdgeID("hugo-barra", "WORKS_FOR", "xiaomi", ""); got != "hugo-barra|WORKS_FOR|xiaomi" {
		t.Errorf("unkeyed: %s", got)
	}
}
