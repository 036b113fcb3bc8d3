package query

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// What the mutation package needs of the mapping and the compiler: writes
// are planned there, but the nodes a mutation returns are projected exactly
// as a query would project them.

// Label is the Neo4j label of a @node type.
func (m *Mapping) Label(typeName string) (string, bool) {
	n := m.nodes[typeName]
	if n == nil {
		return "", false
	}
	return n.label, true
}

// Link describes a relationship field of a @node type that points at an
// @edge type: what a write through it creates.
type Link struct {
	Type      string // relationship type
	Out       bool   // (owner)-[:Type]->(other)
	Other     string // GraphQL type at the far end
	OtherNode string // its label
	Props     map[string]*ast.Type
}

// Link returns the relationship field of typeName, if it is one.
func (m *Mapping) Link(typeName, field string) (Link, bool) {
	def := m.schema.Types[typeName]
	if def == nil || m.nodes[typeName] == nil {
		return Link{}, false
	}
	fd := def.Fields.ForName(field)
	if fd == nil || fd.Directives.ForName("relationship") == nil {
		return Link{}, false
	}
	e := m.edges[fd.Type.Name()]
	if e == nil {
		return Link{}, false
	}
	rel := relationshipOf(fd)
	other := m.otherEnd(fd, rel)
	l := Link{Type: rel.relType, Out: rel.out, Other: other.name, OtherNode: other.label, Props: map[string]*ast.Type{}}
	for _, f := range m.schema.Types[e.name].Fields {
		if f.Name != e.fromField && f.Name != e.toField && f.Directives.ForName("evidence") == nil {
			l.Props[f.Name] = f.Type
		}
	}
	return l, true
}

// EdgeProps lists the properties of the @edge types relationships of this
// kind are seen as, with their GraphQL types.
func (m *Mapping) EdgeProps(from, relType, to string) map[string]*ast.Type {
	out := map[string]*ast.Type{}
	for _, def := range m.schema.Types {
		node := m.nodes[def.Name]
		if node == nil || node.label != from {
			continue
		}
		for _, f := range def.Fields {
			if f.Directives.ForName("relationship") == nil || relationshipOf(f).relType != relType || !relationshipOf(f).out {
				continue
			}
			if l, ok := m.Link(def.Name, f.Name); ok && l.OtherNode == to {
				for k, v := range l.Props {
					out[k] = v
				}
			}
		}
	}
	return out
}

// Fields returns the field definitions of a type.
func (m *Mapping) Fields(typeName string) ast.FieldList {
	if def := m.schema.Types[typeName]; def != nil {
		return def.Fields
	}
	return nil
}

// NodesByID compiles a statement whose column "nodes" holds the nodes of
// typeName with an id in the parameter $ids, in that order of id, projected
// by the selection sel, and the Selection to write them with.
func (m *Mapping) NodesByID(oc *graphql.OperationContext, typeName string, sel ast.SelectionSet, limits Limits) (*Statement, *Selection, error) {
	node := m.nodes[typeName]
	if node == nil {
		return nil, nil, fmt.Errorf("%s is not a @node type", typeName)
	}
	c := m.compiler(oc, limits, nil)
	v := c.newVar("n")
	proj, shape, err := c.node(v, node, sel)
	if err != nil {
		return nil, nil, err
	}
	return &Statement{
		Cypher: fmt.Sprintf("RETURN COLLECT { MATCH (%s:`%s`) WHERE %s.id IN $ids RETURN %s ORDER BY %s.id } AS nodes", v, node.label, v, proj, v),
		Params: c.params,
	}, shape, nil
}

// IDsWhere compiles a statement whose column "ids" holds the ids of the
// nodes of typeName that match the filter where.
func (m *Mapping) IDsWhere(oc *graphql.OperationContext, typeName string, where any, limits Limits) (*Statement, error) {
	node := m.nodes[typeName]
	if node == nil {
		return nil, fmt.Errorf("%s is not a @node type", typeName)
	}
	c := m.compiler(oc, limits, nil)
	v := c.newVar("n")
	cond, err := c.where(where, &listing{elem: typeName, node: v}, 0)
	if err != nil {
		return nil, err
	}
	if cond != "" {
		cond = " WHERE " + cond
	}
	return &Statement{
		Cypher: fmt.Sprintf("MATCH (%s:`%s`)%s RETURN collect(%s.id) AS ids", v, node.label, cond, v),
		Params: c.params,
	}, nil
}

// Default is the value a relationship property is written with when a
// write does not give it (@default on an @edge type's field).
type Default struct {
	RelType, Property string
	Value             any
}

// Defaults lists every @default, by relationship type and property, sorted.
func (m *Mapping) Defaults() ([]Default, error) {
	var out []Default
	seen := map[[2]string]bool{}
	for _, def := range m.schema.Types {
		node := m.nodes[def.Name]
		if node == nil {
			continue
		}
		for _, f := range def.Fields {
			e := m.edges[f.Type.Name()]
			if f.Directives.ForName("relationship") == nil || e == nil {
				continue
			}
			rel := relationshipOf(f)
			for _, p := range m.schema.Types[e.name].Fields {
				d := p.Directives.ForName("default")
				if d == nil || seen[[2]string{rel.relType, p.Name}] {
					continue
				}
				seen[[2]string{rel.relType, p.Name}] = true
				var v any
				if err := json.Unmarshal([]byte(d.Arguments.ForName("value").Value.Raw), &v); err != nil {
					return nil, fmt.Errorf("%s.%s: @default value is not JSON: %w", e.name, p.Name, err)
				}
				if !identifier.MatchString(p.Name) {
					return nil, fmt.Errorf("%s.%s: not a plain identifier", e.name, p.Name)
				}
				out = append(out, Default{RelType: rel.relType, Property: p.Name, Value: v})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].RelType+"."+out[i].Property < out[j].RelType+"."+out[j].Property
	})
	return out, nil
}

// EdgeDefaults are the properties a new relationship of this type gets
// unless the write gives them.
func (m *Mapping) EdgeDefaults(relType string) map[string]any {
	out := map[string]any{}
	ds, _ := m.Defaults()
	for _, d := range ds {
		if d.RelType == relType {
			out[d.Property] = d.Value
		}
	}
	return out
}
