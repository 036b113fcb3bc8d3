package query

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Rel holds a model's answers to its fields that take arguments, by
// response key: one field asked twice with other arguments under two
// aliases has two answers. gqlgen adds it to the models as the field Rel.
type Rel map[string]json.RawMessage

// Root answers a field of Query from the request's one statement.
func Root[T any](ctx context.Context, e *Engine) (T, error) {
	var zero T
	fc := graphql.GetFieldContext(ctx)
	b, ok := ctx.Value(batchKey{}).(*batch)
	if !ok {
		b = &batch{}
	}
	b.once.Do(func() { b.answers, b.err = e.run(ctx) })
	if b.err != nil {
		return zero, b.err
	}
	a, ok := b.answers[fc.Field.Alias]
	if !ok {
		return zero, fmt.Errorf("no answer for root field %s", fc.Field.Alias)
	}
	if a.single && string(a.raw) == "null" {
		return zero, apierror.New(apierror.NotFound, "no %s with id %q", a.typeName, fmt.Sprint(fc.Args["id"]))
	}
	return decode[T](a.raw, e.types)
}

// Nested answers a field that takes arguments from its parent's answer.
func Nested[T any](ctx context.Context, e *Engine, rel Rel) (T, error) {
	var zero T
	alias := graphql.GetFieldContext(ctx).Field.Alias
	raw, ok := rel[alias]
	if !ok {
		return zero, fmt.Errorf("no answer for field %s", alias)
	}
	return decode[T](raw, e.types)
}

// decode unmarshals raw into T. An interface T (Node) is filled with the
// model its __typename names.
func decode[T any](raw json.RawMessage, types map[string]func() any) (T, error) {
	var out T
	if reflect.TypeFor[T]().Kind() != reflect.Interface {
		if err := json.Unmarshal(raw, &out); err != nil {
			return out, fmt.Errorf("decode %s: %w", reflect.TypeFor[T](), err)
		}
		return out, nil
	}
	if string(raw) == "null" {
		return out, nil
	}
	var head struct {
		Typename string `json:"__typename"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return out, fmt.Errorf("decode %s: %w", reflect.TypeFor[T](), err)
	}
	newModel, ok := types[head.Typename]
	if !ok {
		return out, fmt.Errorf("decode %s: no model for type %q", reflect.TypeFor[T](), head.Typename)
	}
	m := newModel()
	if err := json.Unmarshal(raw, m); err != nil {
		return out, fmt.Errorf("decode %s: %w", head.Typename, err)
	}
	v, ok := m.(T)
	if !ok {
		return out, fmt.Errorf("decode: %T is not a %s", m, reflect.TypeFor[T]())
	}
	return v, nil
}

// Cursor is a position in a sorted list. Clients see it as an opaque
// string; an invalid one is refused with BAD_USER_INPUT.
type Cursor int64

const cursorPrefix = "cursor:"

// MarshalGQL writes the cursor as an opaque string.
func (c Cursor) MarshalGQL(w io.Writer) {
	io.WriteString(w, strconv.Quote(base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix+strconv.FormatInt(int64(c), 10)))))
}

// UnmarshalGQL reads a cursor a client sends back.
func (c *Cursor) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return apierror.New(apierror.BadInput, "a cursor is a string")
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) {
		return apierror.New(apierror.BadInput, "invalid cursor %q", s)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(string(raw), cursorPrefix), 10, 64)
	if err != nil || n < 0 {
		return apierror.New(apierror.BadInput, "invalid cursor %q", s)
	}
	*c = Cursor(n)
	return nil
}
