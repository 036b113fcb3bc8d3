package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/server"
)

// An admin may ask for a request's cost, by header or by extension; the
// answer then carries its one statement, the values it was sent with and
// PROFILE's db hits and rows, beside the data it would have had anyway.
// Anyone else asking is refused, and a request that does not ask carries
// no cost.
func TestCostForThoseWhoAsk(t *testing.T) {
	a := hardened(t, func(c *config.Config) {
		c.APIKeys += ",admin:admin:" + auth.HashKey(adminKey)
	})
	const doc = `query($id: ID!) { company(id: $id) { name executives { executive { name } } } }`
	type answer struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
		Extensions struct {
			Cost *struct {
				DBHits     int64 `json:"dbHits"`
				Statements []struct {
					Cypher     string         `json:"cypher"`
					Parameters map[string]any `json:"parameters"`
					DBHits     int64          `json:"dbHits"`
					Rows       int64          `json:"rows"`
				} `json:"statements"`
			} `json:"cost"`
		} `json:"extensions"`
	}
	ask := func(body string, header ...string) answer {
		t.Helper()
		res := a.request(t, http.MethodPost, "", "application/json", body, header...)
		var got answer
		if err := json.Unmarshal([]byte(res.body), &got); err != nil {
			t.Fatalf("%d %s", res.status, res.body)
		}
		return got
	}
	plain := ask(gqlBody(doc, map[string]any{"id": "xiaomi"}), "Authorization", "Bearer "+adminKey)
	if plain.Extensions.Cost != nil || len(plain.Errors) > 0 {
		t.Fatalf("not asked, yet: %+v", plain)
	}
	byHeader := ask(gqlBody(doc, map[string]any{"id": "xiaomi"}), "Authorization", "Bearer "+adminKey, server.CostHeader, "1")
	withExtension := ask(jsonString(map[string]any{"query": doc, "variables": map[string]any{"id": "xiaomi"}, "extensions": map[string]any{"cost": true}}), "Authorization", "Bearer "+adminKey)
	for name, got := range map[string]answer{"header": byHeader, "extension": withExtension} {
		c := got.Extensions.Cost
		if len(got.Errors) > 0 || c == nil || len(c.Statements) != 1 {
			t.Fatalf("%s: %+v", name, got)
		}
		s := c.Statements[0]
		if !strings.Contains(s.Cypher, "MATCH") || s.DBHits <= 0 || s.DBHits != c.DBHits || s.Rows != 1 {
			t.Errorf("%s: cost %+v", name, c)
		}
		found := false
		for _, v := range s.Parameters {
			found = found || v == "xiaomi"
		}
		if !found {
			t.Errorf("%s: parameters %v do not hold the id", name, s.Parameters)
		}
		if string(got.Data) != string(plain.Data) {
			t.Errorf("%s: data %s, without cost %s", name, got.Data, plain.Data)
		}
	}
	for _, who := range [][]string{{"Authorization", "Bearer " + editorKey}, nil} {
		got := ask(gqlBody(doc, map[string]any{"id": "xiaomi"}), append(who, server.CostHeader, "1")...)
		if got.Extensions.Cost != nil || len(got.Errors) != 1 {
			t.Fatalf("%v: %+v", who, got)
		}
		if code := got.Errors[0].Extensions["code"]; code != "FORBIDDEN" && code != "UNAUTHENTICATED" {
			t.Errorf("%v: code %v %+v", who, code, got)
		}
	}
}
