package difftest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

// Reference answers GraphQL operations from a Snapshot, one field at a
// time, the way the GraphQL specification's ExecuteSelectionSet reads.
type Reference struct {
	snap    *Snapshot
	m       *model
	client  *neo4j.Client // only for search, which needs the full-text index
	cursors *Cursors
	maxPage int
	byElem  map[string]*Node
	// relByElem and evidenceTypes are for the evidence search: the
	// relationships by element id, and the types its index covers.
	relByElem     map[string]*Rel
	evidenceTypes map[string]bool
	// changeTypes are what a change may be of: the types with evidence,
	// the type evidence comes from, and the relationship types but
	// mentions.
	changeTypes []string
}

// NewReference answers over snap with the served schema s; client is used
// for search only.
func NewReference(s *ast.Schema, snap *Snapshot, client *neo4j.Client, cursors *Cursors, maxPage int) *Reference {
	r := &Reference{snap: snap, m: newModel(s), client: client, cursors: cursors, maxPage: maxPage, byElem: map[string]*Node{}}
	for _, n := range snap.Nodes {
		r.byElem[n.ElementID] = n
	}
	r.relByElem, r.evidenceTypes = map[string]*Rel{}, map[string]bool{query.MentionedIn: true}
	for _, rel := range snap.Rels {
		r.relByElem[rel.ElementID] = rel
	}
	for _, def := range s.Types {
		for _, fd := range def.Fields {
			if d := fd.Directives.ForName("relationship"); d != nil {
				r.evidenceTypes[d.Arguments.ForName("type").Value.Raw] = true
			}
		}
	}
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			r.changeTypes = append(r.changeTypes, t)
		}
	}
	for _, def := range s.Types {
		if def.Directives.ForName("node") == nil {
			continue
		}
		for _, f := range def.Fields {
			if f.Directives.ForName("evidence") != nil {
				add(def.Name)
				if src := s.Types[f.Type.Name()].Fields.ForName("source"); src != nil {
					add(src.Type.Name())
				}
			}
			if d := f.Directives.ForName("relationship"); d != nil && d.Arguments.ForName("type").Value.Raw != "MENTIONED_IN" {
				add(d.Arguments.ForName("type").Value.Raw)
			}
		}
	}
	return r
}

// Answer is a response reduced to what the test compares: data, and the
// errors as (path, code).
type Answer struct {
	Data   any
	Errors []ErrorKey
}

// ErrorKey is an error's path, as JSON, and its extensions.code.
type ErrorKey struct {
	Path string `json:"path"`
	Code string `json:"code"`
}

// cursor is a position in a list; the reference never needs its spelling.
type cursor int

// fieldError is an error raised by one field, which nulls it.
type fieldError struct{ code, msg string }

func (e *fieldError) Error() string { return e.code + ": " + e.msg }

func badInput(format string, args ...any) error {
	return &fieldError{"BAD_USER_INPUT", fmt.Sprintf(format, args...)}
}

// Execute answers one operation with its variables (as decoded JSON).
func (r *Reference) Execute(ctx context.Context, query string, vars map[string]any) Answer {
	doc, errs := gqlparser.LoadQuery(r.m.schema, query)
	if len(errs) > 0 {
		return Answer{Errors: []ErrorKey{{Path: "null", Code: "GRAPHQL_VALIDATION_FAILED"}}}
	}
	if len(doc.Operations) != 1 || doc.Operations[0].Operation != ast.Query {
		return Answer{Errors: []ErrorKey{{Path: "null", Code: "UNSUPPORTED"}}}
	}
	op := doc.Operations[0]
	e := &exec{r: r, ctx: ctx, doc: doc, vars: map[string]any{}}
	for _, vd := range op.VariableDefinitions {
		if v, ok := vars[vd.Variable]; ok {
			e.vars[vd.Variable] = e.fromJSON(v, vd.Type)
		} else if vd.DefaultValue != nil {
			e.vars[vd.Variable], _ = e.literal(vd.DefaultValue, vd.Type)
		}
	}
	data, failed := e.object("Query", nil, op.SelectionSet, nil)
	if failed {
		return Answer{Errors: e.errs}
	}
	return Answer{Data: data, Errors: e.errs}
}

type exec struct {
	r    *Reference
	ctx  context.Context
	doc  *ast.QueryDocument
	vars map[string]any
	errs []ErrorKey
}

func (e *exec) fail(path []any, code string) {
	raw, _ := json.Marshal(path)
	e.errs = append(e.errs, ErrorKey{Path: string(raw), Code: code})
}

// group is the fields of one response key, in the order CollectFields
// met them.
type group struct {
	key    string
	fields []*ast.Field
}

// collect is the specification's CollectFields.
func (e *exec) collect(objType string, sels ast.SelectionSet, visited map[string]bool, out *[]*group) {
	for _, s := range sels {
		switch s := s.(type) {
		case *ast.Field:
			if !e.included(s.Directives) {
				continue
			}
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			var g *group
			for _, x := range *out {
				if x.key == key {
					g = x
				}
			}
			if g == nil {
				g = &group{key: key}
				*out = append(*out, g)
			}
			g.fields = append(g.fields, s)
		case *ast.FragmentSpread:
			if !e.included(s.Directives) || visited[s.Name] {
				continue
			}
			visited[s.Name] = true
			f := e.doc.Fragments.ForName(s.Name)
			if f == nil || !e.applies(objType, f.TypeCondition) {
				continue
			}
			e.collect(objType, f.SelectionSet, visited, out)
		case *ast.InlineFragment:
			if !e.included(s.Directives) {
				continue
			}
			if s.TypeCondition != "" && !e.applies(objType, s.TypeCondition) {
				continue
			}
			e.collect(objType, s.SelectionSet, visited, out)
		}
	}
}

func (e *exec) included(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		v, _ := e.literal(d.Arguments.ForName("if").Value, ast.NonNullNamedType("Boolean", nil))
		if d.Name == "skip" && v == true {
			return false
		}
		if d.Name == "include" && v != true {
			return false
		}
	}
	return true
}

// applies reports whether a fragment on cond applies to an object of type objType.
func (e *exec) applies(objType, cond string) bool {
	if cond == objType {
		return true
	}
	def := e.r.m.schema.Types[objType]
	for _, i := range def.Interfaces {
		if i == cond {
			return true
		}
	}
	return false
}

// object executes a selection set on src of type objType. failed means a
// non-null field was null: the object is null in turn.
func (e *exec) object(objType string, src any, sels ast.SelectionSet, path []any) (map[string]any, bool) {
	var groups []*group
	e.collect(objType, sels, map[string]bool{}, &groups)
	out := map[string]any{}
	for _, g := range groups {
		v, failed := e.field(objType, src, g, append(path[:len(path):len(path)], g.key))
		if failed {
			return nil, true
		}
		out[g.key] = v
	}
	return out, false
}

func (e *exec) field(objType string, src any, g *group, path []any) (any, bool) {
	f := g.fields[0]
	if f.Name == "__typename" {
		return objType, false
	}
	fd := e.r.m.field(objType, f.Name)
	args, err := e.args(fd, f)
	var v any
	if err == nil {
		v, err = e.resolve(objType, src, fd, args)
	}
	if err != nil {
		code := "INTERNAL"
		if fe, ok := err.(*fieldError); ok {
			code = fe.code
		}
		e.fail(path, code)
		return nil, fd.Type.NonNull
	}
	var sub ast.SelectionSet
	for _, x := range g.fields {
		sub = append(sub, x.SelectionSet...)
	}
	return e.complete(fd.Type, v, sub, path)
}

// complete is CompleteValue: failed means v is null (or became null by a
// field error below it) where t forbids null, so the parent is null too;
// the error is already recorded. A missing value where the schema says
// non-null is an error of its own, as the API reports it.
func (e *exec) complete(t *ast.Type, v any, sub ast.SelectionSet, path []any) (any, bool) {
	if v == nil {
		if t.NonNull {
			e.fail(path, "INVALID_STORED_VALUE")
			return nil, true
		}
		return nil, false
	}
	if t.Elem != nil {
		list := asList(v)
		out := make([]any, 0, len(list))
		for i, x := range list {
			item, failed := e.complete(t.Elem, x, sub, append(path[:len(path):len(path)], i))
			if failed {
				return nil, t.NonNull
			}
			out = append(out, item)
		}
		return out, false
	}
	def := e.r.m.schema.Types[t.NamedType]
	switch def.Kind {
	case ast.Scalar, ast.Enum:
		return leaf(t.NamedType, v), false
	case ast.Interface:
		n := v.(*Node)
		out, failed := e.object(e.r.m.typeOf(n), n, sub, path)
		if failed {
			return nil, t.NonNull
		}
		return out, false
	}
	out, failed := e.object(t.NamedType, v, sub, path)
	if failed {
		return nil, t.NonNull
	}
	return out, false
}

// leaf serialises a scalar or enum value as its type says.
func leaf(typ string, v any) any {
	switch typ {
	case "ID", "String":
		switch x := v.(type) {
		case string:
			return x
		case int64:
			return strconv.FormatInt(x, 10)
		}
		return fmt.Sprint(v)
	case "Int":
		if f, ok := v.(float64); ok {
			return int64(f)
		}
	case "Float":
		if i, ok := v.(int64); ok {
			return float64(i)
		}
	}
	return v
}

func asList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return []any{v}
}

// args coerces a field's arguments by their definitions: literals and
// variables, defaults for what is left out.
func (e *exec) args(fd *ast.FieldDefinition, f *ast.Field) (map[string]any, error) {
	out := map[string]any{}
	for _, ad := range fd.Arguments {
		present := false
		if a := f.Arguments.ForName(ad.Name); a != nil {
			var v any
			if v, present = e.literal(a.Value, ad.Type); present {
				out[ad.Name] = v
			}
		}
		if !present && ad.DefaultValue != nil {
			out[ad.Name], _ = e.literal(ad.DefaultValue, ad.Type)
		}
	}
	return out, nil
}

// literal coerces an argument value to type t; present is false for a
// variable that was not given and has no default.
func (e *exec) literal(v *ast.Value, t *ast.Type) (any, bool) {
	if v.Kind == ast.Variable {
		x, ok := e.vars[v.Raw]
		return x, ok
	}
	if v.Kind == ast.NullValue {
		return nil, true
	}
	if t.Elem != nil {
		if v.Kind != ast.ListValue {
			// A single value where a list is expected is a list of one.
			x, ok := e.literal(v, t.Elem)
			if !ok {
				return nil, false
			}
			return []any{x}, true
		}
		out := []any{}
		for _, c := range v.Children {
			x, _ := e.literal(c.Value, t.Elem)
			out = append(out, x)
		}
		return out, true
	}
	def := e.r.m.schema.Types[t.NamedType]
	if def.Kind == ast.InputObject {
		out := map[string]any{}
		for _, fd := range def.Fields {
			if c := v.Children.ForName(fd.Name); c != nil {
				if x, ok := e.literal(c, fd.Type); ok {
					out[fd.Name] = x
					continue
				}
			}
			if fd.DefaultValue != nil {
				out[fd.Name], _ = e.literal(fd.DefaultValue, fd.Type)
			}
		}
		return out, true
	}
	switch t.NamedType {
	case "Int":
		n, _ := strconv.ParseInt(v.Raw, 10, 64)
		return n, true
	case "Float":
		f, _ := strconv.ParseFloat(v.Raw, 64)
		return f, true
	case "Boolean":
		return v.Raw == "true", true
	}
	// ID (a string or an integer, both read as a string), String, enums, Cursor.
	return v.Raw, true
}

// fromJSON coerces a variable's JSON value to type t.
func (e *exec) fromJSON(v any, t *ast.Type) any {
	if v == nil {
		return nil
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			return []any{e.fromJSON(v, t.Elem)}
		}
		out := []any{}
		for _, x := range list {
			out = append(out, e.fromJSON(x, t.Elem))
		}
		return out
	}
	def := e.r.m.schema.Types[t.NamedType]
	if def.Kind == ast.InputObject {
		obj, _ := v.(map[string]any)
		out := map[string]any{}
		for _, fd := range def.Fields {
			if x, ok := obj[fd.Name]; ok {
				out[fd.Name] = e.fromJSON(x, fd.Type)
			} else if fd.DefaultValue != nil {
				out[fd.Name], _ = e.literal(fd.DefaultValue, fd.Type)
			}
		}
		return out
	}
	n, isNumber := v.(json.Number)
	switch t.NamedType {
	case "Int":
		if isNumber {
			i, _ := n.Int64()
			return i
		}
	case "Float":
		if isNumber {
			f, _ := n.Float64()
			return f
		}
	case "ID":
		if isNumber {
			return n.String()
		}
	}
	return v
}

// intArg reads an optional Int argument.
func intArg(args map[string]any, name string) (int64, bool) {
	v, ok := args[name]
	if !ok || v == nil {
		return 0, false
	}
	return v.(int64), true
}

func sortStrings(s []string) { sort.Strings(s) }
