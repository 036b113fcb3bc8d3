package export

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/companygraph/companygraph/internal/kg"
)

// attr is one attribute of a node, an edge or the graph.
type attr struct {
	name  string
	value any
}

// Attributes are flat, as both formats want them. A node has type, name,
// labels, roles, depth (in a neighbourhood) and its evidence as the
// parallel lists sources, sentences, methods and confidences, then its
// stored properties; an edge has type and the four lists, then its stored
// properties. A stored
// property whose name one of those, or source, target or key, already
// takes is written as stored_NAME (the key of two parallel relationships
// becomes stored_key); a node's stored id and name are left out, being
// its id and name.
var (
	nodeReserved = map[string]bool{"id": true, "type": true, "name": true, "labels": true, "roles": true, "depth": true,
		"sources": true, "sentences": true, "methods": true, "confidences": true}
	edgeReserved = map[string]bool{"id": true, "source": true, "target": true, "key": true, "type": true,
		"sources": true, "sentences": true, "methods": true, "confidences": true}
)

func nodeAttrs(n kg.Node) []attr {
	out := []attr{{"type", n.Type}, {"name", n.Name}, {"labels", n.Labels}, {"roles", n.Roles}}
	if n.Depth != nil {
		out = append(out, attr{"depth", *n.Depth})
	}
	out = append(out, evidence(n.Evidence)...)
	for _, k := range sortedKeys(n.Properties) {
		v := n.Properties[k]
		switch {
		case k == "id" || k == "name" && v == n.Name:
		case nodeReserved[k]:
			out = append(out, attr{"stored_" + k, v})
		default:
			out = append(out, attr{k, v})
		}
	}
	return out
}

func edgeAttrs(e kg.Edge) []attr {
	out := append([]attr{{"type", e.Type}}, evidence(e.Evidence)...)
	for _, k := range sortedKeys(e.Properties) {
		name := k
		if edgeReserved[k] {
			name = "stored_" + k
		}
		out = append(out, attr{name, e.Properties[k]})
	}
	return out
}

func evidence(cs []kg.Citation) []attr {
	sources, sentences := make([]string, len(cs)), make([]string, len(cs))
	methods, confidences := make([]string, len(cs)), make([]float64, len(cs))
	for i, c := range cs {
		sources[i], sentences[i], methods[i], confidences[i] = c.SourceID, c.Sentence, string(c.Method), c.Confidence
	}
	return []attr{{"sources", sources}, {"sentences", sentences}, {"methods", methods}, {"confidences", confidences}}
}

func graphAttrs(info Info) []attr {
	out := []attr{{"truncated", info.Truncated}}
	if info.Center != "" {
		out = append(out, attr{"center", info.Center}, attr{"depth", info.Depth})
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// WriteNodeLink writes sg as node-link JSON, a directed multigraph (two
// relationships may join the same nodes): networkx reads it with
// node_link_graph(data, edges="links"). Each link's key is the edge's id.
func WriteNodeLink(w io.Writer, sg *kg.Subgraph, info Info) error {
	ew := &errWriter{w: w}
	ew.raw(`{"directed": true, "multigraph": true, "graph": `)
	ew.object(nil, graphAttrs(info))
	ew.raw(`, "nodes": [`)
	for i, n := range sg.Nodes {
		if i > 0 {
			ew.raw(",")
		}
		ew.raw("\n  ")
		ew.object([]attr{{"id", n.ID}}, nodeAttrs(n))
	}
	ew.raw("\n], \"links\": [")
	for i, e := range sg.Edges {
		if i > 0 {
			ew.raw(",")
		}
		ew.raw("\n  ")
		ew.object([]attr{{"source", e.From}, {"target", e.To}, {"key", e.ID}}, edgeAttrs(e))
	}
	ew.raw("\n]}\n")
	return ew.err
}

// WriteGraphML writes sg as GraphML. GraphML attributes are typed scalars,
// so lists and objects are written as their JSON text, and an attribute
// whose values differ in type as strings. Edge ids are the edges' ids,
// which networkx's read_graphml keeps as the multigraph keys.
func WriteGraphML(w io.Writer, sg *kg.Subgraph, info Info) error {
	nodes := make([][]attr, len(sg.Nodes))
	for i, n := range sg.Nodes {
		nodes[i] = nodeAttrs(n)
	}
	edges := make([][]attr, len(sg.Edges))
	for i, e := range sg.Edges {
		edges[i] = edgeAttrs(e)
	}
	gattrs := graphAttrs(info)
	gkeys, nkeys, ekeys := keysOf("g", [][]attr{gattrs}), keysOf("n", nodes), keysOf("e", edges)

	ew := &errWriter{w: w}
	ew.raw(xml.Header)
	ew.raw(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	for _, ks := range []struct {
		of   string
		keys *keySet
	}{{"graph", gkeys}, {"node", nkeys}, {"edge", ekeys}} {
		for _, name := range ks.keys.order {
			k := ks.keys.byName[name]
			ew.raw(fmt.Sprintf(`  <key id="%s" for="%s" attr.name="%s" attr.type="%s"/>`+"\n", k.id, ks.of, escape(name), k.typ))
		}
	}
	ew.raw(`  <graph id="companygraph" edgedefault="directed">` + "\n")
	ew.data("    ", gkeys, gattrs)
	for i, n := range sg.Nodes {
		ew.raw(`    <node id="` + escape(n.ID) + `">` + "\n")
		ew.data("      ", nkeys, nodes[i])
		ew.raw("    </node>\n")
	}
	for i, e := range sg.Edges {
		ew.raw(`    <edge id="` + escape(e.ID) + `" source="` + escape(e.From) + `" target="` + escape(e.To) + `">` + "\n")
		ew.data("      ", ekeys, edges[i])
		ew.raw("    </edge>\n")
	}
	ew.raw("  </graph>\n</graphml>\n")
	return ew.err
}

type key struct {
	id, typ string
}

// keySet is the GraphML keys of one kind of element, in first-seen order.
type keySet struct {
	byName map[string]*key
	order  []string
}

func keysOf(prefix string, elems [][]attr) *keySet {
	ks := &keySet{byName: map[string]*key{}}
	for _, as := range elems {
		for _, a := range as {
			t := graphmlType(a.value)
			k, ok := ks.byName[a.name]
			if !ok {
				ks.byName[a.name] = &key{id: prefix + strconv.Itoa(len(ks.order)), typ: t}
				ks.order = append(ks.order, a.name)
				continue
			}
			if k.typ != t {
				k.typ = "string"
			}
		}
	}
	return ks
}

func graphmlType(v any) string {
	switch v.(type) {
	case bool:
		return "boolean"
	case int64, int:
		return "long"
	case float64:
		return "double"
	}
	return "string"
}

// text is v as GraphML data of type typ.
func text(v any, typ string) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case fmt.Stringer:
		// Neo4j's other temporal and spatial values.
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// escape makes s safe as XML text and attribute values; characters XML
// cannot hold become U+FFFD.
func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// errWriter keeps the first write error, so the writers above read straight.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) raw(s string) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, s)
	}
}

// object writes a JSON object of the head attributes, then the others.
func (e *errWriter) object(head, rest []attr) {
	e.raw("{")
	for i, a := range append(head, rest...) {
		if i > 0 {
			e.raw(", ")
		}
		k, _ := json.Marshal(a.name)
		v, err := json.Marshal(a.value)
		if err != nil && e.err == nil {
			e.err = fmt.Errorf("attribute %s: %w", a.name, err)
		}
		e.raw(string(k) + ": " + string(v))
	}
	e.raw("}")
}

func (e *errWriter) data(indent string, ks *keySet, as []attr) {
	for _, a := range as {
		k := ks.byName[a.name]
		e.raw(indent + `<data key="` + k.id + `">` + escape(text(a.value, k.typ)) + "</data>\n")
	}
}
