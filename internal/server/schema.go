package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

// schemaHandler serves the schema as SDL, for client code generators. It
// is printed once: the schema does not change while the process runs.
func schemaHandler(s *ast.Schema) http.Handler {
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithIndent("  ")).FormatSchema(clientSchema(s))
	sdl := buf.Bytes()
	sum := sha256.Sum256(sdl)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// There is no registered media type for SDL; text shows in a browser.
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "schema.graphql", time.Time{}, bytes.NewReader(sdl))
	})
}

// clientSchema is s as a client sees it through introspection: the
// directives our own schema defines and applies (@node, @relationship and
// the like) say how types map to Neo4j labels and relationships, which is
// the query engine's business and no client's, so they are left out, and
// only the built-in ones (@deprecated, @specifiedBy, @oneOf) stay. s itself
// is not changed, since the engine reads those directives from it.
func clientSchema(s *ast.Schema) *ast.Schema {
	builtin := func(name string) bool {
		d := s.Directives[name]
		return d != nil && d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn
	}
	keep := func(list ast.DirectiveList) ast.DirectiveList {
		var out ast.DirectiveList
		for _, d := range list {
			if builtin(d.Name) {
				out = append(out, d)
			}
		}
		return out
	}
	c := *s
	c.Directives = map[string]*ast.DirectiveDefinition{}
	for name, d := range s.Directives {
		if builtin(name) {
			c.Directives[name] = d
		}
	}
	c.SchemaDirectives = keep(s.SchemaDirectives)
	c.Types = make(map[string]*ast.Definition, len(s.Types))
	for name, def := range s.Types {
		d := *def
		d.Directives = keep(def.Directives)
		d.Fields = make(ast.FieldList, len(def.Fields))
		for i, f := range def.Fields {
			fc := *f
			fc.Directives = keep(f.Directives)
			fc.Arguments = make(ast.ArgumentDefinitionList, len(f.Arguments))
			for j, a := range f.Arguments {
				ac := *a
				ac.Directives = keep(a.Directives)
				fc.Arguments[j] = &ac
			}
			d.Fields[i] = &fc
		}
		d.EnumValues = make(ast.EnumValueList, len(def.EnumValues))
		for i, v := range def.EnumValues {
			vc := *v
			vc.Directives = keep(v.Directives)
			d.EnumValues[i] = &vc
		}
		c.Types[name] = &d
	}
	return &c
}
