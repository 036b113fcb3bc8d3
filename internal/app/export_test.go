package app_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/neo4jtest"
)

type exported struct {
	status      int
	contentType string
	truncated   string
	body        []byte
}

func (a *api) export(t *testing.T, query string) exported {
	t.Helper()
	res, err := http.Get(a.srv.URL + "/export?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return exported{res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("X-Truncated"), body}
}

type nodeLink struct {
	Directed, Multigraph bool
	Graph                struct {
		Truncated bool
		Center    string
		Depth     int
	}
	Nodes []map[string]any
	Links []map[string]any
}

func TestExportNodeLink(t *testing.T) {
	a := seeded(t)
	text := article(t)
	res := a.export(t, "id=hugo-barra&depth=2")
	if res.status != http.StatusOK || res.contentType != "application/json" || res.truncated != "false" {
		t.Fatalf("%d %s truncated=%s: %s", res.status, res.contentType, res.truncated, res.body)
	}
	var g nodeLink
	if err := json.Unmarshal(res.body, &g); err != nil {
		t.Fatal(err)
	}
	if !g.Directed || !g.Multigraph || g.Graph.Center != "hugo-barra" || g.Graph.Depth != 2 || g.Graph.Truncated {
		t.Errorf("graph %+v", g.Graph)
	}
	// The same subgraph as the GraphQL field gives.
	var q struct{ Neighborhood subgraph }
	a.post(t, neighborhoodQuery, map[string]any{"id": "hugo-barra", "depth": 2}).data(t, &q)
	if len(g.Nodes) != len(q.Neighborhood.Nodes) || len(g.Links) != len(q.Neighborhood.Edges) || len(g.Nodes) != 22 {
		t.Errorf("%d nodes and %d links; GraphQL has %d and %d", len(g.Nodes), len(g.Links), len(q.Neighborhood.Nodes), len(q.Neighborhood.Edges))
	}
	byID := map[string]map[string]any{}
	for _, n := range g.Nodes {
		byID[n["id"].(string)] = n
	}
	if x := byID["xiaomi"]; x["type"] != "Company" || x["name"] != "Xiaomi" || x["headquarters"] != "Beijing" || x["depth"] != 1.0 {
		t.Errorf("xiaomi: %v", x)
	}
	keys := map[string]bool{}
	for _, l := range g.Links {
		key := l["key"].(string)
		keys[key] = true
		if byID[l["source"].(string)] == nil || byID[l["target"].(string)] == nil {
			t.Errorf("link %s leaves the graph", key)
		}
		sentences, _ := l["sentences"].([]any)
		sources, _ := l["sources"].([]any)
		if len(sentences) == 0 || len(sentences) != len(sources) {
			t.Errorf("link %s: %d sentences, %d sources", key, len(sentences), len(sources))
		}
		for _, s := range sentences {
			if !strings.Contains(text, s.(string)) {
				t.Errorf("link %s: %q is not the article's", key, s)
			}
		}
	}
	// The two reactions to the announcement are two links, told apart by key.
	for _, k := range []string{"us|REACTED_TO|xiaomi-us-announcement|competitors", "us|REACTED_TO|xiaomi-us-announcement|customers"} {
		if !keys[k] {
			t.Errorf("no link %s", k)
		}
	}
}

func TestExportGraphML(t *testing.T) {
	a := seeded(t)
	res := a.export(t, "format=graphml&limit=500")
	if res.status != http.StatusOK || !strings.HasPrefix(res.contentType, "application/graphml+xml") || res.truncated != "false" {
		t.Fatalf("%d %s truncated=%s: %s", res.status, res.contentType, res.truncated, res.body)
	}
	var g struct {
		Keys []struct {
			ID   string `xml:"id,attr"`
			Name string `xml:"attr.name,attr"`
			For  string `xml:"for,attr"`
			Type string `xml:"attr.type,attr"`
		} `xml:"key"`
		Graph struct {
			Nodes []struct {
				ID string `xml:"id,attr"`
			} `xml:"node"`
			Edges []struct {
				ID     string `xml:"id,attr"`
				Source string `xml:"source,attr"`
			} `xml:"edge"`
		} `xml:"graph"`
	}
	if err := xml.Unmarshal(res.body, &g); err != nil {
		t.Fatalf("not GraphML: %v", err)
	}
	// The whole seed: its 22 entities and 45 relationships, and no sources.
	if len(g.Graph.Nodes) != 22 || len(g.Graph.Edges) != 45 {
		t.Errorf("%d nodes, %d edges; want 22 and 45", len(g.Graph.Nodes), len(g.Graph.Edges))
	}
	var ids []string
	for _, n := range g.Graph.Nodes {
		ids = append(ids, n.ID)
	}
	if !sort.StringsAreSorted(ids) || strings.Contains(strings.Join(ids, ","), articleID) {
		t.Errorf("nodes %v", ids)
	}
	types := map[string]string{}
	for _, k := range g.Keys {
		types[k.For+"/"+k.Name] = k.Type
	}
	for k, want := range map[string]string{"node/unitsSold": "long", "node/amountUsd": "double", "edge/exclusive": "boolean", "node/name": "string", "graph/truncated": "boolean"} {
		if types[k] != want {
			t.Errorf("key %s: %q, want %q", k, types[k], want)
		}
	}
}

func TestExportBounds(t *testing.T) {
	a := seeded(t)
	res := a.export(t, "limit=4&types=Market,Company")
	var g nodeLink
	if err := json.Unmarshal(res.body, &g); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range g.Nodes {
		ids = append(ids, n["id"].(string))
	}
	// 4 of the 4 markets and 1 company, by id; the header and the graph say it was cut.
	if strings.Join(ids, ",") != "asia,china,india,us" || !g.Graph.Truncated || res.truncated != "true" {
		t.Errorf("nodes %v, truncated %v, header %s", ids, g.Graph.Truncated, res.truncated)
	}
	// Only the relationships among the kept nodes.
	if len(g.Links) != 1 || g.Links[0]["key"] != "india|PART_OF|asia" {
		t.Errorf("links %v", g.Links)
	}

	tests := []struct {
		query, code string
		status      int
	}{
		{"format=csv", "BAD_USER_INPUT", http.StatusBadRequest},
		{"id=xiaomi&depth=0", "BAD_USER_INPUT", http.StatusBadRequest},
		{"id=xiaomi&depth=4", "BAD_USER_INPUT", http.StatusBadRequest},
		{"limit=501", "BAD_USER_INPUT", http.StatusBadRequest},
		{"limit=many", "BAD_USER_INPUT", http.StatusBadRequest},
		{"depth=1", "BAD_USER_INPUT", http.StatusBadRequest},
		{"types=Source", "BAD_USER_INPUT", http.StatusBadRequest},
		{"id=xiaomi&hops=2", "BAD_USER_INPUT", http.StatusBadRequest},
		{"id=nobody", "NOT_FOUND", http.StatusNotFound},
		{"id=" + articleID, "NOT_FOUND", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := a.export(t, tt.query)
			var body struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(res.body, &body); err != nil {
				t.Fatalf("not JSON: %s", res.body)
			}
			if res.status != tt.status || body.Error.Code != tt.code || body.Error.Message == "" {
				t.Errorf("%d %+v, want %d %s", res.status, body.Error, tt.status, tt.code)
			}
		})
	}
}

// When queries need credentials, so does the export.
func TestExportNeedsWhatQueriesNeed(t *testing.T) {
	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.ReadsNeedAuth = true
	cfg.APIKeys = "notebook:reader:" + auth.HashKey("notebook-key")
	a := start(t, cfg, true)
	get := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/export?id=xiaomi", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct{ Error struct{ Code string } }
		json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body.Error.Code
	}
	if status, code := get(""); status != http.StatusUnauthorized || code != "UNAUTHENTICATED" {
		t.Errorf("without a key: %d %s", status, code)
	}
	if status, code := get("wrong-key"); status != http.StatusUnauthorized || code != "UNAUTHENTICATED" {
		t.Errorf("with a wrong key: %d %s", status, code)
	}
	if status, _ := get("notebook-key"); status != http.StatusOK {
		t.Errorf("with a reader's key: %d", status)
	}
}
