package server

import (
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// marshal must write what json.Marshal writes for every response.
func TestMarshalIsJSONMarshal(t *testing.T) {
	yes := true
	for name, v := range map[string]any{
		"data":            &graphql.Response{Data: json.RawMessage(`{"company":{"id":"c1","name":"Xiaomi"}}`)},
		"no data":         &graphql.Response{},
		"null data":       &graphql.Response{Data: json.RawMessage(`null`)},
		"errors and data": &graphql.Response{Data: json.RawMessage(`{"a":null}`), Errors: gqlerror.List{{Message: "no", Path: ast.Path{ast.PathName("a")}, Extensions: map[string]any{"code": "NOT_FOUND", "data": nil}}}},
		"extensions":      &graphql.Response{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"cost": map[string]any{"dbHits": 3}}},
		"incremental":     &graphql.Response{Data: json.RawMessage(`{"a":1}`), Label: "l", Path: ast.Path{ast.PathIndex(0)}, HasNext: &yes},
	} {
		got, err := marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}
