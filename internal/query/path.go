package query

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Bounds of a @path field. The schema's arguments give the defaults; a
// test checks they lie within these.
const (
	// MaxHops bounds the length of a path: a walk of any length is not a
	// question one request may ask.
	MaxHops = 6
	// MaxPaths bounds how many shortest paths of equal length are returned.
	MaxPaths = 20
)

// The shape of a @path field's answer: a list of Path objects, whose
// fields name what the compiler projects. NewMapping checks the schema's
// types against it, so a field it does not know fails at start-up.
var pathShape = map[string][]string{
	"path":     {"length", "nodes", "hops"},
	"hop":      {"from", "to", "direction", "relationship"},
	"node":     {"id", "type", "labels", "roles", "name", "properties", "depth", "evidence"},
	"edge":     {"id", "type", "from", "to", "properties", "evidence"},
	"citation": {"sentence", "sourceId", "sourceTitle", "method", "confidence"},
}

// pathPart is which part of pathShape a field of a part leads to.
var pathPart = map[[2]string]string{
	{"path", "nodes"}: "node", {"path", "hops"}: "hop",
	{"hop", "from"}: "node", {"hop", "to"}: "node", {"hop", "relationship"}: "edge",
	{"node", "evidence"}: "citation", {"edge", "evidence"}: "citation",
}

// checkPath checks that type name, as part part of a @path answer, has
// only fields the compiler projects, and so do the types they lead to.
func (m *Mapping) checkPath(name, part string, seen map[string]bool) error {
	def := m.schema.Types[name]
	if def == nil || def.Kind != ast.Object {
		return fmt.Errorf("@path: %s is not an object type", name)
	}
	if seen[name] {
		return nil
	}
	seen[name] = true
	for _, f := range def.Fields {
		known := false
		for _, k := range pathShape[part] {
			known = known || k == f.Name
		}
		if !known {
			return fmt.Errorf("@path: %s.%s is not a field a path's %s has", name, f.Name, part)
		}
		if next, ok := pathPart[[2]string{part, f.Name}]; ok {
			if err := m.checkPath(f.Type.Name(), next, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// walk is what a path walks: the labels of the entities at its ends (the
// @node types with evidence of their own, which sources are not), the
// relationship types between entities (mentions lead to sources, and
// walking them would join every two entities of one article in two hops),
// and the node type evidence comes from.
type walk struct {
	ends   []string
	rels   []string
	source *nodeType
}

func (m *Mapping) walk() (walk, error) {
	var w walk
	rels := map[string]bool{}
	for _, n := range m.nodes {
		def := m.schema.Types[n.name]
		for _, f := range def.Fields {
			if f.Directives.ForName("relationship") != nil {
				rels[relationshipOf(f).relType] = true
			}
			if f.Directives.ForName("evidence") != nil {
				w.ends = append(w.ends, n.label)
				w.source = m.nodes[m.schema.Types[f.Type.Name()].Fields.ForName("source").Type.Name()]
			}
		}
	}
	delete(rels, MentionedIn)
	for r := range rels {
		w.rels = append(w.rels, r)
	}
	if len(w.ends) == 0 || len(w.rels) == 0 {
		return w, fmt.Errorf("@path: no entity types with evidence, or no relationships between them")
	}
	sort.Strings(w.ends)
	sort.Strings(w.rels)
	return w, nil
}

// boundedArg reads an integer argument of f, checked against its bounds;
// null, as not given, is the schema's default.
func (c *compiler) boundedArg(f *Field, name string, min, max int64) (int64, error) {
	v, ok := f.Args[name].(int64)
	if a := f.Def.Arguments.ForName(name); !ok && a != nil && a.DefaultValue != nil {
		d, _, err := c.m.literal(a.DefaultValue, a.Type, nil, name)
		if err != nil {
			return 0, err
		}
		v, ok = d.(int64)
	}
	if !ok {
		return 0, apierror.New(apierror.BadInput, "%s is required", name)
	}
	if v < min || v > max {
		return 0, apierror.New(apierror.BadInput, "%s must be between %d and %d, got %d", name, min, max, v)
	}
	return v, nil
}

// path answers the shortest paths between two entities, along
// relationships in either direction, of at most maxHops hops: the first
// of them in path order. Which paths are kept is decided by ORDER BY
// before LIMIT, so the answer does not depend on the order in which the
// planner finds them; ORDER BY then LIMIT is a top-n that holds first
// paths at a time. All shortest paths are enumerated to order them, which
// maxHops bounds in length and the request's deadline in time. One path
// (first: 1) is the one the search finds first, and costs only the
// finding of one.
//
// Path order: by the ids of the nodes along the path, then by the types
// of its relationships, then by the ids of the nodes they start from
// (their directions), then by their keys, which tell apart two of one
// type between the same nodes.
func (c *compiler) path(f *Field, root *RootField) (string, error) {
	hops, err := c.boundedArg(f, "maxHops", 1, MaxHops)
	if err != nil {
		return "", err
	}
	first, err := c.boundedArg(f, "first", 1, MaxPaths)
	if err != nil {
		return "", err
	}
	w := *c.m.paths
	from, to := f.Args["from"], f.Args["to"]
	a, b, p := c.newVar("a"), c.newVar("b"), c.newVar("p")
	ns, rs := c.newVar("ns"), c.newVar("rs")
	found, err := c.pathProj(f, w, ns, rs)
	if err != nil {
		return "", err
	}
	same, err := c.pathProj(f, w, "["+a+"]", "[]")
	if err != nil {
		return "", err
	}
	search, order := "shortestPath", ""
	if first > 1 {
		search, order = "allShortestPaths", fmt.Sprintf(" WITH %[1]s ORDER BY [n IN nodes(%[1]s) | n.id], [r IN relationships(%[1]s) | type(r)],"+
			" [r IN relationships(%[1]s) | startNode(r).id], [r IN relationships(%[1]s) | CASE WHEN r.key IS :: STRING NOT NULL THEN r.key ELSE '' END] LIMIT %[2]s",
			p, c.param(first))
	}
	fromP, toP := c.param(from), c.param(to)
	root.read = func(v any) (any, error) {
		m, _ := v.(map[string]any)
		if id, missing := m["missing"]; missing {
			return nil, apierror.New(apierror.NotFound, "no entity with id %q", id)
		}
		return m["paths"], nil
	}
	ends := quotedLabels(w.ends)
	// The bound of a variable-length pattern cannot be a parameter, so it
	// is formatted into the statement from the checked integer. A path of
	// no hops joins an entity to itself; shortestPath refuses equal ends.
	return fmt.Sprintf("COLLECT { OPTIONAL MATCH (%[1]s:`%[2]s` {id: %[3]s}) WHERE %[1]s:%[4]s"+
		" OPTIONAL MATCH (%[5]s:`%[2]s` {id: %[6]s}) WHERE %[5]s:%[4]s"+
		" RETURN CASE WHEN %[1]s IS NULL THEN {missing: %[3]s} WHEN %[5]s IS NULL THEN {missing: %[6]s}"+
		" WHEN %[1]s = %[5]s THEN {paths: [%[7]s]}"+
		" ELSE {paths: COLLECT { WITH %[1]s, %[5]s WHERE %[1]s <> %[5]s MATCH %[8]s = %[9]s((%[1]s)-[:%[10]s*1..%[11]d]-(%[5]s))%[12]s"+
		" WITH nodes(%[8]s) AS %[13]s, relationships(%[8]s) AS %[14]s RETURN %[15]s }} END }[0]",
		a, NodeLabel, fromP, ends, b, toP, same, p, search, quotedLabels(w.rels), hops, order, ns, rs, found), nil
}

func quotedLabels(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, "|")
}

// project reads f's selection of its object type and projects each
// selected field by the expression part gives it.
func (c *compiler) project(f *Field, part func(*Field) (string, error)) (string, error) {
	fields, err := c.collect(f.sel, f.Def.Type.Name())
	if err != nil {
		return "", err
	}
	f.Sub = &Selection{Type: f.Def.Type.Name(), Fields: fields}
	var items []string
	for _, sf := range fields {
		if sf.Def == nil || sf.Err != nil {
			continue
		}
		expr, err := part(sf)
		if err != nil {
			return "", err
		}
		items = append(items, entry(sf.Key, expr))
	}
	return object(items), nil
}

// pathProj projects the path of the nodes ns and the relationships rs
// (two list expressions) as the selection of f, a field of Path type.
func (c *compiler) pathProj(f *Field, w walk, ns, rs string) (string, error) {
	return c.project(f, func(pf *Field) (string, error) {
		switch pf.Name {
		case "length":
			return "size(" + rs + ")", nil
		case "nodes":
			n := c.newVar("n")
			proj, err := c.graphNode(pf, w, n)
			return fmt.Sprintf("[%s IN %s | %s]", n, ns, proj), err
		case "hops":
			proj, err := c.hop(pf, w, ns, rs)
			if rs == "[]" {
				// The path of no hops.
				proj = "[]"
			}
			return proj, err
		}
		return "", fmt.Errorf("Path has no field %s", pf.Name)
	})
}

// hop projects the hops of a path, f's selection of Hop.
func (c *compiler) hop(f *Field, w walk, ns, rs string) (string, error) {
	i, x, y, r := c.newVar("i"), c.newVar("x"), c.newVar("y"), c.newVar("r")
	proj, err := c.project(f, func(hf *Field) (string, error) {
		switch hf.Name {
		case "from":
			return c.graphNode(hf, w, x)
		case "to":
			return c.graphNode(hf, w, y)
		case "direction":
			return fmt.Sprintf("CASE WHEN startNode(%s) = %s THEN 'FORWARD' ELSE 'BACKWARD' END", r, x), nil
		case "relationship":
			return c.graphEdge(hf, w, r)
		}
		return "", fmt.Errorf("Hop has no field %s", hf.Name)
	})
	// Each hop's ends and relationship are bound to variables once, as
	// the one item of a list, for the projections that read them.
	return fmt.Sprintf("[%[1]s IN range(0, size(%[2]s) - 1) | [%[3]s IN [%[4]s[%[1]s]] | [%[5]s IN [%[4]s[%[1]s + 1]] | [%[6]s IN [%[2]s[%[1]s]] | %[7]s][0]][0]][0]]",
		i, rs, x, ns, y, r, proj), err
}

// graphNode projects node variable v as f's selection of GraphNode.
func (c *compiler) graphNode(f *Field, w walk, v string) (string, error) {
	return c.project(f, func(nf *Field) (string, error) {
		switch nf.Name {
		case "id":
			return v + ".id", nil
		case "type":
			return fmt.Sprintf("coalesce(head(%s), '')", c.roles(v)), nil
		case "roles":
			return c.roles(v), nil
		case "labels":
			return c.typeLabels(v), nil
		case "name":
			return fmt.Sprintf("CASE WHEN %[1]s.name IS :: STRING NOT NULL AND %[1]s.name <> '' THEN %[1]s.name"+
				" WHEN %[1]s.title IS :: STRING NOT NULL AND %[1]s.title <> '' THEN %[1]s.title ELSE %[1]s.id END", v), nil
		case "properties":
			return "properties(" + v + ")", nil
		case "depth":
			return "null", nil
		case "evidence":
			m, s, i := c.newVar("m"), c.newVar("s"), c.newVar("i")
			cite, err := c.citation(nf, m, i, s+".id", s+".title")
			return fmt.Sprintf("COLLECT { MATCH (%[1]s)-[%[2]s:`%[3]s`]->(%[4]s:`%[5]s`) UNWIND %[6]s AS %[7]s WITH %[4]s, %[7]s, %[2]s ORDER BY %[4]s.id, %[7]s RETURN %[8]s }",
				v, m, MentionedIn, s, w.source.label, allEvidence(m), i, cite), err
		}
		return "", fmt.Errorf("GraphNode has no field %s", nf.Name)
	})
}

// typeLabels lists the type labels node v carries in the order of roles.
func (c *compiler) typeLabels(v string) string {
	var labels []string
	for _, n := range c.implementers() {
		labels = append(labels, cypherString(n.label))
	}
	return fmt.Sprintf("[ls IN [labels(%s)] | [l IN [%s] WHERE l IN ls]][0]", v, strings.Join(labels, ", "))
}

// graphEdge projects relationship variable r as f's selection of GraphEdge.
func (c *compiler) graphEdge(f *Field, w walk, r string) (string, error) {
	return c.project(f, func(ef *Field) (string, error) {
		switch ef.Name {
		case "id":
			return fmt.Sprintf("startNode(%[1]s).id + '|' + type(%[1]s) + '|' + endNode(%[1]s).id"+
				" + CASE WHEN %[1]s.key IS :: STRING NOT NULL AND %[1]s.key <> '' THEN '|' + %[1]s.key ELSE '' END", r), nil
		case "type":
			return "type(" + r + ")", nil
		case "from":
			return "startNode(" + r + ").id", nil
		case "to":
			return "endNode(" + r + ").id", nil
		case "properties":
			// The evidence lists are not properties of the fact; a Map
			// leaves out null entries, and no stored property is null.
			var drop []string
			for _, l := range EvidenceLists {
				drop = append(drop, l+": null")
			}
			return fmt.Sprintf("%s {.*, %s}", r, strings.Join(drop, ", ")), nil
		case "evidence":
			i, s := c.newVar("i"), c.newVar("s")
			title := fmt.Sprintf("COLLECT { MATCH (%s:`%s` {id: %s.%s[%s]}) RETURN %s.title }[0]", s, w.source.label, r, EvidenceSources, i, s)
			cite, err := c.citation(ef, r, i, fmt.Sprintf("%s.%s[%s]", r, EvidenceSources, i), title)
			return fmt.Sprintf("[%s IN %s | %s]", i, allEvidence(r), cite), err
		}
		return "", fmt.Errorf("GraphEdge has no field %s", ef.Name)
	})
}

// citation projects the evidence of relationship r at position i as f's
// selection of Citation, with the source's id and title as given.
func (c *compiler) citation(f *Field, r, i, sourceID, sourceTitle string) (string, error) {
	return c.project(f, func(cf *Field) (string, error) {
		switch cf.Name {
		case "sentence":
			return fmt.Sprintf("%s.%s[%s]", r, EvidenceSentences, i), nil
		case "sourceId":
			return sourceID, nil
		case "sourceTitle":
			return sourceTitle, nil
		case "method":
			return fmt.Sprintf("coalesce(%s.%s[%s], %s)", r, EvidenceMethods, i, cypherString(DefaultMethod)), nil
		case "confidence":
			return fmt.Sprintf("coalesce(%s.%s[%s], %s)", r, EvidenceConfidences, i, CypherFloat(DefaultConfidence)), nil
		}
		return "", fmt.Errorf("Citation has no field %s", cf.Name)
	})
}
