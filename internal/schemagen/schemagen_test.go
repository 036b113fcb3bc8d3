package schemagen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// mapping holds the directives the type definitions use.
func mapping(t *testing.T) *ast.Source {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "graph", "schema", "mapping.graphqls"))
	if err != nil {
		t.Fatal(err)
	}
	return &ast.Source{Name: "mapping.graphqls", Input: string(raw)}
}

const small = `
type Person @node(label: "Person", plural: "people") {
  id: ID!
  name: String!
  age: Int
  nicknames: [String!]!
  friends: [Friendship!]! @relationship(type: "FRIEND_OF", direction: OUT)
  employer: [Firm!]! @relationship(type: "WORKS_AT", direction: OUT)
}
type Firm @node(label: "Firm") { id: ID! name: String! }
type Source @node(label: "Source") { id: ID! title: String! }
type Friendship @edge {
  person: Person! @from
  friend: Person! @to
  since: Int
}
`

func TestGenerate(t *testing.T) {
	sdl, nodes, err := Generate([]*ast.Source{mapping(t), {Name: "small.graphqls", Input: small}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(nodes, ",") != "Firm,Person,Source" {
		t.Errorf("node types: %v", nodes)
	}
	s, gerr := gqlparser.LoadSchema(&ast.Source{Input: string(sdl)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	for _, want := range []struct{ typ, field, fieldType string }{
		{"Query", "person", "Person"},
		{"Query", "people", "[Person!]!"},
		{"Query", "peopleConnection", "PersonConnection!"},
		{"Query", "peopleAggregate", "PersonAggregate!"},
		{"Query", "firms", "[Firm!]!"},
		{"Query", "search", "[SearchHit!]!"},
		{"Query", "node", "Node"},
		{"Person", "friends", "[Friendship!]!"},
		{"Person", "friendsConnection", "FriendshipConnection!"},
		{"Person", "employerAggregate", "FirmAggregate!"},
		{"PersonAggregate", "age", "IntStats!"},
		{"PersonAggregate", "countBy", "[GroupCount!]!"},
		{"FriendshipAggregate", "since", "IntStats!"},
		{"PersonWhere", "nicknames", "StringListFilter"},
		{"PersonWhere", "friends", "FriendshipListFilter"},
		{"FriendshipWhere", "friend", "PersonWhere"},
		{"FriendshipSort", "friend", "PersonSort"},
		{"PersonSort", "age", "SortDirection"},
	} {
		def := s.Types[want.typ]
		if def == nil {
			t.Errorf("no type %s", want.typ)
			continue
		}
		f := def.Fields.ForName(want.field)
		if f == nil || f.Type.String() != want.fieldType {
			t.Errorf("%s.%s: got %v, want %s", want.typ, want.field, f, want.fieldType)
		}
	}
	if args := s.Types["Person"].Fields.ForName("friends").Arguments; len(args) != 4 || args.ForName("where").Type.Name() != "FriendshipWhere" {
		t.Errorf("friends arguments: %v", args)
	}
	if s.Types["PersonSort"].Fields.ForName("nicknames") != nil {
		t.Error("a list field is not a sort key")
	}
}

func TestGenerateRefuses(t *testing.T) {
	tests := []struct{ name, sdl, want string }{
		{"no node types", `type Source { id: ID! }`, "no @node types"},
		{"hand-written root field", small + `type Query { everyone: [Person!]! }`, "needs @custom or @path"},
		{"invalid definitions", `type A @node(label: "A") { id: Nope }`, "type definitions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Generate([]*ast.Source{mapping(t), {Name: "t.graphqls", Input: tt.sdl}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestGenerateKeepsCustomRootFields(t *testing.T) {
	sdl, _, err := Generate([]*ast.Source{mapping(t), {Name: "t.graphqls", Input: small + `
type Query {
  "Needs a statement of its own."
  oldest: Person @custom
}`}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sdl), "oldest: Person @custom") || !strings.Contains(string(sdl), "people(where: PersonWhere") {
		t.Errorf("custom field or generated fields missing:\n%s", sdl)
	}
}
