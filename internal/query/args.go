package query

import (
	"encoding/json"
	"strconv"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Argument values are read from the request as gqlparser gives them:
// validated, but a number inside an input object may still be a
// json.Number, a float64 or a numeric string. They are given their
// schema type here, so Neo4j compares numbers with numbers.

// toInt reads an Int value.
func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), n == float64(int64(n))
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

// toFloat reads a Float value.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

// Typed gives a value sent for a field the field's scalar type (Int or
// Float); other values are returned as they are.
func Typed(v any, scalar string) (any, error) { return typed(v, scalar) }

// typed gives a filter value the type of the field it compares with.
func typed(v any, scalar string) (any, error) {
	if list, ok := v.([]any); ok {
		out := make([]any, len(list))
		for i, item := range list {
			t, err := typed(item, scalar)
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

// intArg reads an optional Int argument.
func intArg(args map[string]any, name string) (int64, bool, error) {
	v, ok := args[name]
	if !ok || v == nil {
		return 0, false, nil
	}
	n, ok := toInt(v)
	if !ok {
		return 0, false, apierror.New(apierror.BadInput, "%s must be an Int", name)
	}
	return n, true, nil
}

// cursorArg reads an optional Cursor argument.
func cursorArg(args map[string]any, name string) (int64, bool, error) {
	v, ok := args[name]
	if !ok || v == nil {
		return 0, false, nil
	}
	var c Cursor
	if err := c.UnmarshalGQL(v); err != nil {
		return 0, false, err
	}
	return int64(c), true, nil
}
