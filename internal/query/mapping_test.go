package query_test

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/query"
)

const directives = `
enum RelationshipDirection { OUT IN }
directive @node(label: String!) on OBJECT
directive @edge on OBJECT
directive @from on FIELD_DEFINITION
directive @to on FIELD_DEFINITION
directive @relationship(type: String!, direction: RelationshipDirection!) on FIELD_DEFINITION
directive @evidence on FIELD_DEFINITION
directive @path on FIELD_DEFINITION
type Evidence { sentence: String! source: Source! }
type Source @node(label: "Source") { id: ID! }
`

func TestNewMappingRefusesBadSchemas(t *testing.T) {
	tests := []struct {
		name, sdl, want string
	}{
		{"label not an identifier", `type A @node(label: "A) DETACH DELETE (x") { id: ID! } type Query { a: [A!]! }`, "not a plain identifier"},
		{"relationship type not an identifier", `type A @node(label: "A") { id: ID! b: [A!]! @relationship(type: "X]-(y", direction: OUT) } type Query { a: [A!]! }`, "not a plain identifier"},
		{"relationship not a list", `type A @node(label: "A") { id: ID! b: A @relationship(type: "R", direction: OUT) } type Query { a: [A!]! }`, "must be a list, a connection or an aggregate"},
		{"relationship to a plain type", `type P { x: Int } type A @node(label: "A") { id: ID! b: [P!]! @relationship(type: "R", direction: OUT) } type Query { a: [A!]! }`, "neither a @node nor an @edge"},
		{"edge without @to", `type E @edge { a: A! @from } type A @node(label: "A") { id: ID! } type Query { a: [A!]! }`, "one @from and one @to"},
		{"edge end is not a node", `type P { x: Int } type E @edge { a: A! @from p: P! @to } type A @node(label: "A") { id: ID! } type Query { a: [A!]! }`, "not a @node type"},
		{"edge seen from the wrong end", `type B @node(label: "B") { id: ID! } type E @edge { a: A! @from b: B! @to }
			type A @node(label: "A") { id: ID! e: [E!]! @relationship(type: "R", direction: IN) } type Query { a: [A!]! }`, "has B at this end"},
		{"root returns a plain type", `type P { x: Int } type Query { p: [P!]! }`, "not over a @node type"},
		{"single root without id", `type A @node(label: "A") { id: ID! } type Query { a(name: String): A }`, "needs an id argument"},
		{"evidence outside a node", `type P { e: [Evidence!]! @evidence } type Query { s: [Source!]! }`, "@evidence outside"},
		{"path without entities", `type N { id: ID! } type P { nodes: [N!]! } type Query { path(from: ID!, to: ID!): [P!]! @path }`, "no entity types"},
		{"path with a field the compiler does not project", `type A @node(label: "A") { id: ID! e: [Evidence!]! @evidence a: [A!]! @relationship(type: "R", direction: OUT) }
			type N { id: ID! colour: String } type P { nodes: [N!]! } type Query { path(from: ID!, to: ID!): [P!]! @path }`, "N.colour is not a field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := gqlparser.LoadSchema(&ast.Source{Input: directives + tt.sdl})
			if err != nil {
				t.Fatalf("schema does not parse: %v", err)
			}
			_, merr := query.NewMapping(s)
			if merr == nil || !strings.Contains(merr.Error(), tt.want) {
				t.Fatalf("got %v, want error containing %q", merr, tt.want)
			}
		})
	}
}

func TestMappingOfTheRealSchema(t *testing.T) {
	m, err := query.NewMapping(schema(t))
	if err != nil {
		t.Fatal(err)
	}
	want := "Company Event Executive Market Partner Product Source"
	if got := strings.Join(m.Labels(), " "); got != want {
		t.Errorf("labels: got %q, want %q", got, want)
	}
	kinds := m.RelationshipKinds()
	for _, k := range [][3]string{
		{"Executive", "WORKS_FOR", "Company"},
		{"Company", "PARTICIPATED_IN", "Event"},
		{"Executive", "PARTICIPATED_IN", "Event"},
		{"Market", "REACTED_TO", "Event"},
		{"Event", "PART_OF", "Event"},
		{"Company", "MENTIONED_IN", "Source"},
	} {
		if !kinds[k] {
			t.Errorf("relationship %v not mapped", k)
		}
	}
	if kinds[[3]string{"Company", "WORKS_FOR", "Executive"}] {
		t.Error("WORKS_FOR mapped in the wrong direction")
	}
}

func TestGroupsOfTheServedSchema(t *testing.T) {
	m, err := query.NewMapping(schema(t))
	if err != nil {
		t.Fatal(err)
	}
	if g := m.Groups(); len(g) != 1 || strings.Join(g["Organization"], ",") != "Company,Partner" {
		t.Errorf("groups: %v", g)
	}
	tests := []struct {
		a, b string
		same bool
	}{
		{"Company", "Partner", true},
		{"Partner", "Company", true},
		{"Company", "Company", true},
		{"Company", "Product", false},
		{"Executive", "Executive", false},
	}
	for _, tt := range tests {
		if got := m.SameGroup(tt.a, tt.b); got != tt.same {
			t.Errorf("SameGroup(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
	if got := strings.Join(m.NodeLabels("Partner"), ","); got != "Partner,Organization" {
		t.Errorf("NodeLabels(Partner) = %s", got)
	}
	if got := strings.Join(m.NodeLabels("Market"), ","); got != "Market" {
		t.Errorf("NodeLabels(Market) = %s", got)
	}
	ds, err := m.Defaults()
	if err != nil || len(ds) != 1 || ds[0] != (query.Default{RelType: "WORKS_FOR", Property: "current", Value: true}) {
		t.Errorf("defaults: %v %v", ds, err)
	}
}

func TestGroupMustNotBeALabel(t *testing.T) {
	sdl := directives + `type A @node(label: "A", group: "Source") { id: ID! } type Query { a: [A!]! }`
	sdl = strings.Replace(sdl, "directive @node(label: String!) on OBJECT", "directive @node(label: String!, group: String) on OBJECT", 1)
	s, gerr := gqlparser.LoadSchema(&ast.Source{Input: sdl})
	if gerr != nil {
		t.Fatal(gerr)
	}
	if _, err := query.NewMapping(s); err == nil || !strings.Contains(err.Error(), "is a type's label") {
		t.Errorf("got %v", err)
	}
}

func TestCypherFloat(t *testing.T) {
	for in, want := range map[float64]string{1: "1.0", 0.5: "0.5", 16e9: "16000000000.0", 0: "0.0"} {
		if got := query.CypherFloat(in); got != want {
			t.Errorf("CypherFloat(%v) = %s, want %s", in, got, want)
		}
	}
}
