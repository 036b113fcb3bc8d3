package query

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/vektah/gqlparser/v2/ast"
)

// MentionedIn is the relationship from any node to a Source that mentions
// it; a node's @evidence field lists the sentences it carries.
const MentionedIn = "MENTIONED_IN"

// NodeLabel is the label every node the API writes also carries; its one
// constraint on id keeps ids unique across types, as the interface Node says.
const NodeLabel = "Node"

// Every relationship, MENTIONED_IN included, carries its evidence as
// parallel lists: the id of each source, the sentence it says it with, how
// the fact was obtained from it and with what confidence. A relationship
// written before the last two existed has shorter lists, or none: each
// missing method reads as DefaultMethod, each missing confidence as
// DefaultConfidence.
const (
	EvidenceSources     = "sources"
	EvidenceSentences   = "sentences"
	EvidenceMethods     = "methods"
	EvidenceConfidences = "confidences"

	DefaultMethod     = "MANUAL"
	DefaultConfidence = 1.0
)

// EvidenceLists are the names of the parallel lists, which are the
// evidence rather than properties of the relationship.
var EvidenceLists = []string{EvidenceSources, EvidenceSentences, EvidenceMethods, EvidenceConfidences}

var identifier = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// Mapping is what the schema's directives say about the graph.
type Mapping struct {
	schema *ast.Schema
	nodes  map[string]*nodeType // by GraphQL type name
	edges  map[string]*edgeType
	// connections and aggregates name the node or edge type they are over.
	connections map[string]string
	aggregates  map[string]string
	// paths is what a @path field walks; nil when the schema has none.
	paths *walk
}

type nodeType struct {
	name, label string
	// group is the label every node of the group's types carries (""
	// for a type in no group); one node may be of several of them.
	group string
}

// edgeType is a relationship seen as an object, with its two ends.
type edgeType struct {
	name               string
	fromField, toField string
	fromType, toType   string
}

// relationship is a field that follows relationships.
type relationship struct {
	relType string
	out     bool
}

// NewMapping reads the directives of schema and checks that they describe a
// graph the compiler can query, so a mistake fails at start-up, not on a request.
func NewMapping(schema *ast.Schema) (*Mapping, error) {
	m := &Mapping{schema: schema, nodes: map[string]*nodeType{}, edges: map[string]*edgeType{},
		connections: map[string]string{}, aggregates: map[string]string{}}
	for _, def := range schema.Types {
		if def.Kind != ast.Object {
			continue
		}
		if d := def.Directives.ForName("connection"); d != nil {
			m.connections[def.Name] = d.Arguments.ForName("of").Value.Raw
		}
		if d := def.Directives.ForName("aggregate"); d != nil {
			m.aggregates[def.Name] = d.Arguments.ForName("of").Value.Raw
		}
		if d := def.Directives.ForName("node"); d != nil {
			label := d.Arguments.ForName("label").Value.Raw
			if !identifier.MatchString(label) {
				return nil, fmt.Errorf("type %s: label %q is not a plain identifier", def.Name, label)
			}
			n := &nodeType{name: def.Name, label: label}
			if g := d.Arguments.ForName("group"); g != nil {
				n.group = g.Value.Raw
				if !identifier.MatchString(n.group) {
					return nil, fmt.Errorf("type %s: group %q is not a plain identifier", def.Name, n.group)
				}
			}
			m.nodes[def.Name] = n
		}
		if def.Directives.ForName("edge") != nil {
			e := &edgeType{name: def.Name}
			for _, f := range def.Fields {
				switch {
				case f.Directives.ForName("from") != nil:
					e.fromField, e.fromType = f.Name, f.Type.Name()
				case f.Directives.ForName("to") != nil:
					e.toField, e.toType = f.Name, f.Type.Name()
				}
			}
			if e.fromField == "" || e.toField == "" {
				return nil, fmt.Errorf("edge type %s: needs one @from and one @to field", def.Name)
			}
			m.edges[def.Name] = e
		}
	}
	for _, n := range m.nodes {
		for _, o := range m.nodes {
			if n.group != "" && (n.group == o.label || n.group == NodeLabel) {
				return nil, fmt.Errorf("type %s: group %s is a type's label", n.name, n.group)
			}
		}
	}
	for _, e := range m.edges {
		for _, t := range []string{e.fromType, e.toType} {
			if m.nodes[t] == nil {
				return nil, fmt.Errorf("edge type %s: end %s is not a @node type", e.name, t)
			}
		}
	}
	for _, def := range schema.Types {
		if err := m.checkFields(def); err != nil {
			return nil, err
		}
	}
	if _, err := m.Defaults(); err != nil {
		return nil, err
	}
	if schema.Query == nil {
		return nil, fmt.Errorf("schema has no Query type")
	}
	for _, f := range schema.Query.Fields {
		if err := m.checkRoot(f); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Mapping) checkFields(def *ast.Definition) error {
	for _, f := range def.Fields {
		if d := f.Directives.ForName("relationship"); d != nil {
			rel := relationshipOf(f)
			if !identifier.MatchString(rel.relType) {
				return fmt.Errorf("%s.%s: relationship type %q is not a plain identifier", def.Name, f.Name, rel.relType)
			}
			if m.nodes[def.Name] == nil {
				return fmt.Errorf("%s.%s: @relationship on a type that is not a @node", def.Name, f.Name)
			}
			target := m.elem(f.Type.Name())
			if f.Type.Elem == nil && target == f.Type.Name() {
				return fmt.Errorf("%s.%s: a @relationship field must be a list, a connection or an aggregate", def.Name, f.Name)
			}
			if e := m.edges[target]; e != nil {
				own := e.toType
				if rel.out {
					own = e.fromType
				}
				if own != def.Name {
					return fmt.Errorf("%s.%s: edge %s has %s at this end, not %s", def.Name, f.Name, target, own, def.Name)
				}
			} else if m.nodes[target] == nil {
				return fmt.Errorf("%s.%s: %s is neither a @node nor an @edge type", def.Name, f.Name, target)
			}
		}
		if f.Directives.ForName("evidence") != nil {
			if m.nodes[def.Name] == nil && m.edges[def.Name] == nil {
				return fmt.Errorf("%s.%s: @evidence outside a @node or @edge type", def.Name, f.Name)
			}
			if err := m.checkEvidenceType(f.Type.Name()); err != nil {
				return fmt.Errorf("%s.%s: %w", def.Name, f.Name, err)
			}
		}
	}
	return nil
}

func (m *Mapping) checkEvidenceType(name string) error {
	def := m.schema.Types[name]
	if def == nil || def.Fields.ForName("sentence") == nil || def.Fields.ForName("source") == nil {
		return fmt.Errorf("evidence type %s needs the fields sentence and source", name)
	}
	if m.nodes[def.Fields.ForName("source").Type.Name()] == nil {
		return fmt.Errorf("evidence type %s: source must be a @node type", name)
	}
	return nil
}

// checkRoot accepts the root fields the compiler knows: search, lookup by
// id across types, paths between entities, one node by id, and lists,
// connections and aggregates of a node type.
func (m *Mapping) checkRoot(f *ast.FieldDefinition) error {
	if len(f.Name) > 1 && f.Name[:2] == "__" {
		return nil
	}
	if f.Directives.ForName("search") != nil || f.Directives.ForName("lookup") != nil || f.Directives.ForName("custom") != nil {
		return nil
	}
	if f.Directives.ForName("path") != nil {
		w, err := m.walk()
		if err != nil {
			return err
		}
		m.paths = &w
		return m.checkPath(f.Type.Name(), "path", map[string]bool{})
	}
	if m.nodes[m.elem(f.Type.Name())] == nil {
		return fmt.Errorf("Query.%s: returns %s, which is not over a @node type", f.Name, f.Type.Name())
	}
	if f.Type.Elem == nil && m.nodes[f.Type.Name()] != nil && f.Arguments.ForName("id") == nil {
		return fmt.Errorf("Query.%s: a single node needs an id argument", f.Name)
	}
	return nil
}

// elem is the node or edge type a connection or aggregate type is over;
// any other type is its own element.
func (m *Mapping) elem(typeName string) string {
	if of, ok := m.connections[typeName]; ok {
		return of
	}
	if of, ok := m.aggregates[typeName]; ok {
		return of
	}
	return typeName
}

func relationshipOf(f *ast.FieldDefinition) relationship {
	d := f.Directives.ForName("relationship")
	return relationship{
		relType: d.Arguments.ForName("type").Value.Raw,
		out:     d.Arguments.ForName("direction").Value.Raw == "OUT",
	}
}

// Labels lists the node labels, sorted.
func (m *Mapping) Labels() []string {
	var out []string
	for _, n := range m.nodes {
		out = append(out, n.label)
	}
	sort.Strings(out)
	return out
}

// Groups lists, by group label, the labels of the types in the group, sorted.
func (m *Mapping) Groups() map[string][]string {
	out := map[string][]string{}
	for _, n := range m.nodes {
		if n.group != "" {
			out[n.group] = append(out[n.group], n.label)
		}
	}
	for _, l := range out {
		sort.Strings(l)
	}
	return out
}

// Group is the group label of the type with this label, "" when it has none.
func (m *Mapping) Group(label string) string {
	for _, n := range m.nodes {
		if n.label == label {
			return n.group
		}
	}
	return ""
}

// SameGroup reports whether one node may carry both labels: two types of
// one group.
func (m *Mapping) SameGroup(a, b string) bool {
	g := m.Group(a)
	return g != "" && g == m.Group(b)
}

// NodeLabels are the labels a new node of this label is written with,
// besides NodeLabel: its own and its group's.
func (m *Mapping) NodeLabels(label string) []string {
	if g := m.Group(label); g != "" {
		return []string{label, g}
	}
	return []string{label}
}

// RelationshipKinds lists every (start label, type, end label) the schema
// can walk, so data can be checked against what the API shows.
func (m *Mapping) RelationshipKinds() map[[3]string]bool {
	out := map[[3]string]bool{}
	for _, def := range m.schema.Types {
		node := m.nodes[def.Name]
		if node == nil {
			continue
		}
		for _, f := range def.Fields {
			if f.Directives.ForName("relationship") == nil {
				continue
			}
			rel := relationshipOf(f)
			other := m.otherEnd(f, rel)
			from, to := node.label, other.label
			if !rel.out {
				from, to = to, from
			}
			out[[3]string{from, rel.relType, to}] = true
		}
	}
	return out
}

// otherEnd is the node type at the far end of a relationship field.
func (m *Mapping) otherEnd(f *ast.FieldDefinition, rel relationship) *nodeType {
	target := m.elem(f.Type.Name())
	if e := m.edges[target]; e != nil {
		if rel.out {
			return m.nodes[e.toType]
		}
		return m.nodes[e.fromType]
	}
	return m.nodes[target]
}
