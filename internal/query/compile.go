package query

import (
	"fmt"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Limits bound what one request may ask for.
type Limits struct {
	// MaxPageSize is the largest limit, first, last or search first; it is
	// also the limit of a list that gives none.
	MaxPageSize int
	// MaxFilterDepth bounds the nesting of where filters.
	MaxFilterDepth int
}

// Statement is one Cypher statement that answers a set of root fields.
// Each root field's answer is in the column named by Root.Column.
type Statement struct {
	Cypher string
	Params map[string]any
	Roots  []RootField
}

// RootField is one root field of the request.
type RootField struct {
	Key    string // response key: the alias, or the field name
	Column string
	Type   string // GraphQL type name of the answer
	Single bool   // one node by id: null means not found
}

// compiler builds one statement. Variables are numbered so nested
// subqueries never shadow each other; values only ever enter as parameters.
type compiler struct {
	m      *Mapping
	oc     *graphql.OperationContext
	limits Limits
	params map[string]any
	vars   int
}

// Compile turns the root fields of a query operation into one statement.
// It refuses, before anything reaches Neo4j, what the limits do not allow.
func (m *Mapping) Compile(oc *graphql.OperationContext, roots []graphql.CollectedField, limits Limits) (*Statement, error) {
	c := &compiler{m: m, oc: oc, limits: limits, params: map[string]any{}}
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
		if def.Directives.ForName("custom") != nil {
			continue
		}
		root := RootField{Key: f.Alias, Column: fmt.Sprintf("f%d", i), Type: def.Type.Name()}
		expr, err := c.root(f, def, &root)
		if err != nil {
			return nil, err
		}
		cols = append(cols, fmt.Sprintf("%s AS %s", expr, root.Column))
		st.Roots = append(st.Roots, root)
	}
	if len(cols) > 0 {
		st.Cypher = "RETURN " + strings.Join(cols, ",\n       ")
	}
	return st, nil
}

func (c *compiler) root(f graphql.CollectedField, def *ast.FieldDefinition, root *RootField) (string, error) {
	args := f.ArgumentMap(c.oc.Variables)
	switch {
	case def.Directives.ForName("search") != nil:
		return c.search(args, f.Selections)
	case def.Directives.ForName("lookup") != nil:
		root.Single = true
		return c.lookup(args["id"], f.Selections)
	}
	name := def.Type.Name()
	if node := c.m.nodes[name]; node != nil && def.Type.Elem == nil {
		root.Single = true
		o := c.newVar("n")
		proj, err := c.node(o, node, f.Selections)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("COLLECT { MATCH (%s:`%s` {id: %s}) RETURN %s }[0]", o, node.label, c.param(args["id"]), proj), nil
	}
	elem := c.m.nodes[c.m.elem(name)]
	o := c.newVar("n")
	l := &listing{elem: elem.name, pattern: fmt.Sprintf("(%s:`%s`)", o, elem.label), node: o}
	return c.listing(l, name, args, f.Selections)
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
// @skip/@include. A field without arguments is answered under its name, so
// its aliases are merged into one; a field with arguments is answered
// under each response key, in the model's Rel.
func (c *compiler) fields(sel ast.SelectionSet, typeName string, satisfies ...string) []graphql.CollectedField {
	var out []graphql.CollectedField
	index := map[string]int{}
	for _, f := range graphql.CollectFields(c.oc, sel, append([]string{typeName}, satisfies...)) {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		if len(f.Definition.Arguments) > 0 {
			out = append(out, f)
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

// object joins plain items and items keyed by response key into one map.
func object(items, rel []string) string {
	if len(rel) > 0 {
		items = append(items, "_rel: {"+strings.Join(rel, ", ")+"}")
	}
	return "{" + strings.Join(items, ", ") + "}"
}

// node projects node variable v as a map of the selected fields.
func (c *compiler) node(v string, t *nodeType, sel ast.SelectionSet, satisfies ...string) (string, error) {
	def := c.m.schema.Types[t.name]
	var items, rel []string
	for _, f := range c.fields(sel, t.name, satisfies...) {
		fd := def.Fields.ForName(f.Name)
		var expr string
		var err error
		switch {
		case fd.Directives.ForName("relationship") != nil:
			expr, err = c.relationship(v, fd, f)
		case fd.Directives.ForName("evidence") != nil:
			m, s := c.newVar("m"), c.newVar("s")
			var ev string
			ev, err = c.evidence(m, fd, f.Selections)
			expr = fmt.Sprintf("COLLECT { MATCH (%s)-[%s:`%s`]->(%s) WITH %s ORDER BY %s.id UNWIND %s AS e RETURN e }",
				v, m, MentionedIn, s, m, s, ev)
		case fd.Type.Elem != nil:
			expr = fmt.Sprintf("coalesce(%s.%s, [])", v, fd.Name)
		default:
			expr = v + "." + fd.Name
		}
		if err != nil {
			return "", err
		}
		if len(fd.Arguments) > 0 {
			rel = append(rel, quoteKey(f.Alias)+": "+expr)
		} else {
			items = append(items, fd.Name+": "+expr)
		}
	}
	if len(satisfies) > 0 {
		items = append(items, "__typename: '"+t.name+"'")
	}
	return object(items, rel), nil
}

// quoteKey quotes a response key for a Cypher map: aliases are GraphQL
// names, which are Cypher identifiers too, but backticks keep it certain.
func quoteKey(k string) string { return "`" + k + "`" }

// relationship answers a @relationship field of node v: a list, a
// connection or an aggregate of the nodes or edges it reaches.
func (c *compiler) relationship(v string, fd *ast.FieldDefinition, f graphql.CollectedField) (string, error) {
	return c.listing(c.relListing(v, fd), fd.Type.Name(), f.ArgumentMap(c.oc.Variables), f.Selections)
}

// relListing is what relationship field fd of node v ranges over, with
// fresh variables for the relationship and its far end.
func (c *compiler) relListing(v string, fd *ast.FieldDefinition) *listing {
	rel := relationshipOf(fd)
	other := c.m.otherEnd(fd, rel)
	r, o := c.newVar("r"), c.newVar("n")
	left, right := "-", "->"
	if !rel.out {
		left, right = "<-", "-"
	}
	l := &listing{
		elem:    c.m.elem(fd.Type.Name()),
		pattern: fmt.Sprintf("(%s)%s[%s:`%s`]%s(%s:`%s`)", v, left, r, rel.relType, right, o, other.label),
		node:    o, rel: r, from: v, to: o,
	}
	if !rel.out {
		l.from, l.to = o, v
	}
	return l
}

// listing is what a list-like field ranges over: nodes of one label at the
// root, or the relationships of one type from a node, with their far ends.
type listing struct {
	elem     string // the node or edge type listed
	pattern  string // the MATCH pattern binding the variables below
	node     string // the node variable: the far end
	rel      string // the relationship variable, "" at the root
	from, to string // the edge's end variables
}

func (l *listing) isEdge(m *Mapping) bool { return m.edges[l.elem] != nil }

// row is what one item of the listing carries through WITH.
func (l *listing) row() string {
	if l.rel == "" {
		return l.node
	}
	return l.rel + ", " + l.node
}

// listing answers a field of the given type over l: a list, a connection
// or an aggregate, with its filter, sort and page.
func (c *compiler) listing(l *listing, typeName string, args map[string]any, sel ast.SelectionSet) (string, error) {
	cond, err := c.where(args["where"], l, 0)
	if err != nil {
		return "", err
	}
	if _, ok := c.m.aggregates[typeName]; ok {
		return c.aggregate(l, cond, typeName, sel)
	}
	match := "MATCH " + l.pattern
	if cond != "" {
		match += " WHERE " + cond
	}
	order, err := c.order(args["sort"], l)
	if err != nil {
		return "", err
	}
	if _, ok := c.m.connections[typeName]; ok {
		return c.connection(l, match, order, typeName, args, sel)
	}
	skip, limit, err := c.page(args)
	if err != nil {
		return "", err
	}
	proj, err := c.item(l, sel)
	if err != nil {
		return "", err
	}
	page := ""
	if skip > 0 {
		page += " SKIP " + c.param(skip)
	}
	page += " LIMIT " + c.param(limit)
	return fmt.Sprintf("COLLECT { %s WITH %s ORDER BY %s%s RETURN %s }", match, l.row(), order, page, proj), nil
}

// item projects one element of the listing.
func (c *compiler) item(l *listing, sel ast.SelectionSet) (string, error) {
	if e := c.m.edges[l.elem]; e != nil {
		return c.edge(l.rel, l.from, l.to, e, sel)
	}
	return c.node(l.node, c.m.nodes[l.elem], sel)
}

// page reads limit and offset.
func (c *compiler) page(args map[string]any) (skip, limit int64, err error) {
	limit = int64(c.limits.MaxPageSize)
	v, ok, err := intArg(args, "limit")
	if err != nil {
		return 0, 0, err
	}
	if ok {
		if v < 0 || v > int64(c.limits.MaxPageSize) {
			return 0, 0, apierror.New(apierror.BadInput, "limit must be between 0 and %d, got %d", c.limits.MaxPageSize, v)
		}
		limit = v
	}
	if v, ok, err = intArg(args, "offset"); err != nil {
		return 0, 0, err
	}
	if ok {
		if v < 0 {
			return 0, 0, apierror.New(apierror.BadInput, "offset must not be negative, got %d", v)
		}
		skip = v
	}
	return skip, limit, nil
}

// connection answers a Relay connection. The sorted items are collected
// (as references, cheap) so that totalCount and both paging directions
// are exact; only the page is projected.
func (c *compiler) connection(l *listing, match, order, typeName string, args map[string]any, sel ast.SelectionSet) (string, error) {
	first, hasFirst, err := intArg(args, "first")
	if err != nil {
		return "", err
	}
	last, hasLast, err := intArg(args, "last")
	if err != nil {
		return "", err
	}
	after, hasAfter, err := cursorArg(args, "after")
	if err != nil {
		return "", err
	}
	before, hasBefore, err := cursorArg(args, "before")
	if err != nil {
		return "", err
	}
	if hasFirst && hasLast {
		return "", apierror.New(apierror.BadInput, "give first or last, not both")
	}
	for name, v := range map[string]int64{"first": first, "last": last} {
		if v < 0 || v > int64(c.limits.MaxPageSize) {
			return "", apierror.New(apierror.BadInput, "%s must be between 0 and %d, got %d", name, c.limits.MaxPageSize, v)
		}
	}
	rows, b, i := c.newVar("rows"), c.newVar("b"), c.newVar("i")
	size := "size(" + rows + ")"
	var start, end string
	switch {
	case hasLast:
		end = size
		if hasBefore {
			end = fmt.Sprintf("CASE WHEN %s < %s THEN %s ELSE %s END", c.param(before), size, c.param(before), size)
		}
		start = fmt.Sprintf("CASE WHEN %[1]s - %[2]s > 0 THEN %[1]s - %[2]s ELSE 0 END", end, c.param(last))
	default:
		if !hasFirst {
			first = int64(c.limits.MaxPageSize)
		}
		start = "0"
		if hasAfter {
			start = c.param(after + 1)
		}
		end = fmt.Sprintf("CASE WHEN %[1]s + %[2]s < %[3]s THEN %[1]s + %[2]s ELSE %[3]s END", start, c.param(first), size)
		if hasBefore {
			end = fmt.Sprintf("CASE WHEN %[1]s < %[2]s THEN %[1]s ELSE %[2]s END", c.param(before), end)
		}
	}
	bound := fmt.Sprintf("{s: %s, e: %s}", start, end)
	var items []string
	def := c.m.schema.Types[typeName]
	for _, f := range c.fields(sel, typeName) {
		switch def.Fields.ForName(f.Name).Name {
		case "totalCount":
			items = append(items, "totalCount: "+size)
		case "pageInfo":
			var info []string
			for _, p := range c.fields(f.Selections, "PageInfo") {
				switch p.Name {
				case "hasNextPage":
					info = append(info, fmt.Sprintf("hasNextPage: %s.e < %s", b, size))
				case "hasPreviousPage":
					info = append(info, fmt.Sprintf("hasPreviousPage: %s.s > 0", b))
				case "startCursor":
					info = append(info, fmt.Sprintf("startCursor: CASE WHEN %[1]s.e > %[1]s.s THEN %[1]s.s END", b))
				case "endCursor":
					info = append(info, fmt.Sprintf("endCursor: CASE WHEN %[1]s.e > %[1]s.s THEN %[1]s.e - 1 END", b))
				}
			}
			items = append(items, "pageInfo: {"+strings.Join(info, ", ")+"}")
		case "edges":
			var edge []string
			bind := fmt.Sprintf("%s[%s] AS %s", rows, i, l.node)
			if l.rel != "" {
				bind = fmt.Sprintf("%[1]s[%[2]s][0] AS %[3]s, %[1]s[%[2]s][1] AS %[4]s", rows, i, l.rel, l.node)
			}
			for _, e := range c.fields(f.Selections, def.Fields.ForName("edges").Type.Name()) {
				switch e.Name {
				case "cursor":
					edge = append(edge, "cursor: "+i)
				case "node":
					proj, err := c.item(l, e.Selections)
					if err != nil {
						return "", err
					}
					edge = append(edge, "node: "+proj)
				}
			}
			items = append(items, fmt.Sprintf("edges: COLLECT { UNWIND range(%[1]s.s, %[1]s.e - 1) AS %[2]s WITH %[2]s, %[3]s RETURN {%[4]s} ORDER BY %[2]s }",
				b, i, bind, strings.Join(edge, ", ")))
		}
	}
	collected := l.node
	if l.rel != "" {
		collected = "[" + l.rel + ", " + l.node + "]"
	}
	return fmt.Sprintf("[%[1]s IN [COLLECT { %[2]s WITH %[3]s ORDER BY %[4]s RETURN %[5]s }] | [%[6]s IN [%[7]s] | {%[8]s}][0]][0]",
		rows, match, l.row(), order, collected, b, bound, strings.Join(items, ", ")), nil
}

// aggregate answers counts and statistics over the items of a listing.
// At the root it aggregates with grouping, one pass each. Below a node,
// Neo4j refuses aggregating functions in a projection nested in another,
// so there counts are COUNT subqueries and statistics are folded over
// COLLECTed values.
func (c *compiler) aggregate(l *listing, cond, typeName string, sel ast.SelectionSet) (string, error) {
	def := c.m.schema.Types[typeName]
	v := l.node
	if l.isEdge(c.m) {
		v = l.rel
	}
	match := func(extra string) string {
		conds := []string{}
		for _, s := range []string{cond, extra} {
			if s != "" {
				conds = append(conds, s)
			}
		}
		if len(conds) == 0 {
			return "MATCH " + l.pattern
		}
		return "MATCH " + l.pattern + " WHERE " + strings.Join(conds, " AND ")
	}
	var items, rel []string
	for _, f := range c.fields(sel, typeName) {
		fd := def.Fields.ForName(f.Name)
		switch {
		case f.Name == "count":
			items = append(items, fmt.Sprintf("count: COUNT { %s }", match("")))
		case f.Name == "countBy":
			name, _ := f.ArgumentMap(c.oc.Variables)["field"].(string)
			if !identifier.MatchString(name) || def.Fields.ForName("countBy") == nil {
				return "", apierror.New(apierror.BadInput, "countBy needs a field")
			}
			val, n := c.newVar("value"), c.newVar("count")
			prop := v + "." + name
			if l.rel == "" {
				// At the root nothing is outside the subquery, and grouping
				// counts every value in one pass.
				rel = append(rel, fmt.Sprintf("%s: COLLECT { %s WITH %s AS %s, count(*) AS %s RETURN {value: toString(%s), count: %s} ORDER BY %s DESC, %s }",
					quoteKey(f.Alias), match(""), prop, val, n, val, n, n, val))
				continue
			}
			rel = append(rel, fmt.Sprintf("%s: COLLECT { UNWIND COLLECT { %s RETURN DISTINCT %s } AS %s WITH %s, COUNT { %s } AS %s RETURN {value: toString(%s), count: %s} ORDER BY %s DESC, %s }",
				quoteKey(f.Alias), match(""), prop, val, val,
				match(fmt.Sprintf("(%s = %s OR (%s IS NULL AND %s IS NULL))", prop, val, val, prop)), n, val, n, n, val))
		default:
			xs, x, m := c.newVar("xs"), c.newVar("x"), c.newVar("m")
			var stats []string
			for _, s := range c.fields(f.Selections, fd.Type.Name()) {
				switch s.Name {
				case "min", "max":
					cmp := "<"
					if s.Name == "max" {
						cmp = ">"
					}
					stats = append(stats, fmt.Sprintf("%[1]s: reduce(%[2]s = null, %[3]s IN %[4]s | CASE WHEN %[2]s IS NULL OR %[3]s %[5]s %[2]s THEN %[3]s ELSE %[2]s END)", s.Name, m, x, xs, cmp))
				case "sum":
					stats = append(stats, fmt.Sprintf("sum: reduce(%s = 0, %s IN %s | %s + %s)", m, x, xs, m, x))
				case "avg":
					stats = append(stats, fmt.Sprintf("avg: CASE WHEN size(%[3]s) = 0 THEN null ELSE toFloat(reduce(%[1]s = 0, %[2]s IN %[3]s | %[1]s + %[2]s)) / size(%[3]s) END", m, x, xs))
				}
			}
			prop := v + "." + fd.Name
			if l.rel == "" {
				var fold, proj []string
				for _, s := range c.fields(f.Selections, fd.Type.Name()) {
					k := c.newVar("k")
					fold = append(fold, fmt.Sprintf("%s(%s) AS %s", s.Name, prop, k))
					proj = append(proj, s.Name+": "+k)
				}
				if len(fold) == 0 {
					items = append(items, fd.Name+": {}")
					continue
				}
				items = append(items, fmt.Sprintf("%s: COLLECT { %s WITH %s RETURN {%s} }[0]",
					fd.Name, match(prop+" IS NOT NULL"), strings.Join(fold, ", "), strings.Join(proj, ", ")))
				continue
			}
			items = append(items, fmt.Sprintf("%s: [%s IN [COLLECT { %s RETURN %s }] | {%s}][0]",
				fd.Name, xs, match(prop+" IS NOT NULL"), prop, strings.Join(stats, ", ")))
		}
	}
	return object(items, rel), nil
}

// order reads the sort argument: a list of single-key objects, in
// priority order. The id (and the relationship) break ties, so pages are stable.
func (c *compiler) order(arg any, l *listing) (string, error) {
	var keys []string
	list, _ := arg.([]any)
	for _, item := range list {
		m, _ := item.(map[string]any)
		k, err := c.sortKey(m, l.elem, l)
		if err != nil {
			return "", err
		}
		keys = append(keys, k)
	}
	keys = append(keys, l.node+".id")
	if l.rel != "" {
		keys = append(keys, "elementId("+l.rel+")")
	}
	return strings.Join(keys, ", "), nil
}

func (c *compiler) sortKey(m map[string]any, typeName string, l *listing) (string, error) {
	set := map[string]any{}
	for k, v := range m {
		if v != nil {
			set[k] = v
		}
	}
	if len(set) != 1 {
		return "", apierror.New(apierror.BadInput, "each sort element takes exactly one field, got %d", len(set))
	}
	for field, dir := range set {
		if e := c.m.edges[typeName]; e != nil {
			switch field {
			case e.fromField, e.toField:
				end := l.from
				endType := e.fromType
				if field == e.toField {
					end, endType = l.to, e.toType
				}
				sub, _ := dir.(map[string]any)
				return c.sortKey(sub, endType, &listing{node: end})
			}
			return sortExpr(l.rel+"."+field, dir), nil
		}
		return sortExpr(l.node+"."+field, dir), nil
	}
	panic("unreachable")
}

// sortExpr sorts by prop, items without it last in either direction
// (Neo4j alone puts nulls first when descending).
func sortExpr(prop string, dir any) string {
	d := "ASC"
	if dir == "DESC" {
		d = "DESC"
	}
	return fmt.Sprintf("%s IS NULL, %s %s", prop, prop, d)
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
	return object(items, nil), nil
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

// implementers are the node types, by name, for projecting an interface.
func (c *compiler) implementers() []*nodeType {
	var out []*nodeType
	for _, n := range c.m.nodes {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// polymorphic projects node v as whichever node type its label says.
func (c *compiler) polymorphic(v string, sel ast.SelectionSet, iface string) (string, error) {
	var cases []string
	for _, n := range c.implementers() {
		proj, err := c.node(v, n, sel, iface)
		if err != nil {
			return "", err
		}
		cases = append(cases, fmt.Sprintf("WHEN %s:`%s` THEN %s", v, n.label, proj))
	}
	return "CASE " + strings.Join(cases, " ") + " END", nil
}

// lookup finds a node by id across all labels, through each label's
// unique index.
func (c *compiler) lookup(id any, sel ast.SelectionSet) (string, error) {
	p := c.param(id)
	var parts []string
	for _, n := range c.implementers() {
		v := c.newVar("n")
		proj, err := c.node(v, n, sel, "Node")
		if err != nil {
			return "", err
		}
		parts = append(parts, fmt.Sprintf("COLLECT { MATCH (%s:`%s` {id: %s}) RETURN %s }", v, n.label, p, proj))
	}
	return "(" + strings.Join(parts, " + ") + ")[0]", nil
}
