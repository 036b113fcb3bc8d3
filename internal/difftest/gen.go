package difftest

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/query"
)

// Generator makes random valid operations from the served schema, with
// values taken from the snapshot so that filters and lookups hit data.
type Generator struct {
	m     *model
	snap  *Snapshot
	pools map[string]map[string][]any // type -> property -> distinct values seen
	hubs  map[string][]*Node          // label -> nodes, most connected first
	// maxCursor is the largest position whose cursor is known; positions
	// past every list are still positions, for out-of-range cursors.
	maxCursor int
}

// Case is one generated operation, as the regression files keep it.
type Case struct {
	Name      string         `json:"name"`
	Note      string         `json:"note,omitempty"`
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
	op        *op
}

// NewGenerator reads the values to pick from the snapshot.
func NewGenerator(s *ast.Schema, snap *Snapshot, maxCursor int) *Generator {
	g := &Generator{m: newModel(s), snap: snap, pools: map[string]map[string][]any{}, hubs: map[string][]*Node{}, maxCursor: maxCursor}
	seen := map[string]map[string]map[string]bool{}
	addAll := func(typ string, props map[string]any) {
		if g.pools[typ] == nil {
			g.pools[typ], seen[typ] = map[string][]any{}, map[string]map[string]bool{}
		}
		for k, v := range props {
			if k == "sources" || k == "sentences" || k == "text" {
				continue
			}
			if seen[typ][k] == nil {
				seen[typ][k] = map[string]bool{}
			}
			for _, x := range asList(v) {
				key := fmt.Sprintf("%T %v", x, x)
				if !seen[typ][k][key] && len(g.pools[typ][k]) < 400 {
					seen[typ][k][key] = true
					g.pools[typ][k] = append(g.pools[typ][k], x)
				}
			}
		}
	}
	degree := map[*Node]int{}
	for _, r := range snap.Rels {
		degree[r.Start]++
		degree[r.End]++
	}
	for _, t := range g.m.nodeTypes() {
		nodes := snap.WithLabel(g.m.labels[t])
		for _, n := range nodes {
			addAll(t, n.Props)
		}
		sort.SliceStable(nodes, func(i, j int) bool { return degree[nodes[i]] > degree[nodes[j]] })
		g.hubs[g.m.labels[t]] = nodes
	}
	// Edge properties: every relationship some @relationship field lists as an edge.
	kinds := map[[3]string]string{}
	for _, t := range g.m.nodeTypes() {
		for _, fd := range s.Types[t].Fields {
			if rd := g.m.rel(fd); rd != nil && g.m.edges[rd.elem] != nil {
				from, to := g.m.labels[t], g.m.labels[rd.far]
				if !rd.out {
					from, to = to, from
				}
				kinds[[3]string{from, rd.relType, to}] = rd.elem
			}
		}
	}
	for _, r := range snap.Rels {
		for k, edge := range kinds {
			if r.Type == k[1] && r.Start.HasLabel(k[0]) && r.End.HasLabel(k[2]) {
				addAll(edge, r.Props)
			}
		}
	}
	return g
}

// gen is the state of one operation being generated.
type gen struct {
	*Generator
	r    *rand.Rand
	o    *op
	vals map[string]any
	n    int
}

// Case generates case number i of the run with this seed.
func (g *Generator) Case(seed uint64, i int) *Case {
	x := &gen{Generator: g, r: rand.New(rand.NewPCG(seed, uint64(i))), o: &op{}, vals: map[string]any{}}
	roots := 1 + x.r.IntN(2)
	for range roots {
		x.o.sel = append(x.o.sel, x.root())
	}
	if x.chance(0.15) {
		// One root field again under another alias, with other arguments.
		x.o.sel = append(x.o.sel, x.rootAs(x.o.sel[0].name))
	}
	return x.finish(fmt.Sprintf("s%d-c%d", seed, i))
}

func (x *gen) finish(name string) *Case {
	c := &Case{Name: name, Query: x.o.String(), op: x.o}
	if len(x.vals) > 0 {
		c.Variables = x.vals
	}
	return c
}

func (x *gen) chance(p float64) bool { return x.r.Float64() < p }

func (x *gen) alias() string {
	x.n++
	return "a" + strconv.Itoa(x.n)
}

// root makes one root field.
func (x *gen) root() *sel {
	var names []string
	for _, fd := range x.m.schema.Query.Fields {
		if strings.HasPrefix(fd.Name, "__") || fd.Directives.ForName("custom") != nil {
			continue
		}
		names = append(names, fd.Name)
	}
	// Lookups lead to the deepest nesting; weigh them up.
	w := x.r.Float64()
	var name string
	switch {
	case w < 0.3:
		name = pick(x.r, filter(names, func(n string) bool {
			fd := x.m.schema.Query.Fields.ForName(n)
			return x.m.labels[fd.Type.Name()] != "" && fd.Type.Elem == nil
		}))
	case w < 0.36:
		name = "node"
	case w < 0.41:
		name = "search"
		if x.chance(0.4) {
			name = "searchEvidence"
		}
	case w < 0.46:
		name = "changes"
	case w < 0.52:
		name = "path"
	default:
		name = pick(x.r, names)
	}
	return x.rootAs(name)
}

func (x *gen) rootAs(name string) *sel {
	fd := x.m.schema.Query.Fields.ForName(name)
	s := &sel{name: name}
	if x.chance(0.3) {
		s.alias = x.alias()
	}
	switch {
	case name == "changes":
		x.changesRoot(s)
	case fd.Directives.ForName("path") != nil:
		s.args = x.pathArgs()
		s.sub = x.selection(fd.Type.Name(), 0, false)
	case fd.Directives.ForName("search") != nil && fd.Type.Name() == "EvidenceHit":
		s.args = x.searchEvidenceArgs()
		s.sub = x.selection("EvidenceHit", 2, false)
	case fd.Directives.ForName("search") != nil:
		s.args = x.searchArgs()
		s.sub = x.selection("SearchHit", 2, false)
	case fd.Directives.ForName("lookup") != nil:
		s.args = []*arg{{"id", x.varOr(x.id(""), "ID!")}}
		s.sub = x.poly(2)
	case x.m.labels[fd.Type.Name()] != "" && fd.Type.Elem == nil:
		s.args = []*arg{{"id", x.varOr(x.id(fd.Type.Name()), "ID!")}}
		s.sub = x.selection(fd.Type.Name(), 3, false)
	default:
		s.args = x.listArgs(fd, true, 2)
		s.sub = x.selection(fd.Type.Name(), 2, false)
	}
	x.directives(s)
	return s
}

// id picks an id of a node of type t (any type for ""): mostly of the
// most connected nodes, sometimes of none, numeric ids sometimes as ints.
func (x *gen) id(t string) val {
	if x.chance(0.07) {
		if x.chance(0.5) {
			return vInt(999999)
		}
		return vStr("no-such-id")
	}
	var nodes []*Node
	if t == "" {
		for _, tt := range x.m.nodeTypes() {
			nodes = append(nodes, x.hubs[x.m.labels[tt]]...)
		}
	} else {
		nodes = x.hubs[x.m.labels[t]]
	}
	var n *Node
	if x.chance(0.5) {
		n = nodes[x.r.IntN(max(1, len(nodes)/10))]
	} else {
		n = nodes[x.r.IntN(len(nodes))]
	}
	if x.chance(0.15) {
		for _, c := range nodes {
			if _, err := strconv.ParseInt(c.ID(), 10, 64); err == nil && x.chance(0.5) {
				n = c
				break
			}
		}
	}
	if i, err := strconv.ParseInt(n.ID(), 10, 64); err == nil && x.chance(0.7) {
		return vInt(i)
	}
	return vStr(n.ID())
}

// evidenceArgs sometimes keeps the evidence of some methods only.
func (x *gen) evidenceArgs() []*arg {
	if !x.chance(0.4) {
		return nil
	}
	var list vList
	for _, v := range x.m.schema.Types["EvidenceMethod"].EnumValues {
		if x.chance(0.5) {
			list = append(list, vEnum(v.Name))
		}
	}
	return []*arg{{"methods", x.varOr(list, "[EvidenceMethod!]")}}
}

// varOr sometimes passes v as a variable of type typ instead.
func (x *gen) varOr(v val, typ string) val {
	if !x.chance(0.15) || hasVar(v) {
		return v
	}
	x.n++
	name := "v" + strconv.Itoa(x.n)
	d := &varDef{name: name, typ: typ}
	x.o.vars = append(x.o.vars, d)
	switch {
	case !strings.HasSuffix(typ, "!") && x.chance(0.3):
		d.def = v // the default only
	case !strings.HasSuffix(typ, "!") && x.chance(0.2):
		d.def = v
		x.vals[name] = toJSON(v) // given and the same as the default
	default:
		x.vals[name] = toJSON(v)
	}
	return vVar(name)
}

// directives sometimes puts @skip or @include on s.
func (x *gen) directives(s *sel) {
	if !x.chance(0.08) {
		return
	}
	name := pick(x.r, []string{"skip", "include"})
	var cond val = vBool(x.chance(0.5))
	if x.chance(0.6) {
		x.n++
		v := "b" + strconv.Itoa(x.n)
		b := x.chance(0.5)
		if x.chance(0.4) {
			x.o.vars = append(x.o.vars, &varDef{name: v, typ: "Boolean", def: vBool(b)})
		} else {
			x.o.vars = append(x.o.vars, &varDef{name: v, typ: "Boolean!"})
			x.vals[v] = b
		}
		cond = vVar(v)
	}
	s.dirs = append(s.dirs, &arg{name, cond})
}

// selection selects fields of typeName; hops is how many relationship
// fields may still be followed below.
func (x *gen) selection(typeName string, hops int, inFragment bool) []*sel {
	m := x.m
	var out []*sel
	used := map[string]bool{}
	field := func(name string) *sel {
		s := &sel{name: name}
		if inFragment || used[name] || x.chance(0.25) {
			s.alias = x.alias()
		}
		used[name] = true
		return s
	}
	switch {
	case m.labels[typeName] != "":
		def := m.schema.Types[typeName]
		var leaves, rels []*ast.FieldDefinition
		for _, fd := range def.Fields {
			switch {
			case m.rel(fd) != nil:
				rels = append(rels, fd)
			case fd.Directives.ForName("evidence") != nil:
			default:
				leaves = append(leaves, fd)
			}
		}
		if x.chance(0.6) {
			out = append(out, &sel{name: "id"})
			used["id"] = true
		}
		for range 1 + x.r.IntN(2) {
			fd := pick(x.r, leaves)
			out = append(out, field(fd.Name))
		}
		if x.chance(0.1) {
			out = append(out, &sel{name: "__typename"})
		}
		if hops > 0 {
			for range x.r.IntN(3) {
				fd := pick(x.r, rels)
				s := field(fd.Name)
				s.args = x.listArgs(fd, false, hops-1)
				s.sub = x.selection(fd.Type.Name(), hops-1, inFragment)
				x.directives(s)
				out = append(out, s)
			}
		}
		if x.chance(0.08) {
			s := field("evidence")
			s.args = x.evidenceArgs()
			s.sub = x.selection("Evidence", 0, inFragment)
			out = append(out, s)
		}
		if hops > 0 && x.chance(0.2) {
			out = append(out, x.fragment(typeName, hops))
		}
	case m.edges[typeName] != nil:
		ed := m.edges[typeName]
		def := m.schema.Types[typeName]
		var props []string
		for _, fd := range def.Fields {
			if fd.Name != ed.fromField && fd.Name != ed.toField && fd.Directives.ForName("evidence") == nil {
				props = append(props, fd.Name)
			}
		}
		if len(props) > 0 && x.chance(0.7) {
			out = append(out, field(pick(x.r, props)))
		}
		for _, end := range []string{ed.fromField, ed.toField} {
			if !x.chance(0.6) {
				continue
			}
			endType := ed.fromType
			if end == ed.toField {
				endType = ed.toType
			}
			s := field(end)
			s.sub = x.selection(endType, hops, inFragment)
			x.directives(s)
			out = append(out, s)
			if hops > 0 && x.chance(0.25) {
				// The same field without arguments again, below it other
				// arguments: each alias must keep its own.
				t := field(end)
				t.sub = x.selection(endType, hops, inFragment)
				out = append(out, t)
			}
		}
		if x.chance(0.1) {
			s := field("evidence")
			s.args = x.evidenceArgs()
			s.sub = x.selection("Evidence", 0, inFragment)
			out = append(out, s)
		}
	case m.conns[typeName] != "":
		if x.chance(0.6) {
			out = append(out, field("totalCount"))
		}
		if x.chance(0.6) {
			s := field("pageInfo")
			s.sub = x.selection("PageInfo", 0, inFragment)
			out = append(out, s)
		}
		if x.chance(0.8) || len(out) == 0 {
			s := field("edges")
			if x.chance(0.7) {
				s.sub = append(s.sub, &sel{name: "cursor"})
			}
			if x.chance(0.8) || len(s.sub) == 0 {
				n := &sel{name: "node"}
				n.sub = x.selection(m.conns[typeName], hops, inFragment)
				s.sub = append(s.sub, n)
			}
			out = append(out, s)
		}
	case m.aggs[typeName] != "":
		def := m.schema.Types[typeName]
		if x.chance(0.7) {
			out = append(out, field("count"))
		}
		for _, fd := range def.Fields {
			switch {
			case fd.Name == "countBy":
				for range x.r.IntN(3) {
					s := field("countBy")
					enum := m.schema.Types[fd.Arguments.ForName("field").Type.Name()]
					s.args = []*arg{{"field", vEnum(pick(x.r, enum.EnumValues).Name)}}
					s.sub = x.selection("GroupCount", 0, inFragment)
					out = append(out, s)
				}
			case fd.Type.Name() == "IntStats" || fd.Type.Name() == "FloatStats":
				if x.chance(0.5) {
					s := field(fd.Name)
					s.sub = x.selection(fd.Type.Name(), 0, inFragment)
					out = append(out, s)
				}
			}
		}
		if len(out) == 0 {
			out = append(out, field("count"))
		}
	case typeName == "SearchHit":
		if x.chance(0.7) {
			out = append(out, field("score"))
		}
		if x.chance(0.5) {
			out = append(out, field("matched"))
		}
		s := field("node")
		s.sub = x.poly(hops)
		out = append(out, s)
	case typeName == "EvidenceHit":
		for _, f := range []string{"score", "matched", "type"} {
			if x.chance(0.5) {
				out = append(out, field(f))
			}
		}
		for _, end := range []string{"from", "to"} {
			if x.chance(0.6) {
				s := field(end)
				s.sub = x.poly(max(0, hops-1))
				out = append(out, s)
			}
		}
		s := field("evidence")
		s.sub = x.selection("Evidence", 0, inFragment)
		out = append(out, s)
	case typeName == "Evidence":
		out = append(out, field("sentence"))
		if x.chance(0.5) {
			s := field("source")
			s.sub = []*sel{{name: "id"}}
			if x.chance(0.5) {
				s.sub = append(s.sub, &sel{name: "title"})
			}
			out = append(out, s)
		}
	default: // PageInfo, GroupCount, IntStats, FloatStats, and the parts of a path
		def := m.schema.Types[typeName]
		for _, fd := range def.Fields {
			if x.chance(0.6) {
				out = append(out, x.plain(field(fd.Name), fd, inFragment))
			}
		}
		if len(out) == 0 {
			out = append(out, x.plain(field(def.Fields[0].Name), def.Fields[0], inFragment))
		}
	}
	return out
}

// plain gives a field of a type that is none of the above a selection of
// its own when its type is an object: the parts of a path.
func (x *gen) plain(s *sel, fd *ast.FieldDefinition, inFragment bool) *sel {
	if t := x.m.schema.Types[fd.Type.Name()]; t != nil && t.Kind == ast.Object {
		s.sub = x.selection(t.Name, 0, inFragment)
	}
	return s
}

// fragment is an inline fragment or a named fragment's spread on a node
// type or on Node.
func (x *gen) fragment(typeName string, hops int) *sel {
	on := typeName
	if x.chance(0.3) {
		on = "Node"
	}
	var body []*sel
	if on == "Node" {
		body = []*sel{{name: "id"}}
		if x.chance(0.5) {
			body = append(body, &sel{name: "__typename"})
		}
	} else {
		body = x.selection(typeName, hops-1, true)
	}
	s := &sel{}
	if x.chance(0.5) {
		s.inline, s.on, s.sub = true, on, body
		if x.chance(0.1) {
			s.on = "" // no type condition
		}
	} else {
		x.n++
		name := "F" + strconv.Itoa(x.n)
		x.o.frags = append(x.o.frags, &frag{name: name, on: on, sel: body})
		s.spread = name
	}
	x.directives(s)
	return s
}

// poly selects on Node: id, __typename and fragments on some node types.
func (x *gen) poly(hops int) []*sel {
	out := []*sel{{name: "id"}}
	if x.chance(0.5) {
		out = append(out, &sel{name: "__typename"})
	}
	for range x.r.IntN(3) {
		t := pick(x.r, x.m.nodeTypes())
		body := x.selection(t, max(0, hops-1), true)
		if x.chance(0.7) {
			out = append(out, &sel{inline: true, on: t, sub: body})
		} else {
			x.n++
			name := "F" + strconv.Itoa(x.n)
			x.o.frags = append(x.o.frags, &frag{name: name, on: t, sel: body})
			out = append(out, &sel{spread: name})
		}
	}
	return out
}

// searchWord is a word of a node's name or title, or of another property
// search looks at, sometimes cut short to a prefix.
func (x *gen) searchWord() string {
	nodes := x.hubs[x.m.labels[pick(x.r, x.m.nodeTypes())]]
	n := nodes[x.r.IntN(len(nodes))]
	prop := "name"
	if x.chance(0.2) {
		prop = pick(x.r, query.SearchProperties)
	}
	var text string
	for _, v := range asListOrEmpty(n.Props[prop]) {
		s, _ := v.(string)
		text += " " + s
	}
	if strings.TrimSpace(text) == "" {
		text, _ = n.Props["title"].(string)
	}
	return x.cut(strings.Fields(text), "xiaomi")
}

// cut picks one of words, sometimes as a prefix; or, without words, or.
func (x *gen) cut(words []string, or string) string {
	if len(words) == 0 {
		return or
	}
	q := pick(x.r, words)
	if len(q) > 3 && x.chance(0.3) {
		q = q[:2+x.r.IntN(len(q)-2)]
	}
	return q
}

// searchText is one to three words, of one node or of several, so hits
// match some of them; now and then with Lucene's syntax in them, or none.
func (x *gen) searchText(word func() string) string {
	words := []string{word()}
	for x.chance(0.35) && len(words) < 3 {
		words = append(words, word())
	}
	switch {
	case x.chance(0.03):
		return "  ?! "
	case x.chance(0.05):
		words = append(words, pick(x.r, []string{`"`, "OR", "AND", "*", "~", `\`, "C++", `"AT&T"`, "a:b", "(x"}))
	}
	return strings.Join(words, " ")
}

func (x *gen) searchArgs() []*arg {
	q := x.searchText(x.searchWord)
	args := []*arg{{"query", vStr(q)}}
	if x.chance(0.4) {
		var types vList
		for range 1 + x.r.IntN(2) {
			types = append(types, vEnum(pick(x.r, x.m.nodeTypes())))
		}
		var v val = types
		if len(types) == 1 && x.chance(0.5) {
			v = types[0]
		}
		args = append(args, &arg{"types", v})
	}
	if x.chance(0.6) {
		f := int64(1 + x.r.IntN(15))
		if x.chance(0.03) {
			f = 0
		}
		args = append(args, &arg{"first", x.varOr(vInt(f), "Int")})
	}
	return args
}

// searchEvidenceArgs makes the arguments of searchEvidence: words of the
// sentences of some relationship, and sometimes the types to keep.
func (x *gen) searchEvidenceArgs() []*arg {
	var withEvidence []*Rel
	for _, r := range x.snap.Rels {
		if len(asListOrEmpty(r.Props[query.EvidenceSentences])) > 0 {
			withEvidence = append(withEvidence, r)
		}
	}
	word := func() string {
		if len(withEvidence) == 0 {
			return "xiaomi"
		}
		r := withEvidence[x.r.IntN(len(withEvidence))]
		sentences := asListOrEmpty(r.Props[query.EvidenceSentences])
		s, _ := sentences[x.r.IntN(len(sentences))].(string)
		return x.cut(strings.Fields(s), "xiaomi")
	}
	args := []*arg{{"query", vStr(x.searchText(word))}}
	if x.chance(0.3) && len(withEvidence) > 0 {
		var types vList
		for range 1 + x.r.IntN(2) {
			types = append(types, vStr(withEvidence[x.r.IntN(len(withEvidence))].Type))
		}
		args = append(args, &arg{"types", types})
	}
	if x.chance(0.6) {
		args = append(args, &arg{"first", x.varOr(vInt(int64(1+x.r.IntN(15))), "Int")})
	}
	return args
}

// listArgs makes the arguments of a list, connection or aggregate field;
// hops says how deep what it selects goes, so pages stay small above.
func (x *gen) listArgs(fd *ast.FieldDefinition, root bool, hops int) []*arg {
	var out []*arg
	elem := x.m.elem(fd.Type.Name())
	page := func() int64 {
		switch {
		case x.chance(0.005):
			return 101
		case x.chance(0.005):
			return -1
		case root && hops == 0 && x.chance(0.2):
			return 100
		case root:
			return int64(x.r.IntN(12))
		}
		return int64(x.r.IntN(5))
	}
	optional := hops == 0 || (root && hops <= 1)
	// Connections: first, last, both (which Relay allows), or neither,
	// which only a short list may leave out.
	mode := "first"
	switch w := x.r.Float64(); {
	case w < 0.3:
		mode = "last"
	case w < 0.35:
		mode = "both"
	case w < 0.5 && optional:
		mode = "neither"
	}
	for _, ad := range fd.Arguments {
		var v val
		switch ad.Name {
		case "where":
			if x.chance(0.5) {
				v = x.where(ad.Type.Name(), elem, 0)
			}
		case "sort":
			if x.chance(0.6) {
				v = x.sort(ad.Type.Name())
			}
		case "limit":
			if !optional || x.chance(0.7) {
				v = vInt(page())
			}
		case "offset":
			if x.chance(0.3) {
				o := int64(x.r.IntN(4))
				if x.chance(0.01) {
					o = -1
				}
				v = vInt(o)
			}
		case "first":
			if mode == "first" || mode == "both" {
				v = vInt(page())
			}
		case "last":
			if mode == "last" || mode == "both" {
				v = vInt(page())
			}
		case "after", "before":
			if x.chance(0.3) {
				v = x.cursor(elem)
			}
		}
		if v != nil {
			if ad.Name != "after" && ad.Name != "before" {
				v = x.varOr(v, ad.Type.String())
			}
			out = append(out, &arg{ad.Name, v})
		}
	}
	return out
}

// cursor names a position by placeholder (a cursor the API gave in the
// list of events, which holds an event's id), mostly near the start of a
// list, sometimes past its end, rarely no position at all. Some cursors
// are made here: a position alone, as the API's earlier cursors were,
// or a position with the id of a node of the listed type (elem), which
// need not be the node at that position.
func (x *gen) cursor(elem string) val {
	switch {
	case x.chance(0.03):
		return vStr("bm90LWEtY3Vyc29y")
	case x.chance(0.15) && x.maxCursor > 0:
		return vStr(fmt.Sprintf("__CURSOR_%d__", x.maxCursor-x.r.IntN(3)))
	case x.chance(0.1):
		return vStr(query.Cursor{Pos: int64(x.r.IntN(6))}.String())
	case x.chance(0.2):
		nodes := x.hubs[x.m.labels[elem]]
		if len(nodes) > 0 {
			id := nodes[x.r.IntN(len(nodes))].ID()
			return vStr(query.Cursor{Pos: int64(x.r.IntN(40)), ID: id, Keyed: true}.String())
		}
	}
	return vStr(fmt.Sprintf("__CURSOR_%d__", x.r.IntN(6)))
}

// sort makes a sort argument of input type name: a list of single-key
// objects, sometimes one object alone, rarely a malformed one.
func (x *gen) sort(name string) val {
	def := x.m.schema.Types[name]
	one := func() vObj {
		fd := pick(x.r, def.Fields)
		dir := vEnum(pick(x.r, []string{"ASC", "DESC"}))
		if fd.Type.Name() != "SortDirection" {
			sub := x.m.schema.Types[fd.Type.Name()]
			return vObj{{fd.Name, vObj{{pick(x.r, sub.Fields).Name, dir}}}}
		}
		o := vObj{{fd.Name, dir}}
		if other := pick(x.r, def.Fields); x.chance(0.02) && other.Name != fd.Name && other.Type.Name() == "SortDirection" {
			o = append(o, &arg{other.Name, dir})
		}
		return o
	}
	if x.chance(0.1) {
		return one()
	}
	var list vList
	for range 1 + x.r.IntN(3) {
		list = append(list, one())
	}
	return list
}

// where makes a filter of input type name over elem.
func (x *gen) where(name, elem string, depth int) val {
	def := x.m.schema.Types[name]
	if x.chance(0.05) {
		return vObj{}
	}
	var out vObj
	used := map[string]bool{}
	for range 1 + x.r.IntN(2) {
		fd := pick(x.r, def.Fields)
		if used[fd.Name] {
			continue
		}
		ft := x.m.schema.Types[fd.Type.Name()]
		var v val
		switch {
		case fd.Name == "AND" || fd.Name == "OR":
			if depth >= 2 {
				continue
			}
			var list vList
			n := 1 + x.r.IntN(2)
			if x.chance(0.05) {
				n = 0
			}
			for range n {
				list = append(list, x.where(name, elem, depth+1))
			}
			v = list
		case fd.Name == "NOT":
			if depth >= 2 {
				continue
			}
			v = x.where(name, elem, depth+1)
		case ft.Fields.ForName("some") != nil:
			if depth >= 2 {
				continue
			}
			if depth == 0 && x.chance(0.3) {
				if v = x.pinning(ft, elem); v != nil {
					break
				}
			}
			q := pick(x.r, ft.Fields)
			inner := q.Type.Name()
			v = vObj{{q.Name, x.where(inner, strings.TrimSuffix(inner, "Where"), depth+1)}}
		case strings.HasSuffix(ft.Name, "Where"):
			if depth >= 2 {
				continue
			}
			v = x.where(ft.Name, strings.TrimSuffix(ft.Name, "Where"), depth+1)
		default:
			v = x.scalarFilter(ft, elem, fd.Name)
		}
		used[fd.Name] = true
		out = append(out, &arg{fd.Name, v})
	}
	return out
}

// pinning makes the filter the compiler starts a root listing from: some
// relationship whose far end is given by id, by eq or by in, sometimes
// with a condition on the relationship besides.
func (x *gen) pinning(rel *ast.Definition, elem string) val {
	some := x.m.schema.Types[rel.Fields.ForName("some").Type.Name()]
	ids := func(t string) val {
		if x.m.labels[t] == "" {
			return nil
		}
		if x.chance(0.5) {
			return vObj{{"eq", x.id(t)}}
		}
		return vObj{{"in", vList{x.id(t), x.id(t)}}}
	}
	if some.Fields.ForName("id") != nil {
		id := ids(strings.TrimSuffix(some.Name, "Where"))
		if id == nil {
			return nil
		}
		return vObj{{"some", vObj{{"id", id}}}}
	}
	var ends []*ast.FieldDefinition
	for _, f := range some.Fields {
		if t := x.m.schema.Types[f.Type.Name()]; t != nil && f.Type.Name() != elem+"Where" && t.Fields.ForName("id") != nil {
			ends = append(ends, f)
		}
	}
	if len(ends) == 0 {
		return nil
	}
	end := pick(x.r, ends)
	id := ids(strings.TrimSuffix(end.Type.Name(), "Where"))
	if id == nil {
		return nil
	}
	filter := vObj{{end.Name, vObj{{"id", id}}}}
	if x.chance(0.3) {
		for _, f := range some.Fields {
			if ft := x.m.schema.Types[f.Type.Name()]; ft != nil && f != end && !strings.HasSuffix(ft.Name, "Where") && ft.Kind == ast.InputObject {
				filter = append(filter, &arg{f.Name, x.scalarFilter(ft, strings.TrimSuffix(some.Name, "Where"), f.Name)})
				break
			}
		}
	}
	return vObj{{"some", filter}}
}

// scalarFilter makes one field's operators, with values from the data.
func (x *gen) scalarFilter(ft *ast.Definition, elem, field string) val {
	pool := x.pools[elem][field]
	sample := func() any {
		if len(pool) == 0 || x.chance(0.1) {
			return nil
		}
		return pool[x.r.IntN(len(pool))]
	}
	var out vObj
	ci := false
	if ft.Fields.ForName("caseInsensitive") != nil && x.chance(0.25) {
		ci = true
		out = append(out, &arg{"caseInsensitive", vBool(true)})
	}
	for range 1 + x.r.IntN(2) {
		op := pick(x.r, ft.Fields)
		if op.Name == "caseInsensitive" {
			continue
		}
		if op.Name == "isNull" || op.Name == "isEmpty" {
			out = append(out, &arg{op.Name, vBool(x.chance(0.5))})
			continue
		}
		scalar := op.Type.Name()
		value := func() val {
			v := sample()
			s, isString := v.(string)
			switch op.Name {
			case "contains", "startsWith", "endsWith":
				if !isString || s == "" {
					s = "zz"
				}
				n := 1 + x.r.IntN(min(len(s), 6))
				switch op.Name {
				case "startsWith":
					s = s[:n]
				case "endsWith":
					s = s[len(s)-n:]
				default:
					i := x.r.IntN(len(s) - n + 1)
					s = s[i : i+n]
				}
				v = s
			}
			return x.literal(v, scalar, ci)
		}
		var v val
		if op.Type.Elem != nil {
			var list vList
			for range 1 + x.r.IntN(3) {
				list = append(list, value())
			}
			v = list
		} else {
			v = value()
		}
		if x.chance(0.1) && scalar != "ID" {
			v = x.varOr(v, op.Type.String())
		}
		out = append(out, &arg{op.Name, v})
	}
	return out
}

// literal spells a data value as a literal of scalar; a missing value
// becomes one no item has.
func (x *gen) literal(v any, scalar string, ci bool) val {
	switch scalar {
	case "Int":
		n, ok := v.(int64)
		if !ok {
			n = int64(x.r.IntN(500000))
		}
		return vInt(n)
	case "Float":
		f, ok := number(v)
		if !ok {
			f = float64(x.r.IntN(100)) * 1e6
		}
		if f == float64(int64(f)) && x.chance(0.3) {
			return vInt(int64(f))
		}
		return vFloat(f)
	case "Boolean":
		b, ok := v.(bool)
		if !ok {
			b = x.chance(0.5)
		}
		return vBool(b)
	case "String", "ID":
		s, ok := v.(string)
		if !ok {
			s = "zzz"
		}
		if scalar == "ID" {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil && x.chance(0.7) {
				return vInt(i)
			}
		}
		if ci && x.chance(0.7) {
			s = strings.ToUpper(s)
		}
		return vStr(s)
	}
	// An enum.
	def := x.m.schema.Types[scalar]
	s, ok := v.(string)
	if !ok || def.EnumValues.ForName(s) == nil {
		s = pick(x.r, def.EnumValues).Name
	}
	return vEnum(s)
}

func hasVar(v val) bool {
	switch x := v.(type) {
	case vVar:
		return true
	case vList:
		for _, e := range x {
			if hasVar(e) {
				return true
			}
		}
	case vObj:
		for _, a := range x {
			if hasVar(a.v) {
				return true
			}
		}
	}
	return false
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func filter(xs []string, keep func(string) bool) []string {
	var out []string
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}
