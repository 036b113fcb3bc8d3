package export

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/kg"
)

func small() *kg.Subgraph {
	zero, one := int64(0), int64(1)
	title := "A & B <news>"
	cite := func(s string) []kg.Citation {
		return []kg.Citation{{Sentence: s, SourceID: "src", SourceTitle: &title}}
	}
	return &kg.Subgraph{
		Nodes: []kg.Node{
			{ID: "xiaomi", Type: "Company", Labels: []string{"Company"}, Name: "Xiaomi", Depth: &zero,
				Properties: map[string]any{"id": "xiaomi", "name": "Xiaomi", "aliases": []any{}, "country": "China",
					"type": "stored type", "createdAt": time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
				Evidence: cite(`Xiaomi said "hello" & left.`)},
			{ID: "us", Type: "Market", Labels: []string{"Market"}, Name: "United States", Depth: &one,
				Properties: map[string]any{"id": "us", "name": "United States", "aliases": []any{"US"}, "rank": int64(1)},
				Evidence:   cite("US.")},
		},
		Edges: []kg.Edge{
			{ID: "us|REACTED_TO|xiaomi|a", Type: "REACTED_TO", From: "us", To: "xiaomi",
				Properties: map[string]any{"key": "a", "score": int64(2)}, Evidence: cite("One.")},
			{ID: "us|REACTED_TO|xiaomi|b", Type: "REACTED_TO", From: "us", To: "xiaomi",
				Properties: map[string]any{"key": "b", "score": 2.5, "exclusive": true}, Evidence: cite("Two.")},
		},
	}
}

func TestNodeLink(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteNodeLink(&buf, small(), Info{Center: "xiaomi", Depth: 1}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Directed, Multigraph bool
		Graph                map[string]any
		Nodes                []map[string]any
		Links                []map[string]any
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if !got.Directed || !got.Multigraph || got.Graph["center"] != "xiaomi" || got.Graph["depth"] != 1.0 || got.Graph["truncated"] != false {
		t.Errorf("graph: directed %v multigraph %v %v", got.Directed, got.Multigraph, got.Graph)
	}
	x := got.Nodes[0]
	for k, want := range map[string]any{
		"id": "xiaomi", "type": "Company", "name": "Xiaomi", "depth": 0.0, "country": "China",
		"stored_type": "stored type", "createdAt": "2025-01-02T03:04:05Z",
	} {
		if x[k] != want {
			t.Errorf("node %s = %#v, want %#v", k, x[k], want)
		}
	}
	if s, _ := json.Marshal(x["sentences"]); string(s) != `["Xiaomi said \"hello\" \u0026 left."]` {
		t.Errorf("node sentences %s", s)
	}
	l := got.Links[1]
	for k, want := range map[string]any{
		"source": "us", "target": "xiaomi", "key": "us|REACTED_TO|xiaomi|b", "type": "REACTED_TO",
		"stored_key": "b", "score": 2.5, "exclusive": true,
	} {
		if l[k] != want {
			t.Errorf("link %s = %#v, want %#v", k, l[k], want)
		}
	}
}

type graphml struct {
	Keys []struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graph struct {
		EdgeDefault string  `xml:"edgedefault,attr"`
		Data        []datum `xml:"data"`
		Nodes       []struct {
			ID   string  `xml:"id,attr"`
			Data []datum `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			ID     string  `xml:"id,attr"`
			Source string  `xml:"source,attr"`
			Target string  `xml:"target,attr"`
			Data   []datum `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

type datum struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

func TestGraphML(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGraphML(&buf, small(), Info{Truncated: true}); err != nil {
		t.Fatal(err)
	}
	var g graphml
	if err := xml.Unmarshal(buf.Bytes(), &g); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	keys := map[string]string{} // id -> for/name/type
	types := map[string]string{}
	for _, k := range g.Keys {
		keys[k.ID] = k.Name
		types[k.For+"/"+k.Name] = k.Type
	}
	for name, want := range map[string]string{
		"graph/truncated": "boolean", "node/depth": "long", "node/rank": "long", "node/labels": "string",
		"node/createdAt": "string", "edge/exclusive": "boolean",
		// 2 and 2.5: values of two types are written as strings.
		"edge/score": "string",
	} {
		if types[name] != want {
			t.Errorf("key %s has type %q, want %q", name, types[name], want)
		}
	}
	if _, ok := types["graph/center"]; ok {
		t.Error("the whole graph has no centre")
	}
	if g.Graph.EdgeDefault != "directed" || len(g.Graph.Nodes) != 2 || len(g.Graph.Edges) != 2 {
		t.Fatalf("graph: %s, %d nodes, %d edges", g.Graph.EdgeDefault, len(g.Graph.Nodes), len(g.Graph.Edges))
	}
	data := func(ds []datum) map[string]string {
		out := map[string]string{}
		for _, d := range ds {
			out[keys[d.Key]] = d.Value
		}
		return out
	}
	if d := data(g.Graph.Data); d["truncated"] != "true" {
		t.Errorf("graph data %v", d)
	}
	n := data(g.Graph.Nodes[0].Data)
	if n["sentences"] != `["Xiaomi said \"hello\" \u0026 left."]` || n["labels"] != `["Company"]` || n["createdAt"] != "2025-01-02T03:04:05Z" {
		t.Errorf("node data %v", n)
	}
	e := g.Graph.Edges[0]
	if e.ID != "us|REACTED_TO|xiaomi|a" || e.Source != "us" || e.Target != "xiaomi" || data(e.Data)["score"] != "2" {
		t.Errorf("edge %s %s->%s %v", e.ID, e.Source, e.Target, data(e.Data))
	}
}

// graph is a kg.Graph without a database: enough for requests refused
// before a statement is sent.
func graph(t *testing.T) *kg.Graph {
	t.Helper()
	sdl, err := os.ReadFile("../../graph/schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Input: string(sdl)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	g, err := kg.New(schema, nil, kg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestBadRequests(t *testing.T) {
	h := Handler(graph(t), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	tests := []struct{ name, query, want string }{
		{"unknown format", "format=csv", "format"},
		{"unknown parameter", "id=xiaomi&dpth=2", "unknown parameter"},
		{"empty id", "id=", "id must not be empty"},
		{"depth without id", "depth=2", "depth needs the id"},
		{"depth not a number", "id=xiaomi&depth=two", "depth"},
		{"depth twice", "id=xiaomi&depth=1&depth=2", "depth"},
		{"depth above the bound", "id=xiaomi&depth=4", "depth must be between 1 and 3"},
		{"limit 0", "limit=0", "limit must be between 1 and 500"},
		{"limit above the bound", "limit=501", "limit must be between 1 and 500"},
		{"unknown type", "types=Company,Planet", "unknown entity type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/export?"+tt.query, nil))
			var body struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("not JSON: %s", rec.Body.String())
			}
			if rec.Code != http.StatusBadRequest || body.Error.Code != "BAD_USER_INPUT" || !strings.Contains(body.Error.Message, tt.want) {
				t.Errorf("%d %+v, want 400 BAD_USER_INPUT mentioning %q", rec.Code, body.Error, tt.want)
			}
		})
	}
}
