// Package kg answers the knowledge-graph questions that are walks rather
// than selections: the neighbourhood of an entity as a subgraph to draw,
// the timeline of the events it
// took part in, the facts a source supports, and which entities a name or
// alias names. Each question is one parameterised Cypher statement, sent
// through the counted neo4j.Client; the timeline is two in one transaction,
// since its window and order come from dates read in Go (see
// Graph.Timeline).
//
// It is not the query compiler (internal/query): its answers are generic
// nodes and edges, whatever their type, cut and ordered in Go, so the
// GraphQL fields over them are @custom, and the export of subgraphs
// (internal/export) builds on it. The shortest paths between two
// entities, whose answers are of the same types, are compiled (@path);
// kg keeps their Go types, Path and Hop, which gqlgen binds.
//
// Which labels are entities, which one is the source of evidence and which
// relationship types connect entities is read from the schema's directives,
// like the compiler does, so nothing here repeats the mapping.
package kg

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

// Bounds of one question. They keep a request's work, and an answer a
// frontend must draw, small. The GraphQL arguments repeat the defaults
// (graph/schema/kg.graphqls); a test checks that the two agree.
const (
	// DefaultDepth and MaxDepth bound how far a neighbourhood reaches.
	DefaultDepth = 1
	MaxDepth     = 3
	// DefaultLimit and MaxLimit bound the nodes of a subgraph and the facts
	// of a source.
	DefaultLimit = 100
	MaxLimit     = 500
	// EdgesPerNode bounds a subgraph's edges at this many times its limit.
	EdgesPerNode = 4
	// MaxTimelineEvents bounds the events of one timeline.
	MaxTimelineEvents = 500
)

// EventType is the @node type whose nodes are the events of a timeline.
const EventType = "Event"

var identifier = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// nodeLabel is the label every node carries besides its type's; a lookup
// by id across types goes through its one unique index.
var nodeLabel = "`" + query.NodeLabel + "`"

// Options configure a Graph.
type Options struct {
	// Timeout bounds the database work of one question.
	Timeout time.Duration
}

// Graph answers the questions from Neo4j.
type Graph struct {
	client  *neo4j.Client
	timeout time.Duration
	// entityLabels are the labels of the @node types with evidence, sorted;
	// sourceLabel is the label of the type evidence comes from.
	entityLabels []string
	sourceLabel  string
	// typeOf is the GraphQL type name of each label; labelOf the reverse.
	typeOf, labelOf map[string]string
	// relTypes are the relationship types between entities, sorted.
	relTypes []string
	// entityExpr and relExpr are the two above as Cypher expressions.
	entityExpr, relExpr string
}

// New reads from schema what is an entity, what is a source and which
// relationships join entities. A schema that does not say fails here, at
// start-up, not on a request.
func New(schema *ast.Schema, client *neo4j.Client, o Options) (*Graph, error) {
	g := &Graph{client: client, timeout: o.Timeout, typeOf: map[string]string{}, labelOf: map[string]string{}}
	if g.timeout <= 0 {
		g.timeout = 10 * time.Second
	}
	rels := map[string]bool{}
	for _, def := range schema.Types {
		node := def.Directives.ForName("node")
		if def.Kind != ast.Object || node == nil {
			continue
		}
		label := node.Arguments.ForName("label").Value.Raw
		if !identifier.MatchString(label) {
			return nil, fmt.Errorf("kg: type %s: label %q is not a plain identifier", def.Name, label)
		}
		var evidence *ast.FieldDefinition
		for _, f := range def.Fields {
			if f.Directives.ForName("evidence") != nil {
				evidence = f
			}
			if d := f.Directives.ForName("relationship"); d != nil {
				rels[d.Arguments.ForName("type").Value.Raw] = true
			}
		}
		if evidence == nil {
			continue
		}
		g.typeOf[label], g.labelOf[def.Name] = def.Name, label
		g.entityLabels = append(g.entityLabels, label)
		ev := schema.Types[evidence.Type.Name()]
		if ev == nil || ev.Fields.ForName("source") == nil {
			return nil, fmt.Errorf("kg: %s.%s: evidence type without a source field", def.Name, evidence.Name)
		}
		src := schema.Types[ev.Fields.ForName("source").Type.Name()]
		if src == nil || src.Directives.ForName("node") == nil {
			return nil, fmt.Errorf("kg: evidence type %s: source is not a @node type", ev.Name)
		}
		srcLabel := src.Directives.ForName("node").Arguments.ForName("label").Value.Raw
		if g.sourceLabel != "" && g.sourceLabel != srcLabel {
			return nil, fmt.Errorf("kg: evidence comes from two types, %s and %s", g.sourceLabel, srcLabel)
		}
		if !identifier.MatchString(srcLabel) {
			return nil, fmt.Errorf("kg: source label %q is not a plain identifier", srcLabel)
		}
		g.sourceLabel = srcLabel
		g.typeOf[srcLabel] = src.Name
	}
	if len(g.entityLabels) == 0 {
		return nil, fmt.Errorf("kg: no @node type has an @evidence field")
	}
	if g.labelOf[EventType] == "" {
		return nil, fmt.Errorf("kg: no entity type %s for timelines", EventType)
	}
	// Mentions lead to sources, not to other entities: walking them would
	// join every two entities of one article in two hops.
	delete(rels, query.MentionedIn)
	for r := range rels {
		if !identifier.MatchString(r) {
			return nil, fmt.Errorf("kg: relationship type %q is not a plain identifier", r)
		}
		g.relTypes = append(g.relTypes, r)
	}
	if len(g.relTypes) == 0 {
		return nil, fmt.Errorf("kg: no relationship types between entities")
	}
	sort.Strings(g.entityLabels)
	sort.Strings(g.relTypes)
	g.entityExpr, g.relExpr = quoted(g.entityLabels), quoted(g.relTypes)
	return g, nil
}

// EntityTypes lists the GraphQL types of the entities, sorted.
func (g *Graph) EntityTypes() []string {
	out := make([]string, 0, len(g.entityLabels))
	for _, l := range g.entityLabels {
		out = append(out, g.typeOf[l])
	}
	sort.Strings(out)
	return out
}

// Node is an entity, or a source, as a drawing needs it.
type Node struct {
	ID string `json:"id"`
	// Type is the node's GraphQL type, e.g. "Company".
	Type string `json:"type"`
	// Labels are the node's labels of its types: not query.NodeLabel,
	// which all have, nor the label of a group of types.
	Labels []string `json:"labels"`
	// Roles are the GraphQL types the node answers as, sorted (an
	// organisation may be a Company and a Partner); Type is the first.
	Roles []string `json:"roles"`
	// Name is what to show: the name, else the title, else the id.
	Name string `json:"name"`
	// Properties are all stored properties, as stored.
	Properties map[string]any `json:"properties"`
	// Depth is the number of hops from the start of a neighbourhood.
	Depth    *int64     `json:"depth,omitempty"`
	Evidence []Citation `json:"evidence"`
}

// Edge is a relationship between two entities.
type Edge struct {
	// ID is from, type and to, and the relationship's key when it has one:
	// stable across loads, unlike Neo4j's element ids.
	ID   string `json:"id"`
	Type string `json:"type"`
	From string `json:"from"`
	To   string `json:"to"`
	// Properties are the stored properties but the evidence lists.
	Properties map[string]any `json:"properties"`
	Evidence   []Citation     `json:"evidence"`
}

// Citation is one sentence of one source that states a fact.
type Citation struct {
	Sentence    string  `json:"sentence"`
	SourceID    string  `json:"sourceId"`
	SourceTitle *string `json:"sourceTitle"`
	// Method is how the fact was obtained, Confidence how sure that was.
	Method     Method  `json:"method"`
	Confidence float64 `json:"confidence"`
}

// Method is how a fact was obtained from its source (EvidenceMethod).
type Method string

// The methods; evidence stored without one is Manual.
const (
	Manual    Method = "MANUAL"
	Extracted Method = "EXTRACTED"
	Dataset   Method = "DATASET"
)

// MarshalGQL writes the enum value.
func (m Method) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(m))) }

// UnmarshalGQL reads an enum value.
func (m *Method) UnmarshalGQL(v any) error {
	return readEnum(m, v, "EvidenceMethod", Manual, Extracted, Dataset)
}

// readEnum sets *dst to v when v is one of the values of enum.
func readEnum[T ~string](dst *T, v any, enum string, values ...T) error {
	s, _ := v.(string)
	for _, x := range values {
		if T(s) == x {
			*dst = x
			return nil
		}
	}
	return apierror.New(apierror.BadInput, "%v is not a value of %s", v, enum)
}

// Subgraph is a set of nodes and the edges among them.
type Subgraph struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
	// Truncated says the bounds cut nodes or edges off.
	Truncated bool `json:"truncated"`
}

func (g *Graph) read(ctx context.Context, what, cypher string, params map[string]any) ([]map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	recs, err := g.client.ReadOne(ctx, cypher, params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out := make([]map[string]any, len(recs))
	for i, r := range recs {
		out[i] = r.AsMap()
	}
	return out, nil
}

// Cypher fragments. Labels and relationship types come from the schema and
// were checked to be plain identifiers in New; values are always parameters.

func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, "|")
}

// typeOrder lists the entity labels as Cypher strings in the order of
// their types' names: a node of two types sorts as the first.
func (g *Graph) typeOrder() string {
	types := g.EntityTypes()
	q := make([]string, len(types))
	for i, t := range types {
		q[i] = "'" + g.labelOf[t] + "'"
	}
	return strings.Join(q, ", ")
}

// entities is the label expression of any entity, e.g. `Company`|`Event`.
func (g *Graph) entities() string { return g.entityExpr }

// rels is the relationship type expression of any relationship between entities.
func (g *Graph) rels() string { return g.relExpr }

// want says which parts of nodes and edges an answer needs beyond their
// ids, types and ends: the others are not read.
type want struct{ labels, properties, evidence bool }

// all is every part, for answers whose selection is not known.
var all = want{labels: true, properties: true, evidence: true}

// wanted reads what the field being resolved selects: properties also
// when it asks for names, which come from them, and labels when it asks
// for types, which come from them.
func wanted(ctx context.Context) want {
	return want{
		labels:     query.Selects(ctx, "labels") || query.Selects(ctx, "type"),
		properties: query.Selects(ctx, "properties") || query.Selects(ctx, "name"),
		evidence:   query.Selects(ctx, "evidence"),
	}
}

// nodeProj projects node variable v into what decodeNode reads, with the
// sentences of every source that mentions it.
func (g *Graph) nodeProj(v string) string { return g.nodeProjOf(v, all) }

// nodeProjOf projects node variable v, with the parts w asks for.
func (g *Graph) nodeProjOf(v string, w want) string {
	parts := []string{fmt.Sprintf("id: %s.id", v)}
	if w.labels {
		parts = append(parts, fmt.Sprintf("labels: labels(%s)", v))
	}
	if w.properties {
		parts = append(parts, fmt.Sprintf("properties: properties(%s)", v))
	}
	if w.evidence {
		parts = append(parts, fmt.Sprintf(`evidence: COLLECT { MATCH (%[1]s)-[m:%[2]s]->(s:%[3]s) UNWIND range(0, size(coalesce(m.%[4]s, [])) - 1) AS i
    WITH s, i, m ORDER BY s.id, i RETURN {sentence: m.%[4]s[i], sourceId: s.id, sourceTitle: s.title, method: m.%[5]s[i], confidence: m.%[6]s[i]} }`,
			v, "`"+query.MentionedIn+"`", "`"+g.sourceLabel+"`", query.EvidenceSentences, query.EvidenceMethods, query.EvidenceConfidences))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// edgeProj projects relationship variable r into what decodeEdge reads.
// Its evidence is the parallel lists of source ids and sentences, with
// each source's title.
func (g *Graph) edgeProj(r string) string { return g.edgeProjOf(r, all) }

// edgeProjOf projects relationship variable r, with the parts w asks
// for; without its properties, the key that its id is made of.
func (g *Graph) edgeProjOf(r string, w want) string {
	parts := []string{fmt.Sprintf("type: type(%[1]s), from: startNode(%[1]s).id, to: endNode(%[1]s).id", r)}
	if w.properties {
		parts = append(parts, fmt.Sprintf("properties: properties(%s)", r))
	} else {
		parts = append(parts, fmt.Sprintf("properties: {key: %s.key}", r))
	}
	if w.evidence {
		parts = append(parts, fmt.Sprintf(`evidence: [i IN range(0, size(coalesce(%[1]s.%[2]s, [])) - 1) | {sentence: %[1]s.%[3]s[i], sourceId: %[1]s.%[2]s[i],
    sourceTitle: COLLECT { MATCH (s:%[4]s {id: %[1]s.%[2]s[i]}) RETURN s.title }[0], method: %[1]s.%[5]s[i], confidence: %[1]s.%[6]s[i]}]`,
			r, query.EvidenceSources, query.EvidenceSentences, "`"+g.sourceLabel+"`", query.EvidenceMethods, query.EvidenceConfidences))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// Decoding of the projections above.

func (g *Graph) decodeNode(v any) Node {
	m, _ := v.(map[string]any)
	n := Node{ID: str(m["id"]), Properties: map[string]any{}, Evidence: citations(m["evidence"])}
	n.Labels, n.Roles = []string{}, []string{}
	labelOf := map[string]string{}
	for _, l := range list(m["labels"]) {
		// The common label is how the graph keeps ids unique, and a
		// group's label how it finds an organisation whatever its types:
		// neither is a label of the entity's.
		if t, ok := g.typeOf[str(l)]; ok {
			n.Roles = append(n.Roles, t)
			labelOf[t] = str(l)
		}
	}
	sort.Strings(n.Roles)
	for _, t := range n.Roles {
		n.Labels = append(n.Labels, labelOf[t])
	}
	if len(n.Roles) > 0 {
		n.Type = n.Roles[0]
	}
	if props, ok := m["properties"].(map[string]any); ok {
		n.Properties = props
	}
	n.Name = n.ID
	for _, k := range []string{"name", "title"} {
		if s, ok := n.Properties[k].(string); ok && s != "" {
			n.Name = s
			break
		}
	}
	return n
}

func decodeEdge(v any) Edge {
	m, _ := v.(map[string]any)
	e := Edge{Type: str(m["type"]), From: str(m["from"]), To: str(m["to"]), Properties: map[string]any{}, Evidence: citations(m["evidence"])}
	if props, ok := m["properties"].(map[string]any); ok {
		for k, v := range props {
			if v != nil && !slices.Contains(query.EvidenceLists, k) {
				e.Properties[k] = v
			}
		}
	}
	e.ID = EdgeID(e.From, e.Type, e.To, str(e.Properties["key"]))
	return e
}

// EdgeID names a relationship by its ends, its type and, for two of one
// type between the same nodes, the key that tells them apart (see
// seed.Relationship).
func EdgeID(from, typ, to, key string) string {
	id := from + "|" + typ + "|" + to
	if key != "" {
		id += "|" + key
	}
	return id
}

func citations(v any) []Citation {
	out := []Citation{}
	for _, c := range list(v) {
		m, _ := c.(map[string]any)
		ci := Citation{Sentence: str(m["sentence"]), SourceID: str(m["sourceId"]), Method: Method(str(m["method"])), Confidence: query.DefaultConfidence}
		if ci.Method == "" {
			ci.Method = query.DefaultMethod
		}
		if c, ok := m["confidence"].(float64); ok {
			ci.Confidence = c
		}
		if t, ok := m["sourceTitle"].(string); ok {
			ci.SourceTitle = &t
		}
		out = append(out, ci)
	}
	return out
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// bounded checks an optional integer argument: nil takes def, and the value
// must lie in [min, max].
func bounded(name string, v *int64, def, min, max int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < int64(min) || *v > int64(max) {
		return 0, apierror.New(apierror.BadInput, "%s must be between %d and %d, got %d", name, min, max, *v)
	}
	return int(*v), nil
}

func notFound(what, id string) error {
	return apierror.New(apierror.NotFound, "no %s with id %q", what, id)
}
