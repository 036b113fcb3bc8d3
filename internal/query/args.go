package query

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Arguments are coerced here, once, from the request's literals and
// variables to the Go value of their schema type, as the GraphQL spec's
// CoerceArgumentValues does: ID and String are string, Int is int64,
// Float is float64, Boolean is bool, an enum is its name, a Cursor is a
// Cursor, a list is []any (a single value given for a list is a list of
// one), an input object is map[string]any holding the fields given
// (null as nil) and the defaults of those not given. The compiler and
// the mutations read only these values.

// Args coerces the arguments of one field.
func (m *Mapping) Args(def *ast.FieldDefinition, given ast.ArgumentList, vars map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(def.Arguments))
	for _, a := range def.Arguments {
		var v any
		present := false
		var err error
		if arg := given.ForName(a.Name); arg != nil {
			v, present, err = m.literal(arg.Value, a.Type, vars, a.Name)
			if err != nil {
				return nil, err
			}
		}
		if !present && a.DefaultValue != nil {
			if v, present, err = m.literal(a.DefaultValue, a.Type, nil, a.Name); err != nil {
				return nil, err
			}
		}
		if !present {
			if a.Type.NonNull {
				return nil, apierror.New(apierror.BadInput, "argument %s is required", a.Name)
			}
			continue
		}
		out[a.Name] = v
	}
	return out, nil
}

// literal coerces a value written in the query, which may name variables.
// present is false for a variable the request does not give.
func (m *Mapping) literal(v *ast.Value, t *ast.Type, vars map[string]any, at string) (any, bool, error) {
	if v.Kind == ast.Variable {
		x, ok := vars[v.Raw]
		if !ok {
			return nil, false, nil
		}
		out, err := m.value(x, t, at)
		return out, true, err
	}
	if v.Kind == ast.NullValue {
		if t.NonNull {
			return nil, false, apierror.New(apierror.BadInput, "%s cannot be null", at)
		}
		return nil, true, nil
	}
	if t.Elem != nil {
		if v.Kind != ast.ListValue {
			item, ok, err := m.literal(v, t.Elem, vars, at)
			if err != nil || !ok {
				return nil, ok, err
			}
			return []any{item}, true, nil
		}
		out := make([]any, 0, len(v.Children))
		for _, c := range v.Children {
			item, ok, err := m.literal(c.Value, t.Elem, vars, at)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				// A missing variable in a list is null.
				if t.Elem.NonNull {
					return nil, false, apierror.New(apierror.BadInput, "%s: an item cannot be null", at)
				}
				item = nil
			}
			out = append(out, item)
		}
		return out, true, nil
	}
	def := m.schema.Types[t.NamedType]
	if def == nil {
		return nil, false, apierror.New(apierror.BadInput, "%s: unknown type %s", at, t.NamedType)
	}
	if def.Kind == ast.InputObject {
		if v.Kind != ast.ObjectValue {
			return nil, false, apierror.New(apierror.BadInput, "%s must be a %s", at, def.Name)
		}
		out := make(map[string]any, len(v.Children))
		for _, c := range v.Children {
			fd := def.Fields.ForName(c.Name)
			if fd == nil {
				return nil, false, apierror.New(apierror.BadInput, "%s has no field %s", def.Name, c.Name)
			}
			x, ok, err := m.literal(c.Value, fd.Type, vars, at+"."+c.Name)
			if err != nil {
				return nil, false, err
			}
			if ok {
				out[c.Name] = x
			}
		}
		if err := m.inputDefaults(def, out, at); err != nil {
			return nil, false, err
		}
		return out, true, nil
	}
	// A leaf written in the query: gqlparser has checked its kind against
	// the type; its text is the value.
	var raw any
	switch v.Kind {
	case ast.IntValue:
		n, err := strconv.ParseInt(v.Raw, 10, 64)
		if err != nil {
			if def.Name == "Float" {
				f, _ := strconv.ParseFloat(v.Raw, 64)
				raw = f
				break
			}
			if def.Name == "ID" {
				raw = v.Raw
				break
			}
			return nil, false, apierror.New(apierror.BadInput, "%s: %s is out of range", at, v.Raw)
		}
		raw = n
	case ast.FloatValue:
		f, err := strconv.ParseFloat(v.Raw, 64)
		if err != nil {
			return nil, false, apierror.New(apierror.BadInput, "%s: %s is not a number", at, v.Raw)
		}
		raw = f
	case ast.BooleanValue:
		raw = v.Raw == "true"
	case ast.StringValue, ast.BlockValue, ast.EnumValue:
		raw = v.Raw
	default:
		return nil, false, apierror.New(apierror.BadInput, "%s must be a %s", at, def.Name)
	}
	out, err := m.value(raw, t, at)
	return out, true, err
}

// Coerce reads x, a value as JSON decodes it, as a value of input type t,
// exactly as an argument of that type is read; at names it in errors. It
// is for values that reach a mutation otherwise than as arguments, such as
// the facts the extractor finds.
func (m *Mapping) Coerce(x any, t *ast.Type, at string) (any, error) { return m.value(x, t, at) }

// InputType is the schema's input type of that name, or nil.
func (m *Mapping) InputType(name string) *ast.Definition {
	if d := m.schema.Types[name]; d != nil && d.Kind == ast.InputObject {
		return d
	}
	return nil
}

// value coerces a Go value, as a variable's JSON decodes or as a literal
// reads, to type t.
func (m *Mapping) value(x any, t *ast.Type, at string) (any, error) {
	if x == nil {
		if t.NonNull {
			return nil, apierror.New(apierror.BadInput, "%s cannot be null", at)
		}
		return nil, nil
	}
	if t.Elem != nil {
		list, ok := asList(x)
		if !ok {
			item, err := m.value(x, t.Elem, at)
			if err != nil {
				return nil, err
			}
			return []any{item}, nil
		}
		out := make([]any, len(list))
		for i, item := range list {
			v, err := m.value(item, t.Elem, at)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	def := m.schema.Types[t.NamedType]
	if def == nil {
		return nil, apierror.New(apierror.BadInput, "%s: unknown type %s", at, t.NamedType)
	}
	switch def.Kind {
	case ast.InputObject:
		obj, ok := x.(map[string]any)
		if !ok {
			return nil, apierror.New(apierror.BadInput, "%s must be a %s", at, def.Name)
		}
		out := make(map[string]any, len(obj))
		for k, v := range obj {
			fd := def.Fields.ForName(k)
			if fd == nil {
				return nil, apierror.New(apierror.BadInput, "%s has no field %s", def.Name, k)
			}
			c, err := m.value(v, fd.Type, at+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		if err := m.inputDefaults(def, out, at); err != nil {
			return nil, err
		}
		return out, nil
	case ast.Enum:
		s, ok := x.(string)
		if !ok || def.EnumValues.ForName(s) == nil {
			return nil, apierror.New(apierror.BadInput, "%s must be one of the values of %s", at, def.Name)
		}
		return s, nil
	}
	switch def.Name {
	case "ID":
		switch v := x.(type) {
		case string:
			return v, nil
		case json.Number:
			if _, err := v.Int64(); err == nil {
				return v.String(), nil
			}
		default:
			if n, ok := toInt(v); ok {
				return strconv.FormatInt(n, 10), nil
			}
		}
		return nil, apierror.New(apierror.BadInput, "%s must be an ID: a string or an integer", at)
	case "String":
		if s, ok := x.(string); ok {
			return s, nil
		}
		return nil, apierror.New(apierror.BadInput, "%s must be a String", at)
	case "Int":
		if n, ok := toInt(x); ok {
			return n, nil
		}
		return nil, apierror.New(apierror.BadInput, "%s must be an Int", at)
	case "Float":
		if f, ok := toFloat(x); ok {
			return f, nil
		}
		return nil, apierror.New(apierror.BadInput, "%s must be a Float", at)
	case "Boolean":
		if b, ok := x.(bool); ok {
			return b, nil
		}
		return nil, apierror.New(apierror.BadInput, "%s must be a Boolean", at)
	case "Cursor":
		var c Cursor
		if err := c.UnmarshalGQL(x); err != nil {
			return nil, err
		}
		return c, nil
	}
	// Scalars of other parts of the schema (Map) pass as they are.
	return x, nil
}

// asList reads a list as JSON decodes it, or as gqlparser coerces a
// variable (a single value for a list becomes a typed slice of one).
func asList(x any) ([]any, bool) {
	if list, ok := x.([]any); ok {
		return list, true
	}
	rv := reflect.ValueOf(x)
	if rv.Kind() != reflect.Slice {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// inputDefaults adds the default of each field of an input object the
// request leaves out.
func (m *Mapping) inputDefaults(def *ast.Definition, out map[string]any, at string) error {
	for _, fd := range def.Fields {
		if _, given := out[fd.Name]; given || fd.DefaultValue == nil {
			continue
		}
		v, ok, err := m.literal(fd.DefaultValue, fd.Type, nil, at+"."+fd.Name)
		if err != nil {
			return err
		}
		if ok {
			out[fd.Name] = v
		}
	}
	return nil
}

// toInt reads an integer, as JSON, a literal or Neo4j gives it; a float
// is one only if it is whole and in range.
func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		if n != math.Trunc(n) || n < -(1<<63) || n >= 1<<63 {
			return 0, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			f, ferr := n.Float64()
			if ferr != nil {
				return 0, false
			}
			return toInt(f)
		}
		return i, true
	}
	return 0, false
}

// toFloat reads a number.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// Typed gives a value for a stored property of the given scalar type the
// Go type the API stores it as (Int as int64, Float as float64).
func Typed(v any, scalar string) (any, error) {
	if list, ok := v.([]any); ok {
		out := make([]any, len(list))
		for i, item := range list {
			t, err := Typed(item, scalar)
			if err != nil {
				return nil, err
			}
			out[i] = t
		}
		return out, nil
	}
	switch scalar {
	case "Int":
		if n, ok := toInt(v); ok {
			return n, nil
		}
		return nil, apierror.New(apierror.BadInput, "%v is not an Int", v)
	case "Float":
		if f, ok := toFloat(v); ok {
			return f, nil
		}
		return nil, apierror.New(apierror.BadInput, "%v is not a Float", v)
	}
	return v, nil
}
