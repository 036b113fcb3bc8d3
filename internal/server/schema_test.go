package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// A schema with the kinds of directive ours has: one of its own that maps
// types to the database, and built-in ones a client must see.
const stubSDL = `
directive @node(label: String!) on OBJECT
directive @relationship(type: String!) on FIELD_DEFINITION | ARGUMENT_DEFINITION | ENUM_VALUE

"A thing."
type Widget @node(label: "Widget") {
  id: ID!
  parts(first: Int @relationship(type: "X") @deprecated(reason: "no paging")): [Widget!]! @relationship(type: "HAS_PART")
  legacy: String @deprecated(reason: "use id")
}

enum Colour { RED @relationship(type: "Y") GREEN @deprecated }

input WidgetFilter @oneOf { id: ID name: String }

type Query {
  widget(id: ID!): Widget
  widgets(filter: WidgetFilter): [Widget!]!
  colour: Colour
}
`

type stub struct{ s *ast.Schema }

func (s stub) Schema() *ast.Schema { return s.s }
func (stub) Complexity(context.Context, string, string, int, map[string]any) (int, bool) {
	return 0, false
}
func (stub) Exec(context.Context) graphql.ResponseHandler { return nil }

func stubSchema(t *testing.T) stub {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "stub.graphqls", Input: stubSDL})
	if err != nil {
		t.Fatal(err)
	}
	return stub{s}
}

func TestSchemaSDL(t *testing.T) {
	schema := stubSchema(t)
	rec := serve(schemaHandler(schema.Schema()), "/schema.graphql", nil)
	sdl := rec.Body.String()
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	for _, want := range []string{
		`"""` + "\n" + `A thing.`,
		"type Widget {",
		`parts(first: Int @deprecated(reason: "no paging")): [Widget!]!` + "\n",
		`legacy: String @deprecated(reason: "use id")`,
		"GREEN @deprecated",
		"input WidgetFilter @oneOf {",
		"widget(id: ID!): Widget",
	} {
		if !strings.Contains(sdl, want) {
			t.Errorf("SDL lacks %q:\n%s", want, sdl)
		}
	}
	for _, internal := range []string{"@node", "@relationship", "HAS_PART", "directive @deprecated"} {
		if strings.Contains(sdl, internal) {
			t.Errorf("SDL shows %q:\n%s", internal, sdl)
		}
	}
	// What a code generator will do with it: read it as a schema.
	if _, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: sdl}); err != nil {
		t.Errorf("the SDL does not load: %v\n%s", err, sdl)
	}
	// The engine reads the mapping directives from the same schema.
	if len(schema.Schema().Types["Widget"].Directives) != 1 || schema.Schema().Directives["node"] == nil {
		t.Error("printing the SDL changed the schema it printed")
	}

	etag := rec.Header().Get("ETag")
	again := serve(schemaHandler(schema.Schema()), "/schema.graphql", map[string]string{"If-None-Match": etag})
	if etag == "" || again.Code != http.StatusNotModified {
		t.Errorf("revalidation with ETag %q answered %d", etag, again.Code)
	}
}
