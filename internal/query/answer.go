package query

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/companygraph/companygraph/internal/apierror"
)

// The answer of a compiled field is written straight from the values the
// driver decoded to the response's JSON, in one pass that follows the
// field's Selection: each value is checked against its GraphQL type as it
// is written (the spec's result coercion), a value that does not fit fails
// its own field with an error at its path, and a null where the schema
// says non-null makes the nearest nullable parent null, as the spec's
// execution does.

// ByName is an object built in Go (the result of a write), keyed by field
// name; the statement's maps are keyed by response key.
type ByName map[string]any

// writer appends one answer as JSON.
type writer struct {
	ctx    context.Context
	schema *ast.Schema
	buf    []byte
	path   ast.Path
}

// write appends v, of GraphQL type t, and reports whether it is a value t
// allows: false means it wrote null where t is non-null, which makes the
// caller's value null too.
func (w *writer) write(t *ast.Type, f *Field, parent string, v any) bool {
	if err, ok := v.(error); ok {
		// A write's answer may hold, in place of a value, the error that
		// kept it from being one (an article of a batch that failed):
		// the field fails with it, at its path, as a resolver's error does.
		w.failWith(err, f)
		return !t.NonNull
	}
	if v == nil {
		if t.NonNull {
			w.fail(parent, f, "is missing")
		}
		w.buf = append(w.buf, "null"...)
		return !t.NonNull
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			w.fail(parent, f, "is not a list")
			w.buf = append(w.buf, "null"...)
			return !t.NonNull
		}
		// The first item that makes the list null ends it, as a field
		// error does in GraphQL's reference implementation.
		mark := len(w.buf)
		w.buf = append(w.buf, '[')
		for i, item := range list {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.path = append(w.path, ast.PathIndex(i))
			ok := w.write(t.Elem, f, parent, item)
			w.path = w.path[:len(w.path)-1]
			if !ok {
				w.buf = append(w.buf[:mark], "null"...)
				return !t.NonNull
			}
		}
		w.buf = append(w.buf, ']')
		return true
	}
	named := w.schema.Types[t.NamedType]
	var ok bool
	switch named.Kind {
	case ast.Scalar, ast.Enum:
		ok = w.leaf(named, parent, f, v)
	default:
		ok = w.object(f, v)
	}
	if !ok {
		return !t.NonNull
	}
	return true
}

// object appends an object value; false means it wrote null because a
// non-null field of it is null.
func (w *writer) object(of *Field, v any) bool {
	sel := of.Sub
	var byKey map[string]any
	var byName ByName
	switch m := v.(type) {
	case map[string]any:
		byKey = m
	case ByName:
		byName = m
	default:
		w.fail(sel.Type, of, "is not an object")
		w.buf = append(w.buf, "null"...)
		return false
	}
	typeName, fields := sel.Type, sel.Fields
	if sel.ByType != nil {
		typeName, _ = byKey[typeKey].(string)
		var known bool
		if fields, known = sel.ByType[typeName]; !known {
			w.fail(sel.Type, of, "has no known type")
			w.buf = append(w.buf, "null"...)
			return false
		}
	}
	mark := len(w.buf)
	w.buf = append(w.buf, '{')
	for i, f := range fields {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = append(w.buf, '"')
		w.buf = append(w.buf, f.Key...)
		w.buf = append(w.buf, '"', ':')
		if f.Def == nil {
			w.buf = appendString(w.buf, typeName)
			continue
		}
		if f.Err != nil {
			w.path = append(w.path, ast.PathName(f.Key))
			w.failField(f)
			w.path = w.path[:len(w.path)-1]
			if f.Def.Type.NonNull {
				w.buf = append(w.buf[:mark], "null"...)
				return false
			}
			continue
		}
		var x any
		if byName != nil {
			x = byName[f.Name]
		} else {
			x = byKey[f.Key]
		}
		w.path = append(w.path, ast.PathName(f.Key))
		ok := w.write(f.Def.Type, f, typeName, x)
		w.path = w.path[:len(w.path)-1]
		if !ok {
			w.buf = append(w.buf[:mark], "null"...)
			return false
		}
	}
	w.buf = append(w.buf, '}')
	return true
}

// leaf appends a scalar or enum value if it is one of its type.
func (w *writer) leaf(t *ast.Definition, parent string, f *Field, v any) bool {
	if t.Kind == ast.Enum {
		if s, ok := v.(string); ok && t.EnumValues.ForName(s) != nil {
			w.buf = appendString(w.buf, s)
			return true
		}
		return w.bad(parent, f, "is not a "+t.Name)
	}
	switch t.Name {
	case "ID":
		switch x := v.(type) {
		case string:
			w.buf = appendString(w.buf, x)
			return true
		case int64:
			w.buf = append(append(append(w.buf, '"'), strconv.FormatInt(x, 10)...), '"')
			return true
		}
	case "String":
		if s, ok := v.(string); ok {
			w.buf = appendString(w.buf, s)
			return true
		}
	case "Boolean":
		if b, ok := v.(bool); ok {
			w.buf = strconv.AppendBool(w.buf, b)
			return true
		}
	case "Int":
		if n, ok := toInt(v); ok {
			w.buf = strconv.AppendInt(w.buf, n, 10)
			return true
		}
	case "Float":
		if f, ok := toFloat(v); ok {
			w.buf = strconv.AppendFloat(w.buf, f, 'g', -1, 64)
			return true
		}
	case "Map":
		if m, ok := v.(map[string]any); ok {
			// A Map has no null entries: no stored property is null, and
			// a projection leaves one out by setting it to null.
			for k, x := range m {
				if x == nil {
					delete(m, k)
				}
			}
			if b, err := json.Marshal(m); err == nil {
				w.buf = append(w.buf, b...)
				return true
			}
		}
	case "Cursor":
		// A position, or [position, id] in a list sorted by id alone.
		switch c := v.(type) {
		case int64:
			if c >= 0 {
				w.buf = appendString(w.buf, Cursor{Pos: c}.String())
				return true
			}
		case []any:
			if len(c) != 2 {
				break
			}
			if n, ok := c[0].(int64); ok && n >= 0 {
				// An id that is no string (not one the API wrote) keeps
				// the position alone.
				id, keyed := c[1].(string)
				w.buf = appendString(w.buf, Cursor{Pos: n, ID: id, Keyed: keyed}.String())
				return true
			}
		}
	}
	return w.bad(parent, f, "is not a "+t.Name)
}

// failField reports the error of a field that cannot be answered, each
// of its errors on its own, and writes null in its place.
func (w *writer) failField(f *Field) { w.failWith(f.Err, f) }

// failWith reports err as the error of field f, each of its errors on
// its own, and writes null in its place.
func (w *writer) failWith(err error, f *Field) {
	var list interface{ Unwrap() []error }
	if errors.As(err, &list) {
		for _, e := range list.Unwrap() {
			w.located(e, f.pos)
		}
	} else {
		w.located(err, f.pos)
	}
	w.buf = append(w.buf, "null"...)
}

// bad fails the field whose stored value does not fit its type and
// writes null in its place.
func (w *writer) bad(parent string, f *Field, what string) bool {
	w.fail(parent, f, what)
	w.buf = append(w.buf, "null"...)
	return false
}

func (w *writer) fail(parent string, f *Field, what string) {
	name := parent
	if f.Name != "" && f.Name != parent {
		name += "." + f.Name
	}
	w.located(apierror.New(apierror.InvalidStoredValue, "the stored value of %s %s", name, what), f.pos)
}

// located reports err at the writer's path and the field's place in the query.
func (w *writer) located(err error, pos *ast.Position) {
	e := &gqlerror.Error{Message: err.Error(), Path: append(ast.Path(nil), w.path...), Err: err}
	if pos != nil {
		e.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}
	graphql.AddError(w.ctx, e)
}

// appendString appends s as a JSON string, escaped as gqlgen escapes it.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				buf = append(append(buf, s[start:i]...), `\ufffd`...)
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '\t':
			buf = append(buf, `\t`...)
		case '\r':
			buf = append(buf, `\r`...)
		case '\n':
			buf = append(buf, `\n`...)
		case '\\':
			buf = append(buf, `\\`...)
		case '"':
			buf = append(buf, `\"`...)
		default:
			const hex = "0123456789abcdef"
			buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	return append(append(buf, s[start:]...), '"')
}

// Cursor is a position in a sorted list and, in a list sorted by id
// alone, the id of the node there: a page after it then starts from that
// id in the label's id index, whatever the position, instead of counting
// past every node before it. Clients see it as an opaque string; an
// invalid one is refused with BAD_USER_INPUT.
type Cursor struct {
	Pos int64
	// ID is the node's id; Keyed says the cursor has one.
	ID    string
	Keyed bool
}

const cursorPrefix = "cursor:"

// maxPosition bounds a cursor's position far above any list's length, so
// that the positions a page counts from it stay integers in Cypher.
const maxPosition = 1 << 53

// String is the opaque form a client sees: cursor:POS or cursor:POS:ID.
func (c Cursor) String() string {
	s := cursorPrefix + strconv.FormatInt(c.Pos, 10)
	if c.Keyed {
		s += ":" + c.ID
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// MarshalGQL writes the cursor as an opaque string.
func (c Cursor) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(c.String())) }

// UnmarshalGQL reads a cursor a client sends back.
func (c *Cursor) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return apierror.New(apierror.BadInput, "a cursor is a string")
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	rest, prefixed := strings.CutPrefix(string(raw), cursorPrefix)
	if err != nil || !prefixed {
		return apierror.New(apierror.BadInput, "invalid cursor %q", s)
	}
	pos, id, keyed := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(pos, 10, 64)
	if err != nil || n < 0 || n > maxPosition || !utf8.ValidString(id) {
		return apierror.New(apierror.BadInput, "invalid cursor %q", s)
	}
	*c = Cursor{Pos: n, ID: id, Keyed: keyed}
	return nil
}
