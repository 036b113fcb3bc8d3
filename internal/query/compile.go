package query

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
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
	Column string
	Field  *Field
	// Single is one node by id: null means not found.
	Single bool
	// read, when set, turns the column's value into the field's answer,
	// or into its error.
	read func(any) (any, error)
	// Err is why the field could not be compiled; it has no column then.
	Err error
}

// Field is one entry of an object in the answer, under its response key:
// the statement computes it under that key, and the writer writes it.
// Two aliases of one field are two Fields, each with its own arguments
// and selection, so they never share an answer.
type Field struct {
	Key  string               // response key: the alias, or the field name
	Name string               // the field's name; "__typename" too
	Def  *ast.FieldDefinition // nil for __typename
	Args map[string]any       // coerced (args.go)
	Sub  *Selection           // for fields of object and interface types
	// Err is why the field cannot be answered (an argument out of range,
	// a right the caller lacks): every place the answer reaches it gets
	// this error, as GraphQL raises a field error where the field executes.
	Err error

	sel ast.SelectionSet
	pos *ast.Position
}

// Selection is what is selected on a value of an object or interface type.
type Selection struct {
	Type   string              // the object type, or the interface
	Fields []*Field            // an object type's fields, in response order
	ByType map[string][]*Field // an interface's: the fields of each implementing type
}

// typeKey holds, in the answer of an interface-typed value, the name of
// its type: it is not a GraphQL name, so no response key can take it.
const typeKey = "#type"

// compiler builds one statement. Variables are numbered so nested
// subqueries never shadow each other; values only ever enter as parameters.
type compiler struct {
	m      *Mapping
	oc     *graphql.OperationContext
	limits Limits
	params map[string]any
	vars   int
	// authorize checks a field's @auth; nil allows every field.
	authorize func(*ast.FieldDefinition) error
	// bound are properties already read into a variable, by the
	// expression that reads them: a projection uses the variable rather
	// than read the store again.
	bound map[string]string
}

// bind records that expr has been read into variable v.
func (c *compiler) bind(expr, v string) {
	if c.bound == nil {
		c.bound = map[string]string{}
	}
	c.bound[expr] = v
}

func (m *Mapping) compiler(oc *graphql.OperationContext, limits Limits, authorize func(*ast.FieldDefinition) error) *compiler {
	return &compiler{m: m, oc: oc, limits: limits, params: map[string]any{}, authorize: authorize}
}

// Compile turns the root fields of a query operation into one statement.
// It refuses, before anything reaches Neo4j, what the limits do not allow:
// the first such refusal is its error.
func (m *Mapping) Compile(oc *graphql.OperationContext, roots []graphql.CollectedField, limits Limits) (*Statement, error) {
	st := m.compileRoots(m.compiler(oc, limits, nil), roots)
	for _, r := range st.Roots {
		if r.Err != nil {
			return nil, r.Err
		}
	}
	return st, nil
}

// Compiled reports whether a root field of Query is answered by the
// compiled statement.
func (m *Mapping) Compiled(def *ast.FieldDefinition) bool {
	return def != nil && !strings.HasPrefix(def.Name, "__") && def.Directives.ForName("custom") == nil
}

// compileRoots compiles each compiled root field; one that cannot be
// compiled keeps its error and leaves the others to be answered.
func (m *Mapping) compileRoots(c *compiler, roots []graphql.CollectedField) *Statement {
	st := &Statement{Params: c.params}
	var cols []string
	for i, f := range roots {
		def := m.schema.Query.Fields.ForName(f.Name)
		if !m.Compiled(def) {
			continue
		}
		root := RootField{Column: fmt.Sprintf("f%d", i)}
		field, err := c.field(def, f)
		if err == nil {
			root.Field = field
			var expr string
			if expr, err = c.root(field, &root); err == nil {
				cols = append(cols, fmt.Sprintf("%s AS %s", expr, root.Column))
			}
		}
		root.Err = err
		st.Roots = append(st.Roots, root)
	}
	if len(cols) > 0 {
		st.Cypher = "RETURN " + strings.Join(cols, ",\n       ")
	}
	return st
}

// field reads one collected field: its definition, checked against the
// caller's rights, and its coerced arguments.
func (c *compiler) field(def *ast.FieldDefinition, f graphql.CollectedField) (*Field, error) {
	if c.authorize != nil {
		if err := c.authorize(def); err != nil {
			return nil, err
		}
	}
	args, err := c.m.Args(def, f.Arguments, c.oc.Variables)
	if err != nil {
		return nil, err
	}
	return &Field{Key: f.Alias, Name: f.Name, Def: def, Args: args, sel: f.Selections, pos: f.Position}, nil
}

// collect reads the selection sel on a value of typeName, following
// fragments (on the type and the interfaces it implements) and
// @skip/@include, one Field per response key.
func (c *compiler) collect(sel ast.SelectionSet, typeName string) ([]*Field, error) {
	def := c.m.schema.Types[typeName]
	if def == nil {
		return nil, fmt.Errorf("unknown type %s", typeName)
	}
	satisfies := append([]string{typeName}, def.Interfaces...)
	collected := graphql.CollectFields(c.oc, sel, satisfies)
	out := make([]*Field, 0, len(collected))
	for _, f := range collected {
		if f.Name == "__typename" {
			out = append(out, &Field{Key: f.Alias, Name: f.Name})
			continue
		}
		fd := def.Fields.ForName(f.Name)
		if fd == nil {
			return nil, apierror.New(apierror.BadInput, "%s has no field %s", typeName, f.Name)
		}
		field, err := c.field(fd, f)
		if err != nil {
			field = &Field{Key: f.Alias, Name: f.Name, Def: fd, Err: err, pos: f.Position}
		}
		out = append(out, field)
	}
	return out, nil
}

// Shape reads a selection on a value that is not compiled (the result of a
// write, built in Go), so the writer can write it as it would a compiled one.
func (m *Mapping) Shape(oc *graphql.OperationContext, sel ast.SelectionSet, t *ast.Type) (*Selection, error) {
	return m.compiler(oc, Limits{}, nil).shape(sel, t.Name())
}

func (c *compiler) shape(sel ast.SelectionSet, typeName string) (*Selection, error) {
	def := c.m.schema.Types[typeName]
	if def == nil || len(sel) == 0 {
		return nil, nil
	}
	fields, err := c.collect(sel, typeName)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		if f.Def != nil {
			if f.Sub, err = c.shape(f.sel, f.Def.Type.Name()); err != nil {
				return nil, err
			}
		}
	}
	return &Selection{Type: typeName, Fields: fields}, nil
}

func (c *compiler) root(f *Field, root *RootField) (string, error) {
	switch {
	case f.Def.Directives.ForName("search") != nil:
		return c.search(f)
	case f.Def.Directives.ForName("lookup") != nil:
		root.Single = true
		return c.lookup(f)
	case f.Def.Directives.ForName("path") != nil:
		return c.path(f, root)
	}
	name := f.Def.Type.Name()
	if node := c.m.nodes[name]; node != nil && f.Def.Type.Elem == nil {
		root.Single = true
		o := c.newVar("n")
		proj, sub, err := c.node(o, node, f.sel)
		if err != nil {
			return "", err
		}
		f.Sub = sub
		return fmt.Sprintf("COLLECT { MATCH (%s:`%s` {id: %s}) RETURN %s }[0]", o, node.label, c.param(f.Args["id"]), proj), nil
	}
	elem := c.m.nodes[c.m.elem(name)]
	o := c.newVar("n")
	l := &listing{elem: elem.name, pattern: fmt.Sprintf("(%s:`%s`)", o, elem.label), node: o}
	return c.listing(l, f)
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

// object builds a Cypher map from its entries.
func object(items []string) string { return "{" + strings.Join(items, ", ") + "}" }

// entry is one item of a Cypher map under a response key. Keys are GraphQL
// names, which are Cypher identifiers too; backticks keep it certain.
func entry(key, expr string) string { return "`" + key + "`: " + expr }

// node projects node variable v of type t as a map of the selected fields,
// by response key.
func (c *compiler) node(v string, t *nodeType, sel ast.SelectionSet) (string, *Selection, error) {
	fields, err := c.collect(sel, t.name)
	if err != nil {
		return "", nil, err
	}
	var items []string
	for _, f := range fields {
		if f.Def == nil || f.Err != nil {
			continue
		}
		var expr string
		switch fd := f.Def; {
		case fd.Directives.ForName("relationship") != nil:
			expr, err = c.relationship(v, f)
		case fd.Directives.ForName("roles") != nil:
			expr = c.roles(v)
		case fd.Directives.ForName("evidence") != nil:
			m, s := c.newVar("m"), c.newVar("s")
			var ev string
			ev, err = c.evidence(m, f)
			expr = fmt.Sprintf("COLLECT { MATCH (%s)-[%s:`%s`]->(%s) WITH %s ORDER BY %s.id UNWIND %s AS e RETURN e }",
				v, m, MentionedIn, s, m, s, ev)
		case fd.Type.Elem != nil:
			expr = fmt.Sprintf("coalesce(%s.%s, [])", v, fd.Name)
		default:
			expr = v + "." + fd.Name
			if b, ok := c.bound[expr]; ok {
				expr = b
			}
		}
		if err != nil {
			f.Err = err
			continue
		}
		items = append(items, entry(f.Key, expr))
	}
	return object(items), &Selection{Type: t.name, Fields: fields}, nil
}

// relationship answers a @relationship field of node v: a list, a
// connection or an aggregate of the nodes or edges it reaches.
func (c *compiler) relationship(v string, f *Field) (string, error) {
	return c.listing(c.relListing(v, f.Def), f)
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
	// distinct: the pattern may reach a node more than once (it starts
	// from another node, see pin), so the matched nodes are made distinct.
	distinct bool
}

// match is the MATCH of the listing's items that satisfy cond.
func (l *listing) match(cond string) string {
	m := "MATCH " + l.pattern
	if cond != "" {
		m += " WHERE " + cond
	}
	if l.distinct {
		m += " WITH DISTINCT " + l.node
	}
	return m
}

// query is match as a whole subquery, as COUNT and EXISTS take it.
func (l *listing) query(cond string) string {
	if l.distinct {
		return l.match(cond) + " RETURN " + l.node
	}
	return l.match(cond)
}

func (l *listing) isEdge(m *Mapping) bool { return m.edges[l.elem] != nil }

// row is what one item of the listing carries through WITH.
func (l *listing) row() string {
	if l.rel == "" {
		return l.node
	}
	return l.rel + ", " + l.node
}

// listing answers field f over l: a list, a connection or an aggregate,
// with its filter, sort and page.
func (c *compiler) listing(l *listing, f *Field) (string, error) {
	typeName := f.Def.Type.Name()
	where, _ := f.Args["where"].(map[string]any)
	var cond string
	if l.rel == "" {
		pinned, pinCond, rest, err := c.pin(l, where)
		if err != nil {
			return "", err
		}
		l, cond, where = pinned, pinCond, rest
	}
	rest, err := c.where(where, l, 0)
	if err != nil {
		return "", err
	}
	cond = and(cond, rest)
	if _, ok := c.m.aggregates[typeName]; ok {
		return c.aggregate(l, cond, f)
	}
	// Sorted by id alone, the nodes of a label come in order from its id
	// index, which holds only nodes that have an id: so a page reads its
	// own rows, not the whole label. A node without an id is no entity of
	// the API (id is non-null), so none is lost. Counts leave the
	// condition out: a label's count is kept by the store.
	sorts, _ := f.Args["sort"].([]any)
	byID := l.rel == "" && len(sorts) == 0
	indexed := cond
	if byID {
		indexed = and(cond, l.node+".id IS NOT NULL")
	}
	match := l.match(indexed)
	order, err := c.order(f.Args["sort"], l)
	if err != nil {
		return "", err
	}
	if _, ok := c.m.connections[typeName]; ok {
		return c.connection(l, cond, indexed, byID, order, f)
	}
	skip, limit, err := c.page(f.Args)
	if err != nil {
		return "", err
	}
	proj, sub, err := c.item(l, f.sel)
	if err != nil {
		return "", err
	}
	f.Sub = sub
	page := ""
	if skip > 0 {
		page += " SKIP " + c.param(skip)
	}
	page += " LIMIT " + c.param(limit)
	return fmt.Sprintf("COLLECT { %s WITH %s ORDER BY %s%s RETURN %s }", match, l.row(), order, page, proj), nil
}

// item projects one element of the listing.
func (c *compiler) item(l *listing, sel ast.SelectionSet) (string, *Selection, error) {
	if e := c.m.edges[l.elem]; e != nil {
		return c.edge(l.rel, l.from, l.to, e, sel)
	}
	return c.node(l.node, c.m.nodes[l.elem], sel)
}

// page reads limit and offset.
func (c *compiler) page(args map[string]any) (skip, limit int64, err error) {
	limit = int64(c.limits.MaxPageSize)
	if v, ok := args["limit"].(int64); ok {
		if v < 0 || v > int64(c.limits.MaxPageSize) {
			return 0, 0, apierror.New(apierror.BadInput, "limit must be between 0 and %d, got %d", c.limits.MaxPageSize, v)
		}
		limit = v
	}
	if v, ok := args["offset"].(int64); ok {
		if v < 0 {
			return 0, 0, apierror.New(apierror.BadInput, "offset must not be negative, got %d", v)
		}
		skip = v
	}
	return skip, limit, nil
}

// window is a connection's page, as Relay's ApplyCursorsToEdges then first
// then last cut it from the whole sorted list: positions [s, e).
type window struct {
	after, before Cursor
	first, last   int64
	hasAfter      bool
	hasBefore     bool
	hasFirst      bool
	hasLast       bool
}

func (c *compiler) window(args map[string]any) (window, error) {
	var w window
	w.first, w.hasFirst = args["first"].(int64)
	w.last, w.hasLast = args["last"].(int64)
	w.after, w.hasAfter = args["after"].(Cursor)
	w.before, w.hasBefore = args["before"].(Cursor)
	for name, v := range map[string]int64{"first": w.first, "last": w.last} {
		if v < 0 || v > int64(c.limits.MaxPageSize) {
			return w, apierror.New(apierror.BadInput, "%s must be between 0 and %d, got %d", name, c.limits.MaxPageSize, v)
		}
	}
	if !w.hasFirst && !w.hasLast {
		// An unbounded page is the largest page.
		w.first, w.hasFirst = int64(c.limits.MaxPageSize), true
	}
	return w, nil
}

// bounds returns Cypher for the page's start and end over a list of the
// given size, in three steps each binding a map {s, e} for the next.
func (c *compiler) bounds(w window, size string) []string {
	least := func(a, b string) string {
		return fmt.Sprintf("CASE WHEN %[1]s < %[2]s THEN %[1]s ELSE %[2]s END", a, b)
	}
	greatest := func(a, b string) string {
		return fmt.Sprintf("CASE WHEN %[1]s > %[2]s THEN %[1]s ELSE %[2]s END", a, b)
	}
	// The cursors cut [s, e) out of [0, size).
	s := "0"
	if w.hasAfter {
		s = least(c.param(w.after.Pos+1), size)
	}
	e := size
	if w.hasBefore {
		e = least(c.param(w.before.Pos), size)
	}
	w1 := c.newVar("w")
	cut := fmt.Sprintf("{s: %s, e: %s}", s, greatest(e, s))
	// first keeps the start, last the end.
	e2 := w1 + ".e"
	if w.hasFirst {
		e2 = least(w1+".e", w1+".s + "+c.param(w.first))
	}
	w2 := c.newVar("w")
	s3 := w2 + ".s"
	if w.hasLast {
		s3 = greatest(w2+".s", w2+".e - "+c.param(w.last))
	}
	return []string{w1, cut, w2, fmt.Sprintf("{s: %s.s, e: %s}", w1, e2), fmt.Sprintf("{s: %s, e: %s.e}", s3, w2)}
}

// connection answers a Relay connection. A page read forwards (no last)
// fetches only its own rows and one more, whatever the list's size: the
// cursors are positions, so the page starts at a known position, and the
// extra row says whether there is a next page. In a list sorted by id
// alone (byID) a cursor also holds its node's id, and the page after it
// starts at the next id, read from the id index: its cost does not grow
// with how far into the list it is. totalCount is counted only when it
// is asked for. A page with last is cut from the end of the whole sorted
// list, which is collected (as references) to know where its end is.
func (c *compiler) connection(l *listing, cond, indexed string, byID bool, order string, f *Field) (string, error) {
	match := l.match(indexed)
	w, err := c.window(f.Args)
	if err != nil {
		return "", err
	}
	rows := c.newVar("rows")
	collected := l.node
	switch {
	case l.rel != "":
		collected = "[" + l.rel + ", " + l.node + "]"
	case byID:
		// The ids come with the nodes from the id index: the cursors and
		// the nodes' own id read none from the store.
		collected = "[" + l.node + ", " + l.node + ".id]"
	}
	var p pageExprs
	var head string
	if w.hasLast {
		b := c.newVar("b")
		size := "size(" + rows + ")"
		bounds := c.bounds(w, size)
		// The rows are bound with WITH inside a subquery rather than in a
		// list comprehension: Neo4j 5.26 fails a subquery that reads an
		// outer variable inside a list comprehension's list, once nested
		// in another subquery.
		head = fmt.Sprintf("WITH COLLECT { %[1]s WITH %[2]s ORDER BY %[3]s RETURN %[4]s } AS %[5]s WITH %[5]s, %[7]s AS %[6]s WITH %[5]s, %[9]s AS %[8]s WITH %[5]s, %[11]s AS %[10]s",
			match, l.row(), order, collected, rows, bounds[0], bounds[1], bounds[2], bounds[3], b, bounds[4])
		p = pageExprs{rows: rows, lo: b + ".s", hi: b + ".e", byID: byID,
			total: size, hasNext: fmt.Sprintf("%s.e < %s", b, size), hasPrevious: b + ".s > 0"}
	} else {
		var start int64
		if w.hasAfter {
			start = w.after.Pos + 1
		}
		limit := w.first
		if w.hasBefore {
			limit = min(limit, max(w.before.Pos-start, 0))
		}
		hi, s, n := c.newVar("hi"), c.param(start), c.param(limit)
		skip := " SKIP " + s
		if byID && w.hasAfter && w.after.Keyed {
			// The page starts after the cursor's id; its position is still
			// the cursor's next, for the cursors of its rows.
			match, skip = l.match(and(indexed, l.node+".id > "+c.param(w.after.ID))), ""
		}
		head = fmt.Sprintf("WITH COLLECT { %[1]s WITH %[2]s ORDER BY %[3]s%[4]s LIMIT %[5]s RETURN %[6]s } AS %[7]s WITH %[7]s, %[10]s + CASE WHEN size(%[7]s) < %[8]s THEN size(%[7]s) ELSE %[8]s END AS %[9]s",
			match, l.row(), order, skip, c.param(limit+1), collected, rows, n, hi, s)
		p = pageExprs{rows: rows, lo: s, hi: hi, offset: s, byID: byID,
			total: "COUNT { " + l.query(cond) + " }", hasNext: fmt.Sprintf("size(%s) > %s", rows, n), hasPrevious: "false"}
		if start > 0 {
			// Before the start there is something if the list holds anything.
			p.hasPrevious = fmt.Sprintf("(size(%s) > 0 OR EXISTS { %s })", rows, l.query(cond))
		}
	}
	items, err := c.connectionItems(l, f, p)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("COLLECT { %s RETURN %s }[0]", head, items), nil
}

// pageExprs are the Cypher expressions a connection's fields are written
// from: the page is the positions [lo, hi) of the sorted list, and
// position i is element i - offset of rows (offset "" is 0). byID: the
// list is of nodes sorted by id alone, and its cursors hold their ids.
type pageExprs struct {
	rows, lo, hi, offset string
	total                string
	hasNext, hasPrevious string
	byID                 bool
}

// row is the element of rows at position pos.
func (p pageExprs) row(pos string) string {
	switch p.offset {
	case "":
		return fmt.Sprintf("%s[%s]", p.rows, pos)
	case pos:
		return p.rows + "[0]"
	}
	return fmt.Sprintf("%s[%s - %s]", p.rows, pos, p.offset)
}

// cursor is the cursor of position pos. In a list by id, id is the id
// of the node there, or "" to read it from its row, a pair [node, id].
func (p pageExprs) cursor(pos, id string) string {
	if !p.byID {
		return pos
	}
	if id == "" {
		id = p.row(pos) + "[1]"
	}
	return fmt.Sprintf("[%s, %s]", pos, id)
}

// connectionItems projects the fields of a connection from its page.
func (c *compiler) connectionItems(l *listing, f *Field, p pageExprs) (string, error) {
	fields, err := c.collect(f.sel, f.Def.Type.Name())
	if err != nil {
		return "", err
	}
	f.Sub = &Selection{Type: f.Def.Type.Name(), Fields: fields}
	var items []string
	for _, cf := range fields {
		switch cf.Name {
		case "totalCount":
			items = append(items, entry(cf.Key, p.total))
		case "pageInfo":
			info, err := c.collect(cf.sel, "PageInfo")
			if err != nil {
				return "", err
			}
			cf.Sub = &Selection{Type: "PageInfo", Fields: info}
			var parts []string
			for _, i := range info {
				switch i.Name {
				case "hasNextPage":
					parts = append(parts, entry(i.Key, p.hasNext))
				case "hasPreviousPage":
					parts = append(parts, entry(i.Key, p.hasPrevious))
				case "startCursor":
					parts = append(parts, entry(i.Key, fmt.Sprintf("CASE WHEN %s > %s THEN %s END", p.hi, p.lo, p.cursor(p.lo, ""))))
				case "endCursor":
					parts = append(parts, entry(i.Key, fmt.Sprintf("CASE WHEN %s > %s THEN %s END", p.hi, p.lo, p.cursor(p.hi+" - 1", ""))))
				}
			}
			items = append(items, entry(cf.Key, object(parts)))
		case "edges":
			edgeType := cf.Def.Type.Name()
			edgeFields, err := c.collect(cf.sel, edgeType)
			if err != nil {
				return "", err
			}
			cf.Sub = &Selection{Type: edgeType, Fields: edgeFields}
			// The page's items get variables of their own: Neo4j mixes up a
			// variable bound again inside a subquery with the one of the
			// subquery that collected the rows.
			page := *l
			page.node = c.newVar("n")
			if l.from == l.node {
				page.from = page.node
			}
			if l.to == l.node {
				page.to = page.node
			}
			i := c.newVar("i")
			at := p.row(i)
			bind := fmt.Sprintf("%s AS %s", at, page.node)
			id := ""
			switch {
			case l.rel != "":
				page.rel = c.newVar("r")
				bind = fmt.Sprintf("%[1]s[0] AS %[2]s, %[1]s[1] AS %[3]s", at, page.rel, page.node)
			case p.byID:
				id = c.newVar("k")
				bind = fmt.Sprintf("%[1]s[0] AS %[2]s, %[1]s[1] AS %[3]s", at, page.node, id)
				c.bind(page.node+".id", id)
			}
			var edge []string
			for _, e := range edgeFields {
				switch e.Name {
				case "cursor":
					edge = append(edge, entry(e.Key, p.cursor(i, id)))
				case "node":
					proj, sub, err := c.item(&page, e.sel)
					if err != nil {
						e.Err = err
						continue
					}
					e.Sub = sub
					edge = append(edge, entry(e.Key, proj))
				}
			}
			items = append(items, entry(cf.Key, fmt.Sprintf("COLLECT { UNWIND range(%[1]s, %[2]s - 1) AS %[3]s WITH %[3]s, %[4]s ORDER BY %[3]s RETURN %[5]s }",
				p.lo, p.hi, i, bind, object(edge))))
		}
	}
	return object(items), nil
}

// aggregate answers counts and statistics over the items of a listing.
// At the root it aggregates with grouping, one pass each. Below a node,
// Neo4j refuses aggregating functions in a projection nested in another,
// so there counts are COUNT subqueries and statistics are folded over
// COLLECTed values.
func (c *compiler) aggregate(l *listing, cond string, f *Field) (string, error) {
	typeName := f.Def.Type.Name()
	def := c.m.schema.Types[typeName]
	v := l.node
	if l.isEdge(c.m) {
		v = l.rel
	}
	match := func(extra string) string { return l.match(and(cond, extra)) }
	fields, err := c.collect(f.sel, typeName)
	if err != nil {
		return "", err
	}
	f.Sub = &Selection{Type: typeName, Fields: fields}
	if l.rel == "" && aggregateParts(fields) > 1 {
		return c.rootAggregate(l, cond, def, fields)
	}
	var items []string
	for _, af := range fields {
		if af.Def == nil || af.Err != nil {
			continue
		}
		switch {
		case af.Name == "count":
			items = append(items, entry(af.Key, fmt.Sprintf("COUNT { %s }", l.query(cond))))
		case af.Name == "countBy":
			name, ok := countByField(af, def)
			if !ok {
				continue
			}
			if af.Sub, err = c.shape(af.sel, af.Def.Type.Name()); err != nil {
				return "", err
			}
			val, n := c.newVar("value"), c.newVar("count")
			prop := v + "." + name
			group := groupEntries(af.Sub, val, n)
			if l.rel == "" {
				// At the root nothing is outside the subquery, and grouping
				// counts every value in one pass.
				items = append(items, entry(af.Key, fmt.Sprintf("COLLECT { %s WITH %s AS %s, count(*) AS %s RETURN %s ORDER BY %s DESC, %s }",
					match(""), prop, val, n, group, n, val)))
				continue
			}
			items = append(items, entry(af.Key, fmt.Sprintf("COLLECT { UNWIND COLLECT { %s RETURN DISTINCT %s } AS %s WITH %s, COUNT { %s } AS %s RETURN %s ORDER BY %s DESC, %s }",
				match(""), prop, val, val,
				match(fmt.Sprintf("(%s = %s OR (%s IS NULL AND %s IS NULL))", prop, val, val, prop)), n, group, n, val)))
		default:
			stats, err := c.stats(af)
			if err != nil {
				return "", err
			}
			prop := v + "." + af.Name
			if l.rel == "" {
				fold, proj := c.fold(stats, prop)
				if fold == "" {
					items = append(items, entry(af.Key, "{}"))
					continue
				}
				items = append(items, entry(af.Key, fmt.Sprintf("COLLECT { %s WITH %s RETURN %s }[0]",
					match(prop+" IS NOT NULL"), fold, proj)))
				continue
			}
			xs, x, m := c.newVar("xs"), c.newVar("x"), c.newVar("m")
			var parts []string
			for _, s := range stats {
				switch s.Name {
				case "min", "max":
					cmp := "<"
					if s.Name == "max" {
						cmp = ">"
					}
					parts = append(parts, entry(s.Key, fmt.Sprintf("reduce(%[1]s = null, %[2]s IN %[3]s | CASE WHEN %[1]s IS NULL OR %[2]s %[4]s %[1]s THEN %[2]s ELSE %[1]s END)", m, x, xs, cmp)))
				case "sum":
					parts = append(parts, entry(s.Key, fmt.Sprintf("reduce(%s = 0, %s IN %s | %s + %s)", m, x, xs, m, x)))
				case "avg":
					parts = append(parts, entry(s.Key, fmt.Sprintf("CASE WHEN size(%[3]s) = 0 THEN null ELSE toFloat(reduce(%[1]s = 0, %[2]s IN %[3]s | %[1]s + %[2]s)) / size(%[3]s) END", m, x, xs)))
				}
			}
			items = append(items, entry(af.Key, fmt.Sprintf("COLLECT { WITH COLLECT { %s RETURN %s } AS %s RETURN %s }[0]",
				match(prop+" IS NOT NULL"), prop, xs, object(parts))))
		}
	}
	return object(items), nil
}

// fold aggregates prop by each statistic selected (min, max, avg, sum),
// as a WITH's items binding fresh variables, and projects them under the
// keys the selection asks them by; "" when none is selected.
func (c *compiler) fold(stats []*Field, prop string) (fold, proj string) {
	var folds, items []string
	for _, s := range stats {
		if s.Def == nil {
			continue
		}
		k := c.newVar("k")
		folds = append(folds, fmt.Sprintf("%s(%s) AS %s", s.Name, prop, k))
		items = append(items, entry(s.Key, k))
	}
	if len(folds) == 0 {
		return "", ""
	}
	return strings.Join(folds, ", "), object(items)
}

// stats collects the statistics selected on aggregate field af (min,
// max, avg, sum of one property) and records them as its selection.
func (c *compiler) stats(af *Field) ([]*Field, error) {
	stats, err := c.collect(af.sel, af.Def.Type.Name())
	if err != nil {
		return nil, err
	}
	af.Sub = &Selection{Type: af.Def.Type.Name(), Fields: stats}
	return stats, nil
}

// countByField is the field a countBy groups by; a countBy without one
// gets a field error.
func countByField(af *Field, def *ast.Definition) (string, bool) {
	name, _ := af.Args["field"].(string)
	if !identifier.MatchString(name) || def.Fields.ForName("countBy") == nil {
		af.Err = apierror.New(apierror.BadInput, "countBy needs a field")
		return "", false
	}
	return name, true
}

// aggregateParts counts the parts of an aggregate that are computed.
func aggregateParts(fields []*Field) int {
	n := 0
	for _, af := range fields {
		if af.Def != nil && af.Err == nil {
			n++
		}
	}
	return n
}

// rootAggregate computes the parts of an aggregate at the root in one
// pass over its items. Parts that one grouping answers are streamed
// (groupedAggregate); otherwise the items are collected once (as
// references) and every part reads the collected list, where a subquery
// per part would match them again each.
func (c *compiler) rootAggregate(l *listing, cond string, def *ast.Definition, fields []*Field) (string, error) {
	if by, ok := oneGrouping(fields, def); ok {
		return c.groupedAggregate(l, cond, by, fields)
	}
	xs, v := c.newVar("xs"), c.newVar("n")
	var items, calls []string
	// Each part that aggregates is a CALL of its own: Neo4j refuses an
	// aggregation in a projection that also reads the collected list.
	call := func(key, body string) {
		out := c.newVar("part")
		calls = append(calls, fmt.Sprintf("CALL (%s) { UNWIND %s AS %s %s AS %s }", xs, xs, v, body, out))
		items = append(items, entry(key, out))
	}
	for _, af := range fields {
		if af.Def == nil || af.Err != nil {
			continue
		}
		switch af.Name {
		case "count":
			items = append(items, entry(af.Key, "size("+xs+")"))
		case "countBy":
			name, ok := countByField(af, def)
			if !ok {
				continue
			}
			var err error
			if af.Sub, err = c.shape(af.sel, af.Def.Type.Name()); err != nil {
				return "", err
			}
			val, n := c.newVar("value"), c.newVar("count")
			call(af.Key, fmt.Sprintf("WITH %s.%s AS %s, count(*) AS %s ORDER BY %s DESC, %s RETURN collect(%s)",
				v, name, val, n, n, val, groupEntries(af.Sub, val, n)))
		default:
			stats, err := c.stats(af)
			if err != nil {
				return "", err
			}
			prop := v + "." + af.Name
			fold, proj := c.fold(stats, prop)
			if fold == "" {
				items = append(items, entry(af.Key, "{}"))
				continue
			}
			call(af.Key, fmt.Sprintf("WITH %s WHERE %s IS NOT NULL WITH %s RETURN %s", v, prop, fold, proj))
		}
	}
	return fmt.Sprintf("COLLECT { WITH COLLECT { %s RETURN %s } AS %s %s RETURN %s }[0]",
		l.match(cond), l.node, xs, strings.Join(calls, " "), object(items)), nil
}

// oneGrouping reports whether the parts of an aggregate can be computed
// from one grouping of its items, streamed without collecting them: every
// countBy groups by the same field, and every statistic is one a total
// over groups gives exactly (min, max, and an integer sum; an average or
// a float sum over groups would round differently). It returns the
// field; a countBy without one is given its field error here.
func oneGrouping(fields []*Field, def *ast.Definition) (string, bool) {
	by := ""
	for _, af := range fields {
		if af.Def == nil || af.Err != nil {
			continue
		}
		switch af.Name {
		case "count":
		case "countBy":
			name, ok := countByField(af, def)
			if !ok {
				continue // it answers its own field error
			}
			if by != "" && name != by {
				return "", false
			}
			by = name
		default:
			for _, s := range af.sel {
				sf, ok := s.(*ast.Field)
				if !ok {
					return "", false
				}
				switch {
				case sf.Name == "min", sf.Name == "max", sf.Name == "__typename":
				case sf.Name == "sum" && af.Def.Type.Name() == "IntStats":
				default:
					return "", false
				}
			}
		}
	}
	return by, by != ""
}

// groupedAggregate computes an aggregate at the root in one streaming
// pass: its items are grouped by the field by, each group counted and
// folded, and the groups are then totalled into the count and the
// statistics. Nothing is collected but the groups.
func (c *compiler) groupedAggregate(l *listing, cond, by string, fields []*Field) (string, error) {
	v := l.node
	g, n := c.newVar("value"), c.newVar("count")
	folds := []string{fmt.Sprintf("%s.%s AS %s", v, by, g), "count(*) AS " + n}
	var totals, items []string
	for _, af := range fields {
		if af.Def == nil || af.Err != nil {
			continue
		}
		switch af.Name {
		case "count":
			t := c.newVar("total")
			totals = append(totals, fmt.Sprintf("sum(%s) AS %s", n, t))
			items = append(items, entry(af.Key, t))
		case "countBy":
			var err error
			if af.Sub, err = c.shape(af.sel, af.Def.Type.Name()); err != nil {
				return "", err
			}
			part := c.newVar("part")
			totals = append(totals, fmt.Sprintf("collect(%s) AS %s", groupEntries(af.Sub, g, n), part))
			items = append(items, entry(af.Key, part))
		default:
			stats, err := c.stats(af)
			if err != nil {
				return "", err
			}
			var parts []string
			for _, s := range stats {
				if s.Def == nil {
					continue
				}
				// A group's fold ignores missing values, as the total's does;
				// a sum over none is 0, as Cypher's sum of no values is.
				k, t := c.newVar("k"), c.newVar("t")
				folds = append(folds, fmt.Sprintf("%s(%s.%s) AS %s", s.Name, v, af.Name, k))
				totals = append(totals, fmt.Sprintf("%s(%s) AS %s", s.Name, k, t))
				parts = append(parts, entry(s.Key, t))
			}
			items = append(items, entry(af.Key, object(parts)))
		}
	}
	return fmt.Sprintf("COLLECT { %s WITH %s ORDER BY %s DESC, %s WITH %s RETURN %s }[0]",
		l.match(cond), strings.Join(folds, ", "), n, g, strings.Join(totals, ", "), object(items)), nil
}

// pin starts a root listing from the node a filter pins. A filter
// `some` over a relationship whose far end is given by id (eq or in)
// holds for the nodes next to that one: matched from it, through its
// index, the listing reads its neighbours rather than every node of its
// label. It returns the listing to use, the condition the pinning filter
// leaves on the pattern, and the filter without it; or l, "" and the
// filter when nothing pins.
func (c *compiler) pin(l *listing, where map[string]any) (*listing, string, map[string]any, error) {
	def := c.m.schema.Types[l.elem]
	for _, key := range slices.Sorted(maps.Keys(where)) {
		fd := def.Fields.ForName(key)
		if fd == nil || fd.Directives.ForName("relationship") == nil {
			continue
		}
		quants, _ := where[key].(map[string]any)
		some, _ := quants["some"].(map[string]any)
		if some == nil || given(quants) != 1 {
			continue
		}
		rl := c.relListing(l.node, fd)
		// The far end's filter: the edge's end field, or the whole filter
		// when the field lists nodes.
		end, endKey := some, ""
		if e := c.m.edges[rl.elem]; e != nil {
			endKey = e.fromField
			if rl.to == rl.node {
				endKey = e.toField
			}
			end, _ = some[endKey].(map[string]any)
		}
		id, _ := end["id"].(map[string]any)
		if !pinsID(id) {
			continue
		}
		idCond, err := c.scalarFilter(rl.node+".id", "id", id)
		if err != nil {
			return nil, "", nil, err
		}
		// What else the some asks of the relationship and its far end.
		restEnd := maps.Clone(end)
		delete(restEnd, "id")
		restSome := restEnd
		if endKey != "" {
			restSome = maps.Clone(some)
			restSome[endKey] = restEnd
		}
		inner, err := c.where(restSome, rl, 1)
		if err != nil {
			return nil, "", nil, err
		}
		rest := maps.Clone(where)
		delete(rest, key)
		pinned := &listing{elem: l.elem, node: l.node, from: l.from, to: l.to, distinct: true,
			pattern: strings.Replace(rl.pattern, "("+l.node+")", l.pattern, 1)}
		return pinned, and(idCond, inner), rest, nil
	}
	return l, "", where, nil
}

// given counts the entries of a filter that are not null.
func given(m map[string]any) int {
	n := 0
	for _, v := range m {
		if v != nil {
			n++
		}
	}
	return n
}

// pinsID reports whether an id filter names its nodes: eq or a non-empty
// in, and nothing else.
func pinsID(id map[string]any) bool {
	for op, v := range id {
		if v == nil {
			continue
		}
		switch op {
		case "eq":
		case "in":
			if list, _ := v.([]any); len(list) == 0 {
				return false
			}
		default:
			return false
		}
	}
	return given(id) == 1
}

// groupEntries projects one group of a countBy: its value as a string and
// its count, under the keys the selection asks them by.
func groupEntries(sel *Selection, val, n string) string {
	var parts []string
	if sel != nil {
		for _, g := range sel.Fields {
			switch g.Name {
			case "value":
				parts = append(parts, entry(g.Key, "toString("+val+")"))
			case "count":
				parts = append(parts, entry(g.Key, n))
			}
		}
	}
	return object(parts)
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
		// A relationship orders by its internal id: a tie-break as stable
		// as elementId's string, which Neo4j would build for every row (a
		// seventh of its CPU for a company's fifty executives).
		keys = append(keys, l.rel)
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
func (c *compiler) edge(r, from, to string, e *edgeType, sel ast.SelectionSet) (string, *Selection, error) {
	fields, err := c.collect(sel, e.name)
	if err != nil {
		return "", nil, err
	}
	var items []string
	for _, f := range fields {
		if f.Def == nil || f.Err != nil {
			continue
		}
		var expr string
		switch fd := f.Def; {
		case f.Name == e.fromField:
			expr, f.Sub, err = c.node(from, c.m.nodes[e.fromType], f.sel)
		case f.Name == e.toField:
			expr, f.Sub, err = c.node(to, c.m.nodes[e.toType], f.sel)
		case fd.Directives.ForName("evidence") != nil:
			expr, err = c.evidence(r, f)
		case fd.Type.Elem != nil:
			expr = fmt.Sprintf("coalesce(%s.%s, [])", r, f.Name)
		default:
			expr = r + "." + f.Name
		}
		if err != nil {
			f.Err = err
			continue
		}
		items = append(items, entry(f.Key, expr))
	}
	return object(items), &Selection{Type: e.name, Fields: fields}, nil
}

// evidence lists relationship r's evidence as {sentence, source} maps.
func (c *compiler) evidence(r string, f *Field) (string, error) {
	return c.evidenceAt(r, allEvidence(r), f)
}

// allEvidence lists the positions of every item of relationship r's evidence.
func allEvidence(r string) string {
	return fmt.Sprintf("range(0, size(coalesce(%s.%s, [])) - 1)", r, EvidenceSentences)
}

// evidenceAt lists the evidence of relationship r at the positions that
// the list expression indexes gives.
func (c *compiler) evidenceAt(r, indexes string, f *Field) (string, error) {
	evType := c.m.schema.Types[f.Def.Type.Name()]
	sourceType := c.m.nodes[evType.Fields.ForName("source").Type.Name()]
	fields, err := c.collect(f.sel, evType.Name)
	if err != nil {
		return "", err
	}
	f.Sub = &Selection{Type: evType.Name, Fields: fields}
	i := c.newVar("i")
	method := fmt.Sprintf("coalesce(%s.%s[%s], %s)", r, EvidenceMethods, i, cypherString(DefaultMethod))
	var items []string
	for _, ef := range fields {
		switch ef.Name {
		case "sentence":
			items = append(items, entry(ef.Key, fmt.Sprintf("%s.%s[%s]", r, EvidenceSentences, i)))
		case "method":
			items = append(items, entry(ef.Key, method))
		case "confidence":
			items = append(items, entry(ef.Key, fmt.Sprintf("coalesce(%s.%s[%s], %s)", r, EvidenceConfidences, i, CypherFloat(DefaultConfidence))))
		case "source":
			if ef.Err != nil {
				continue
			}
			s := c.newVar("s")
			proj, sub, err := c.node(s, sourceType, ef.sel)
			if err != nil {
				ef.Err = err
				continue
			}
			ef.Sub = sub
			items = append(items, entry(ef.Key, fmt.Sprintf("COLLECT { MATCH (%s:`%s` {id: %s.%s[%s]}) RETURN %s }[0]",
				s, sourceType.label, r, EvidenceSources, i, proj)))
		}
	}
	// methods keeps the evidence obtained so (reviewed facts: MANUAL).
	where := ""
	if methods, ok := f.Args["methods"].([]any); ok {
		where = fmt.Sprintf(" WHERE %s IN %s", method, c.param(methods))
	}
	return fmt.Sprintf("[%s IN %s%s | %s]", i, indexes, where, object(items)), nil
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

// polymorphic projects node v as whichever node type its label says,
// with the type's name under typeKey.
func (c *compiler) polymorphic(v string, sel ast.SelectionSet, iface string) (string, *Selection, error) {
	var cases []string
	out := &Selection{Type: iface, ByType: map[string][]*Field{}}
	for _, n := range c.implementers() {
		proj, sub, err := c.node(v, n, sel)
		if err != nil {
			return "", nil, err
		}
		out.ByType[n.name] = sub.Fields
		cases = append(cases, fmt.Sprintf("WHEN %s THEN %s", cypherString(n.label), withType(proj, n.name)))
	}
	label := c.label(v)
	if b, ok := c.bound[label]; ok {
		label = b
	}
	return fmt.Sprintf("CASE %s %s END", label, strings.Join(cases, " ")), out, nil
}

// label is the label of node v that names its type among the
// implementers of the interfaces: of the type labels it carries, the one
// of the first type by name, so a node of two types (Company and Partner)
// is always the same one, whatever order Neo4j keeps its labels in.
// Its labels are read once, bound as the one item of a list: labels(v)
// inside the comprehension's WHERE would read them once per type (a db
// hit each). Neo4j evaluates a CASE's operand once per WHEN it tries, so
// where many nodes are projected the caller binds it first (see bound).
func (c *compiler) label(v string) string {
	var labels []string
	for _, n := range c.implementers() {
		labels = append(labels, cypherString(n.label))
	}
	return fmt.Sprintf("[ls IN [labels(%s)] | head([l IN [%s] WHERE l IN ls])][0]", v, strings.Join(labels, ", "))
}

// roles lists the types node v answers as, by name, in the order of
// their names: one per type label it carries.
func (c *compiler) roles(v string) string {
	var pairs []string
	same := true
	for _, n := range c.implementers() {
		pairs = append(pairs, fmt.Sprintf("[%s, %s]", cypherString(n.label), cypherString(n.name)))
		same = same && n.label == n.name
	}
	if same {
		var labels []string
		for _, n := range c.implementers() {
			labels = append(labels, cypherString(n.label))
		}
		return fmt.Sprintf("[ls IN [labels(%s)] | [l IN [%s] WHERE l IN ls]][0]", v, strings.Join(labels, ", "))
	}
	return fmt.Sprintf("[ls IN [labels(%s)] | [t IN [%s] WHERE t[0] IN ls | t[1]]][0]", v, strings.Join(pairs, ", "))
}

// withType adds the type's name to a projected map.
func withType(proj, typeName string) string {
	item := "`" + typeKey + "`: '" + typeName + "'"
	if proj == "{}" {
		return "{" + item + "}"
	}
	return "{" + item + ", " + proj[1:]
}

// lookup finds a node by id across all types, through the one index of
// the label every node carries.
func (c *compiler) lookup(f *Field) (string, error) {
	v := c.newVar("n")
	proj, sub, err := c.polymorphic(v, f.sel, f.Def.Type.Name())
	if err != nil {
		return "", err
	}
	f.Sub = sub
	return fmt.Sprintf("COLLECT { MATCH (%s:`%s` {id: %s}) RETURN %s }[0]", v, NodeLabel, c.param(f.Args["id"]), proj), nil
}

// and joins two conditions, either of which may be empty.
func and(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " AND " + b
}

// CypherFloat is f as a Cypher float literal: 1.0, never the integer 1,
// since a list property holds values of one type.
func CypherFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eEN") {
		s += ".0"
	}
	return s
}

// cypherString is s as a Cypher string literal.
func cypherString(s string) string { return "'" + cypherEscaper.Replace(s) + "'" }

var cypherEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`)
