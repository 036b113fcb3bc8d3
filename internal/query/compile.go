package query

import (
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Statement is one Cypher statement that answers a set of root fields.
// Each root field's answer is a list in the column named by its response key.
type Statement struct {
	Cypher string
	Params map[string]any
	Roots  []Root
}

// Root is one root field of the request.
type Root struct {
	Key    string // response key: the alias, or the field name
	Column string
	Type   string // GraphQL type name
	Single bool   // one node by id, rather than a list
	ID     any    // the id asked for, for a single node
}

// compiler builds one statement. Variables are numbered so nested
// subqueries never shadow each other; values only ever enter as parameters.
type compiler struct {
	m      *Mapping
	oc     *graphql.OperationContext
	params map[string]any
	vars   int
}

// Compile turns the root fields of a query operation into one statement.
func (m *Mapping) Compile(oc *graphql.OperationContext, roots []graphql.CollectedField) (*Statement, error) {
	c := &compiler{m: m, oc: oc, params: map[string]any{}}
	st := &Statement{Params: c.params}
	var cols []string
	for i, f := range roots {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		def := m.schema.Query.Fields.ForName(f.Name)
		if def == nil {
			return nil, apierror.New(apierror.BadInput, "unknown field Query.%s", f.Name)
		}
		node := m.nodes[def.Type.Name()]
		if node == nil {
			return nil, fmt.Errorf("compile Query.%s: not a node field", f.Name)
		}
		root := Root{Key: f.Alias, Column: fmt.Sprintf("f%d", i), Type: node.name, Single: def.Type.Elem == nil}
		v := c.newVar("n")
		var b strings.Builder
		fmt.Fprintf(&b, "COLLECT { MATCH (%s:`%s`", v, node.label)
		if root.Single {
			root.ID = f.ArgumentMap(oc.Variables)["id"]
			fmt.Fprintf(&b, " {id: %s}", c.param(root.ID))
		}
		proj, err := c.node(v, node, f.Selections)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, ") RETURN %s ORDER BY %s.id }", proj, v)
		cols = append(cols, fmt.Sprintf("%s AS %s", b.String(), root.Column))
		st.Roots = append(st.Roots, root)
	}
	if len(cols) == 0 {
		return st, nil
	}
	st.Cypher = "RETURN " + strings.Join(cols, ",\n       ")
	return st, nil
}

func (c *compiler) newVar(prefix string) string {
	c.vars++
	return fmt.Sprintf("%s%d", prefix, c.vars)
}

func (c *compiler) param(v any) string {
	name := fmt.Sprintf("p%d", len(c.params))
	c.params[name] = v
	return "$" + name
}

// fields collects the selections for typeName, following fragments and
// @skip/@include, and merges fields asked for under several aliases: the
// answer is keyed by field name, so every alias reads the same value.
func (c *compiler) fields(sel ast.SelectionSet, typeName string) []graphql.CollectedField {
	var out []graphql.CollectedField
	index := map[string]int{}
	for _, f := range graphql.CollectFields(c.oc, sel, []string{typeName}) {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		if i, ok := index[f.Name]; ok {
			out[i].Selections = append(append(ast.SelectionSet{}, out[i].Selections...), f.Selections...)
			continue
		}
		index[f.Name] = len(out)
		out = append(out, f)
	}
	return out
}

// node projects node variable v as a map of the selected fields.
func (c *compiler) node(v string, t *nodeType, sel ast.SelectionSet) (string, error) {
	def := c.m.schema.Types[t.name]
	var items []string
	for _, f := range c.fields(sel, t.name) {
		fd := def.Fields.ForName(f.Name)
		switch {
		case fd.Directives.ForName("relationship") != nil:
			expr, err := c.relationship(v, fd, f.Selections)
			if err != nil {
				return "", err
			}
			items = append(items, f.Name+": "+expr)
		case fd.Directives.ForName("evidence") != nil:
			m, s := c.newVar("m"), c.newVar("s")
			ev, err := c.evidence(m, fd, f.Selections)
			if err != nil {
				return "", err
			}
			items = append(items, fmt.Sprintf("%s: COLLECT { MATCH (%s)-[%s:`%s`]->(%s) WITH %s ORDER BY %s.id UNWIND %s AS e RETURN e }",
				f.Name, v, m, MentionedIn, s, m, s, ev))
		default:
			items = append(items, scalar(v, fd))
		}
	}
	if len(items) == 0 {
		return v + " {}", nil
	}
	return v + " {" + strings.Join(items, ", ") + "}", nil
}

// scalar reads a property; a missing list reads as empty, as the schema
// promises lists, never null.
func scalar(v string, fd *ast.FieldDefinition) string {
	if fd.Type.Elem != nil {
		return fmt.Sprintf("%s: coalesce(%s.%s, [])", fd.Name, v, fd.Name)
	}
	return "." + fd.Name
}

// relationship lists what a @relationship field reaches from node v:
// the nodes at the far end, or the relationships themselves for an @edge type.
func (c *compiler) relationship(v string, fd *ast.FieldDefinition, sel ast.SelectionSet) (string, error) {
	rel := relationshipOf(fd)
	other := c.m.otherEnd(fd, rel)
	r, o := c.newVar("r"), c.newVar("n")
	left, right := "-", "->"
	if !rel.out {
		left, right = "<-", "-"
	}
	var proj string
	var err error
	if e := c.m.edges[fd.Type.Name()]; e != nil {
		from, to := v, o
		if !rel.out {
			from, to = o, v
		}
		proj, err = c.edge(r, from, to, e, sel)
	} else {
		proj, err = c.node(o, other, sel)
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("COLLECT { MATCH (%s)%s[%s:`%s`]%s(%s:`%s`) RETURN %s ORDER BY %s.id, elementId(%s) }",
		v, left, r, rel.relType, right, o, other.label, proj, o, r), nil
}

// edge projects relationship r, whose ends are the node variables from and to.
func (c *compiler) edge(r, from, to string, e *edgeType, sel ast.SelectionSet) (string, error) {
	def := c.m.schema.Types[e.name]
	var items []string
	for _, f := range c.fields(sel, e.name) {
		fd := def.Fields.ForName(f.Name)
		var expr string
		var err error
		switch {
		case f.Name == e.fromField:
			expr, err = c.node(from, c.m.nodes[e.fromType], f.Selections)
		case f.Name == e.toField:
			expr, err = c.node(to, c.m.nodes[e.toType], f.Selections)
		case fd.Directives.ForName("evidence") != nil:
			expr, err = c.evidence(r, fd, f.Selections)
		case fd.Type.Elem != nil:
			expr = fmt.Sprintf("coalesce(%s.%s, [])", r, f.Name)
		default:
			expr = r + "." + f.Name
		}
		if err != nil {
			return "", err
		}
		items = append(items, f.Name+": "+expr)
	}
	return "{" + strings.Join(items, ", ") + "}", nil
}

// evidence lists relationship r's evidence as {sentence, source} maps.
func (c *compiler) evidence(r string, fd *ast.FieldDefinition, sel ast.SelectionSet) (string, error) {
	evType := c.m.schema.Types[fd.Type.Name()]
	sourceType := c.m.nodes[evType.Fields.ForName("source").Type.Name()]
	i := c.newVar("i")
	var items []string
	for _, f := range c.fields(sel, evType.Name) {
		switch f.Name {
		case "sentence":
			items = append(items, fmt.Sprintf("sentence: %s.%s[%s]", r, EvidenceSentences, i))
		case "source":
			s := c.newVar("s")
			proj, err := c.node(s, sourceType, f.Selections)
			if err != nil {
				return "", err
			}
			items = append(items, fmt.Sprintf("source: COLLECT { MATCH (%s:`%s` {id: %s.%s[%s]}) RETURN %s }[0]",
				s, sourceType.label, r, EvidenceSources, i, proj))
		}
	}
	return fmt.Sprintf("[%s IN range(0, size(coalesce(%s.%s, [])) - 1) | {%s}]",
		i, r, EvidenceSentences, strings.Join(items, ", ")), nil
}
