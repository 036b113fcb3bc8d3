package difftest

import (
	"fmt"
	"slices"
	"sort"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/query"
)

// The reference's answer of a @path field: the shortest paths found by
// walking the snapshot breadth first from both ends, in path order.
type (
	pathV struct {
		nodes []*Node
		rels  []*Rel
	}
	hopV struct {
		from, to *Node
		rel      *Rel
	}
	graphNode struct{ n *Node }
	graphEdge struct{ r *Rel }
	citation  struct{ sentence, sourceID, sourceTitle, method, confidence any }
)

// walkable is what a path walks, read from the schema: the labels of
// entities (the @node types with evidence of their own) and the
// relationship types of @relationship fields, mentions of sources aside.
func (m *model) walkable() (ends []string, rels map[string]bool) {
	rels = map[string]bool{}
	for _, t := range m.nodeTypes() {
		for _, fd := range m.schema.Types[t].Fields {
			if d := fd.Directives.ForName("relationship"); d != nil {
				rels[d.Arguments.ForName("type").Value.Raw] = true
			}
			if fd.Directives.ForName("evidence") != nil {
				ends = append(ends, m.labels[t])
			}
		}
	}
	delete(rels, query.MentionedIn)
	return ends, rels
}

// intArg is an integer argument within bounds; null is its default.
func (e *exec) intArg(fd *ast.FieldDefinition, args map[string]any, name string, lo, hi int64) (int64, error) {
	v, ok := args[name].(int64)
	if !ok {
		d, _ := e.literal(fd.Arguments.ForName(name).DefaultValue, fd.Arguments.ForName(name).Type)
		v, _ = d.(int64)
	}
	if v < lo || v > hi {
		return 0, badInput("%s out of range: %d", name, v)
	}
	return v, nil
}

func (e *exec) path(fd *ast.FieldDefinition, args map[string]any) (any, error) {
	hops, err := e.intArg(fd, args, "maxHops", 1, query.MaxHops)
	if err != nil {
		return nil, err
	}
	first, err := e.intArg(fd, args, "first", 1, query.MaxPaths)
	if err != nil {
		return nil, err
	}
	ends, rels := e.r.m.walkable()
	entity := func(name string) (*Node, error) {
		id := fmt.Sprint(args[name])
		for _, l := range ends {
			if n := e.r.snap.ByID(id, l); n != nil {
				return n, nil
			}
		}
		return nil, &fieldError{"NOT_FOUND", "no entity " + id}
	}
	a, err := entity("from")
	if err != nil {
		return nil, err
	}
	b, err := entity("to")
	if err != nil {
		return nil, err
	}
	if a == b {
		return []any{pathV{nodes: []*Node{a}}}, nil
	}
	s := e.r.snap
	near := func(n *Node) []*Rel {
		var out []*Rel
		for _, r := range append(slices.Clone(s.out[n]), s.in[n]...) {
			if rels[r.Type] {
				out = append(out, r)
			}
		}
		return out
	}
	other := func(r *Rel, n *Node) *Node {
		if r.Start == n {
			return r.End
		}
		return r.Start
	}
	// Distances from each end, as far as the path may reach.
	dist := func(from *Node) map[*Node]int {
		d := map[*Node]int{from: 0}
		frontier := []*Node{from}
		for k := 1; k <= int(hops) && len(frontier) > 0; k++ {
			var next []*Node
			for _, n := range frontier {
				for _, r := range near(n) {
					if o := other(r, n); r.Start != r.End {
						if _, seen := d[o]; !seen {
							d[o] = k
							next = append(next, o)
						}
					}
				}
			}
			frontier = next
		}
		return d
	}
	fromA, fromB := dist(a), dist(b)
	length, found := fromA[b]
	if !found {
		return []any{}, nil
	}
	var paths []pathV
	var walk func(n *Node, nodes []*Node, rs []*Rel)
	walk = func(n *Node, nodes []*Node, rs []*Rel) {
		if n == b {
			paths = append(paths, pathV{nodes: slices.Clone(nodes), rels: slices.Clone(rs)})
			return
		}
		for _, r := range near(n) {
			o := other(r, n)
			da, okA := fromA[o]
			db, okB := fromB[o]
			if r.Start != r.End && okA && okB && da == len(rs)+1 && da+db == length {
				walk(o, append(nodes, o), append(rs, r))
			}
		}
	}
	walk(a, []*Node{a}, nil)
	sort.SliceStable(paths, func(i, j int) bool { return pathLess(paths[i], paths[j]) })
	out := []any{}
	for i := 0; i < len(paths) && i < int(first); i++ {
		out = append(out, paths[i])
	}
	return out, nil
}

// pathLess is path order: by the ids of the nodes along the paths, then
// by the types of their relationships, then by the ids of the nodes the
// relationships start from, then by their keys.
func pathLess(a, b pathV) bool {
	keys := func(p pathV) [][]string {
		var ids, types, starts, ks []string
		for _, n := range p.nodes {
			ids = append(ids, n.ID())
		}
		for _, r := range p.rels {
			key, _ := r.Props["key"].(string)
			types, starts, ks = append(types, r.Type), append(starts, r.Start.ID()), append(ks, key)
		}
		return [][]string{ids, types, starts, ks}
	}
	ka, kb := keys(a), keys(b)
	for i := range ka {
		if c := slices.Compare(ka[i], kb[i]); c != 0 {
			return c < 0
		}
	}
	return false
}

// pathField resolves a field of the objects of a path's answer.
func (e *exec) pathField(src any, fd *ast.FieldDefinition) (any, bool) {
	m := e.r.m
	switch s := src.(type) {
	case pathV:
		switch fd.Name {
		case "length":
			return int64(len(s.rels)), true
		case "nodes":
			out := []any{}
			for _, n := range s.nodes {
				out = append(out, graphNode{n})
			}
			return out, true
		case "hops":
			out := []any{}
			for i, r := range s.rels {
				out = append(out, hopV{s.nodes[i], s.nodes[i+1], r})
			}
			return out, true
		}
	case hopV:
		switch fd.Name {
		case "from":
			return graphNode{s.from}, true
		case "to":
			return graphNode{s.to}, true
		case "direction":
			if s.rel.Start == s.from {
				return "FORWARD", true
			}
			return "BACKWARD", true
		case "relationship":
			return graphEdge{s.rel}, true
		}
	case graphNode:
		n := s.n
		switch fd.Name {
		case "id":
			return n.Props["id"], true
		case "type":
			return m.typeOf(n), true
		case "roles", "labels":
			out := []any{}
			for _, t := range m.roles(n) {
				if fd.Name == "labels" {
					out = append(out, m.labels[t])
				} else {
					out = append(out, t)
				}
			}
			return out, true
		case "name":
			for _, k := range []string{"name", "title"} {
				if v, ok := n.Props[k].(string); ok && v != "" {
					return v, true
				}
			}
			return n.Props["id"], true
		case "properties":
			return n.Props, true
		case "depth":
			return nil, true
		case "evidence":
			return e.nodeCitations(n), true
		}
	case graphEdge:
		r := s.r
		switch fd.Name {
		case "id":
			id := r.Start.ID() + "|" + r.Type + "|" + r.End.ID()
			if key, _ := r.Props["key"].(string); key != "" {
				id += "|" + key
			}
			return id, true
		case "type":
			return r.Type, true
		case "from":
			return r.Start.ID(), true
		case "to":
			return r.End.ID(), true
		case "properties":
			props := map[string]any{}
			for k, v := range r.Props {
				if !slices.Contains(query.EvidenceLists, k) {
					props[k] = v
				}
			}
			return props, true
		case "evidence":
			out := []any{}
			for _, ev := range relEvidence(r, nil) {
				ev := ev.(evidence)
				var title any
				if n := e.r.snap.ByID(fmt.Sprint(ev.source), e.sourceLabel()); n != nil {
					title = n.Props["title"]
				}
				out = append(out, citation{ev.sentence, ev.source, title, ev.method, ev.confidence})
			}
			return out, true
		}
	case citation:
		switch fd.Name {
		case "sentence":
			return s.sentence, true
		case "sourceId":
			return s.sourceID, true
		case "sourceTitle":
			return s.sourceTitle, true
		case "method":
			return s.method, true
		case "confidence":
			return s.confidence, true
		}
	}
	return nil, false
}

// nodeCitations are the sentences of the sources that mention n, by
// source id and then in their order.
func (e *exec) nodeCitations(n *Node) []any {
	rels := e.r.snap.Out(n, query.MentionedIn)
	sort.SliceStable(rels, func(i, j int) bool { return rels[i].End.ID() < rels[j].End.ID() })
	out := []any{}
	for _, r := range rels {
		for _, ev := range relEvidence(r, nil) {
			ev := ev.(evidence)
			out = append(out, citation{ev.sentence, r.End.ID(), r.End.Props["title"], ev.method, ev.confidence})
		}
	}
	return out
}

// sourceLabel is the label of the type evidence comes from.
func (e *exec) sourceLabel() string {
	m := e.r.m
	def := m.schema.Types["Evidence"]
	return m.labels[def.Fields.ForName("source").Type.Name()]
}

// pathArgs are the arguments of a @path field: two entities near each
// other (a walk of a few steps apart), sometimes far apart or the same,
// sometimes not entities; and bounds, sometimes out of range.
func (x *gen) pathArgs() []*arg {
	// Mostly entities: a source is not one, and is NOT_FOUND.
	t := ""
	if x.chance(0.8) {
		ends, _ := x.m.walkable()
		t = pick(x.r, filter(x.m.nodeTypes(), func(t string) bool { return slices.Contains(ends, x.m.labels[t]) }))
	}
	from := x.id(t)
	to := x.id("")
	if s, ok := from.(vStr); ok && x.chance(0.6) {
		if ns := x.snap.byID[string(s)]; len(ns) > 0 {
			n := ns[0]
			for range 1 + x.r.IntN(4) {
				var next []*Rel
				for _, r := range append(slices.Clone(x.snap.out[n]), x.snap.in[n]...) {
					if r.Type != query.MentionedIn {
						next = append(next, r)
					}
				}
				if len(next) == 0 {
					break
				}
				r := next[x.r.IntN(len(next))]
				if r.Start == n {
					n = r.End
				} else {
					n = r.Start
				}
			}
			to = vStr(n.ID())
		}
	}
	if x.chance(0.05) {
		to = from
	}
	args := []*arg{{"from", x.varOr(from, "ID!")}, {"to", x.varOr(to, "ID!")}}
	if x.chance(0.7) {
		hops := []int64{1, 2, 2, 3, 3, 4, 4, 6, 0, query.MaxHops + 1}[x.r.IntN(10)]
		args = append(args, &arg{"maxHops", x.varOr(vInt(hops), "Int")})
	}
	// first: 1 is the path the database finds first, which any
	// shortest path may be; the test asks for two or more, or the default.
	if x.chance(0.8) {
		first := []int64{2, 2, 3, 3, 5, 5, 20, 20, 0, query.MaxPaths + 1}[x.r.IntN(10)]
		args = append(args, &arg{"first", x.varOr(vInt(first), "Int")})
	}
	return args
}
