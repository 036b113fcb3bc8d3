package difftest

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// model is what the served schema's directives say about the graph, read
// here again rather than borrowed from internal/query, so that a mistake
// there is not repeated here.
type model struct {
	schema *ast.Schema
	labels map[string]string // @node type -> label
	edges  map[string]*edgeDef
	conns  map[string]string // connection type -> the node or edge type it lists
	aggs   map[string]string // aggregate type -> the node or edge type it counts
}

type edgeDef struct {
	fromField, toField string
	fromType, toType   string
}

// relDef is a @relationship field: which relationships it follows, and
// what it lists (a node or an edge type) and what is at the far end.
type relDef struct {
	relType string
	out     bool
	elem    string // node or edge type listed
	far     string // node type at the far end
}

func newModel(s *ast.Schema) *model {
	m := &model{schema: s, labels: map[string]string{}, edges: map[string]*edgeDef{}, conns: map[string]string{}, aggs: map[string]string{}}
	for name, def := range s.Types {
		if d := def.Directives.ForName("node"); d != nil {
			m.labels[name] = d.Arguments.ForName("label").Value.Raw
		}
		if def.Directives.ForName("edge") != nil {
			e := &edgeDef{}
			for _, f := range def.Fields {
				if f.Directives.ForName("from") != nil {
					e.fromField, e.fromType = f.Name, f.Type.Name()
				}
				if f.Directives.ForName("to") != nil {
					e.toField, e.toType = f.Name, f.Type.Name()
				}
			}
			m.edges[name] = e
		}
		if d := def.Directives.ForName("connection"); d != nil {
			m.conns[name] = d.Arguments.ForName("of").Value.Raw
		}
		if d := def.Directives.ForName("aggregate"); d != nil {
			m.aggs[name] = d.Arguments.ForName("of").Value.Raw
		}
	}
	return m
}

// elem is the type a list, connection or aggregate type is over.
func (m *model) elem(typeName string) string {
	if of, ok := m.conns[typeName]; ok {
		return of
	}
	if of, ok := m.aggs[typeName]; ok {
		return of
	}
	return typeName
}

func (m *model) rel(fd *ast.FieldDefinition) *relDef {
	if fd == nil {
		return nil
	}
	d := fd.Directives.ForName("relationship")
	if d == nil {
		return nil
	}
	r := &relDef{relType: d.Arguments.ForName("type").Value.Raw, out: d.Arguments.ForName("direction").Value.Raw == "OUT"}
	r.elem = m.elem(fd.Type.Name())
	r.far = r.elem
	if e := m.edges[r.elem]; e != nil {
		r.far = e.fromType
		if r.out {
			r.far = e.toType
		}
	}
	return r
}

// typeOf is the @node type of a node, by its labels: the first of its
// roles, so an organisation that is a Company and a Partner is a Company.
func (m *model) typeOf(n *Node) string {
	if r := m.roles(n); len(r) > 0 {
		return r[0]
	}
	return ""
}

// roles are the @node types whose label the node carries, sorted by name.
func (m *model) roles(n *Node) []string {
	out := []string{}
	for _, name := range m.nodeTypes() {
		if n.HasLabel(m.labels[name]) {
			out = append(out, name)
		}
	}
	return out
}

// nodeTypes lists the @node types, sorted.
func (m *model) nodeTypes() []string {
	var out []string
	for name := range m.labels {
		out = append(out, name)
	}
	sortStrings(out)
	return out
}

func (m *model) field(typeName, field string) *ast.FieldDefinition {
	def := m.schema.Types[typeName]
	if def == nil {
		return nil
	}
	return def.Fields.ForName(field)
}
