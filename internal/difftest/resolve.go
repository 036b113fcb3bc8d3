package difftest

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/query"
)

// item is one element of a list: a node, or a relationship with the node
// at its far end. node is what ties are broken by.
type item struct {
	node *Node
	rel  *Rel
}

// The values the reference passes down as the source of an object.
type (
	// A connection's page is items[start:end]; item i is at position
	// i + shift (shift is not 0 after a cursor that holds an id).
	connection struct {
		elem       string
		items      []item
		start, end int
		shift      int
	}
	connEdge struct {
		elem string
		pos  int
		it   item
	}
	pageInfo  struct{ n, start, end, shift int }
	aggregate struct {
		elem  string
		items []item
	}
	stats struct {
		typ  string // IntStats or FloatStats
		vals []any
	}
	groupCount struct {
		value any
		count int64
	}
	searchHit struct {
		score   float64
		matched int64
		node    *Node
	}
	evidenceHit struct {
		score    float64
		matched  int64
		rel      *Rel
		evidence []any
	}
	evidence struct{ sentence, source, method, confidence any }
)

func (e *exec) resolve(objType string, src any, fd *ast.FieldDefinition, args map[string]any) (any, error) {
	m := e.r.m
	switch {
	case objType == "Query":
		return e.root(fd, args)
	case m.labels[objType] != "":
		return e.nodeField(src.(*Node), fd, args)
	case m.edges[objType] != nil:
		it := src.(item)
		ed := m.edges[objType]
		switch {
		case fd.Name == ed.fromField:
			return it.rel.Start, nil
		case fd.Name == ed.toField:
			return it.rel.End, nil
		case fd.Directives.ForName("evidence") != nil:
			return relEvidence(it.rel, args), nil
		}
		return property(it.rel.Props, fd), nil
	case m.conns[objType] != "":
		c := src.(connection)
		switch fd.Name {
		case "totalCount":
			return int64(len(c.items)), nil
		case "pageInfo":
			return pageInfo{len(c.items), c.start, c.end, c.shift}, nil
		case "edges":
			var out []any
			for i := c.start; i < c.end; i++ {
				out = append(out, connEdge{c.elem, i + c.shift, c.items[i]})
			}
			return out, nil
		}
	case m.aggs[objType] != "":
		a := src.(aggregate)
		switch fd.Name {
		case "count":
			return int64(len(a.items)), nil
		case "countBy":
			return countBy(a, args["field"].(string), m), nil
		}
		st := stats{typ: fd.Type.Name()}
		for _, it := range a.items {
			if v := itemProps(it, a.elem, m)[fd.Name]; v != nil {
				st.vals = append(st.vals, v)
			}
		}
		return st, nil
	}
	switch s := src.(type) {
	case connEdge:
		if fd.Name == "cursor" {
			return cursor(s.pos), nil
		}
		return elemValue(s.it, s.elem, m), nil
	case pageInfo:
		switch fd.Name {
		case "hasNextPage":
			return s.end < s.n, nil
		case "hasPreviousPage":
			return s.start+s.shift > 0 && s.n > 0, nil
		case "startCursor":
			if s.end > s.start {
				return cursor(s.start + s.shift), nil
			}
		case "endCursor":
			if s.end > s.start {
				return cursor(s.end - 1 + s.shift), nil
			}
		}
		return nil, nil
	case stats:
		return s.stat(fd.Name), nil
	case groupCount:
		if fd.Name == "count" {
			return s.count, nil
		}
		return s.value, nil
	case searchHit:
		switch fd.Name {
		case "score":
			return s.score, nil
		case "matched":
			return s.matched, nil
		}
		return s.node, nil
	case evidenceHit:
		switch fd.Name {
		case "score":
			return s.score, nil
		case "matched":
			return s.matched, nil
		case "type":
			return s.rel.Type, nil
		case "from":
			return s.rel.Start, nil
		case "to":
			return s.rel.End, nil
		}
		return s.evidence, nil
	case evidence:
		switch fd.Name {
		case "sentence":
			return s.sentence, nil
		case "method":
			return s.method, nil
		case "confidence":
			return s.confidence, nil
		}
		id, _ := s.source.(string)
		if n := e.r.snap.ByID(id, m.labels[fd.Type.Name()]); n != nil {
			return n, nil
		}
		return nil, nil
	}
	if v, ok := changeField(src, fd); ok {
		return v, nil
	}
	if v, ok := e.pathField(src, fd); ok {
		return v, nil
	}
	return nil, fmt.Errorf("no resolver for %s.%s", objType, fd.Name)
}

func property(props map[string]any, fd *ast.FieldDefinition) any {
	v := props[fd.Name]
	if v == nil && fd.Type.Elem != nil {
		return []any{}
	}
	return v
}

// elemValue is what an item is as a GraphQL object: the node, or the edge.
func elemValue(it item, elem string, m *model) any {
	if m.edges[elem] != nil {
		return it
	}
	return it.node
}

func itemProps(it item, elem string, m *model) map[string]any {
	if m.edges[elem] != nil {
		return it.rel.Props
	}
	return it.node.Props
}

func (e *exec) root(fd *ast.FieldDefinition, args map[string]any) (any, error) {
	m := e.r.m
	switch {
	case fd.Name == "changes":
		return e.changes(args)
	case fd.Directives.ForName("path") != nil:
		return e.path(fd, args)
	case fd.Directives.ForName("search") != nil && fd.Type.Name() == "EvidenceHit":
		return e.searchEvidence(args)
	case fd.Directives.ForName("search") != nil:
		return e.search(args)
	case fd.Directives.ForName("lookup") != nil:
		id, _ := args["id"].(string)
		for _, t := range m.nodeTypes() {
			if n := e.r.snap.ByID(id, m.labels[t]); n != nil {
				return n, nil
			}
		}
		return nil, &fieldError{"NOT_FOUND", "no node " + id}
	}
	name := fd.Type.Name()
	if label := m.labels[name]; label != "" && fd.Type.Elem == nil {
		id, _ := args["id"].(string)
		if n := e.r.snap.ByID(id, label); n != nil {
			return n, nil
		}
		return nil, &fieldError{"NOT_FOUND", "no " + name + " " + id}
	}
	elem := m.elem(name)
	var items []item
	for _, n := range e.r.snap.WithLabel(m.labels[elem]) {
		items = append(items, item{node: n})
	}
	return e.listing(name, elem, items, args, true)
}

func (e *exec) nodeField(n *Node, fd *ast.FieldDefinition, args map[string]any) (any, error) {
	if rd := e.r.m.rel(fd); rd != nil {
		return e.listing(fd.Type.Name(), rd.elem, e.relItems(n, rd), args, false)
	}
	if fd.Directives.ForName("roles") != nil {
		out := []any{}
		for _, r := range e.r.m.roles(n) {
			out = append(out, r)
		}
		return out, nil
	}
	if fd.Directives.ForName("evidence") != nil {
		rels := e.r.snap.Out(n, query.MentionedIn)
		sort.SliceStable(rels, func(i, j int) bool {
			a, b := rels[i].End.ID(), rels[j].End.ID()
			if a != b {
				return a < b
			}
			return rels[i].ElementID < rels[j].ElementID
		})
		var out []any
		for _, r := range rels {
			out = append(out, relEvidence(r, args)...)
		}
		return out, nil
	}
	return property(n.Props, fd), nil
}

// relItems lists what relationship field rd of node n reaches.
func (e *exec) relItems(n *Node, rd *relDef) []item {
	var out []item
	label := e.r.m.labels[rd.far]
	if rd.out {
		for _, r := range e.r.snap.Out(n, rd.relType) {
			if r.End.HasLabel(label) {
				out = append(out, item{node: r.End, rel: r})
			}
		}
	} else {
		for _, r := range e.r.snap.In(n, rd.relType) {
			if r.Start.HasLabel(label) {
				out = append(out, item{node: r.Start, rel: r})
			}
		}
	}
	return out
}

// relEvidence expands a relationship's parallel evidence lists, those of
// the evidence obtained by the methods args name when it names some. A
// list shorter than the sentences, or missing (written before it
// existed), reads as MANUAL with a confidence of 1.
func relEvidence(r *Rel, args map[string]any) []any {
	sentences := asListOrEmpty(r.Props[query.EvidenceSentences])
	sources := asListOrEmpty(r.Props[query.EvidenceSources])
	methods := asListOrEmpty(r.Props[query.EvidenceMethods])
	confidences := asListOrEmpty(r.Props[query.EvidenceConfidences])
	at := func(l []any, i int, def any) any {
		if i < len(l) && l[i] != nil {
			return l[i]
		}
		return def
	}
	keep, filtered := args["methods"].([]any)
	var out []any
	for i, s := range sentences {
		ev := evidence{s, at(sources, i, nil), at(methods, i, "MANUAL"), at(confidences, i, 1.0)}
		if filtered && !slices.Contains(keep, ev.method) {
			continue
		}
		out = append(out, ev)
	}
	return out
}

func asListOrEmpty(v any) []any {
	if v == nil {
		return nil
	}
	return asList(v)
}

// listing filters, sorts and pages items for a list, connection or
// aggregate field; root says they are a label's nodes, not a node's
// relationships.
func (e *exec) listing(typeName, elem string, items []item, args map[string]any, root bool) (any, error) {
	if err := e.checkWhere(args["where"], elem); err != nil {
		return nil, err
	}
	var kept []item
	for _, it := range items {
		if t, _ := e.where(args["where"], elem, it); t == True {
			kept = append(kept, it)
		}
	}
	if e.r.m.aggs[typeName] != "" {
		return aggregate{elem, kept}, nil
	}
	if err := e.sortItems(kept, args["sort"], elem); err != nil {
		return nil, err
	}
	if e.r.m.conns[typeName] != "" {
		return e.connection(elem, kept, args, root && len(asListOrEmpty(args["sort"])) == 0)
	}
	limit, offset := int64(e.r.maxPage), int64(0)
	if v, ok := intArg(args, "limit"); ok {
		if v < 0 || v > int64(e.r.maxPage) {
			return nil, badInput("limit %d", v)
		}
		limit = v
	}
	if v, ok := intArg(args, "offset"); ok {
		if v < 0 {
			return nil, badInput("offset %d", v)
		}
		offset = v
	}
	var out []any
	for i := offset; i < int64(len(kept)) && i < offset+limit; i++ {
		out = append(out, elemValue(kept[i], elem, e.r.m))
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// connection applies Relay's ApplyCursorsToEdges, then first, then last.
// The API's cursors are positions; in a label's list sorted by id alone
// (byID) they also hold the id there, and a page read forwards after one
// starts at the first item with a greater id, at the position after the
// cursor's, wherever that item is in the list.
func (e *exec) connection(elem string, items []item, args map[string]any, byID bool) (any, error) {
	n := len(items)
	cursors := map[string]query.Cursor{}
	for _, name := range []string{"after", "before"} {
		v, ok := args[name]
		if !ok || v == nil {
			continue
		}
		var c query.Cursor
		if err := c.UnmarshalGQL(v); err != nil {
			return nil, badInput("invalid cursor %q", v)
		}
		cursors[name] = c
	}
	first, hasFirst := intArg(args, "first")
	last, hasLast := intArg(args, "last")
	for _, v := range []struct {
		n  int64
		ok bool
	}{{first, hasFirst}, {last, hasLast}} {
		if v.ok && (v.n < 0 || v.n > int64(e.r.maxPage)) {
			return nil, badInput("first or last %d", v.n)
		}
	}
	if !hasFirst && !hasLast {
		first, hasFirst = int64(e.r.maxPage), true
	}
	lo, hi, shift := 0, n, 0
	if after, ok := cursors["after"]; ok {
		lo = min(int(after.Pos)+1, n)
		if byID && after.Keyed && !hasLast {
			lo = sort.Search(n, func(i int) bool { return items[i].node.ID() > after.ID })
			shift = int(after.Pos) + 1 - lo
		}
	}
	if before, ok := cursors["before"]; ok {
		hi = min(max(int(before.Pos)-shift, 0), n)
	}
	// An after beyond before leaves nothing: the window collapses where
	// after put its start.
	hi = max(hi, lo)
	if hasFirst {
		hi = min(hi, lo+int(first))
	}
	if hasLast {
		lo = max(lo, hi-int(last))
	}
	return connection{elem: elem, items: items, start: lo, end: hi, shift: shift}, nil
}

// sortItems sorts by the sort argument's keys, nulls last either way,
// then by the node's id, then by the relationship.
func (e *exec) sortItems(items []item, arg any, elem string) error {
	type key struct {
		end  string // "" or the edge end field the key reads
		prop string
		desc bool
	}
	var keys []key
	for _, x := range asListOrEmpty(arg) {
		field, dir, err := single(x)
		if err != nil {
			return err
		}
		k := key{prop: field}
		if ed := e.r.m.edges[elem]; ed != nil && (field == ed.fromField || field == ed.toField) {
			k.end = field
			var d any
			if k.prop, d, err = single(dir); err != nil {
				return err
			}
			dir = d
		}
		k.desc = dir == "DESC"
		keys = append(keys, k)
	}
	ed := e.r.m.edges[elem]
	value := func(it item, k key) any {
		switch {
		case k.end == "":
			return itemProps(it, elem, e.r.m)[k.prop]
		case k.end == ed.fromField:
			return it.rel.Start.Props[k.prop]
		}
		return it.rel.End.Props[k.prop]
	}
	sort.SliceStable(items, func(i, j int) bool {
		for _, k := range keys {
			a, b := value(items[i], k), value(items[j], k)
			if a == nil || b == nil {
				if (a == nil) != (b == nil) {
					return b == nil
				}
				continue
			}
			if c := compare(a, b); c != 0 {
				return (c < 0) != k.desc
			}
		}
		if a, b := items[i].node.ID(), items[j].node.ID(); a != b {
			return a < b
		}
		if items[i].rel != nil && items[j].rel != nil {
			return internalID(items[i].rel.ElementID) < internalID(items[j].rel.ElementID)
		}
		return false
	})
	return nil
}

// internalID is the number an element id ends with, by which Cypher
// orders relationships.
func internalID(elementID string) int64 {
	n, err := strconv.ParseInt(elementID[strings.LastIndexByte(elementID, ':')+1:], 10, 64)
	if err != nil {
		panic(fmt.Sprintf("element id %q does not end with a number", elementID))
	}
	return n
}

// single reads a sort element: exactly one field, not null.
func single(x any) (string, any, error) {
	m, _ := x.(map[string]any)
	var field string
	var val any
	n := 0
	for k, v := range m {
		if v != nil {
			field, val = k, v
			n++
		}
	}
	if n != 1 {
		return "", nil, badInput("a sort element takes one field, got %d", n)
	}
	return field, val, nil
}

// compare orders two non-null values as Cypher does: numbers by value,
// strings by code point, false before true.
func compare(a, b any) int {
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	return 0
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// countBy groups by the value, shown as a string, most frequent first,
// then by the value itself (numbers as numbers) with the missing value last.
func countBy(a aggregate, field string, m *model) []any {
	counts := map[string]int64{}
	stored := map[string]any{}
	var nulls int64
	for _, it := range a.items {
		v := itemProps(it, a.elem, m)[field]
		if v == nil {
			nulls++
			continue
		}
		counts[cypherString(v)]++
		stored[cypherString(v)] = v
	}
	var out []groupCount
	for v, n := range counts {
		out = append(out, groupCount{v, n})
	}
	if nulls > 0 {
		out = append(out, groupCount{nil, nulls})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].count != out[j].count {
			return out[i].count > out[j].count
		}
		if out[i].value == nil || out[j].value == nil {
			return out[j].value == nil && out[i].value != nil
		}
		x, y := stored[out[i].value.(string)], stored[out[j].value.(string)]
		if fx, ok := number(x); ok {
			if fy, ok := number(y); ok {
				return fx < fy
			}
		}
		return out[i].value.(string) < out[j].value.(string)
	})
	res := make([]any, len(out))
	for i, g := range out {
		res[i] = g
	}
	return res
}

// cypherString is Cypher's toString: Java's spelling of numbers.
func cypherString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return javaDouble(x)
	}
	return fmt.Sprint(v)
}

// javaDouble spells a float as Java's Double.toString does.
func javaDouble(f float64) string {
	abs := f
	if abs < 0 {
		abs = -abs
	}
	if abs == 0 || (abs >= 1e-3 && abs < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		for _, c := range s {
			if c == '.' {
				return s
			}
		}
		return s + ".0"
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1.5E+07
	mant, exp := s, ""
	for i, c := range s {
		if c == 'E' {
			mant, exp = s[:i], s[i+1:]
		}
	}
	hasDot := false
	for _, c := range mant {
		hasDot = hasDot || c == '.'
	}
	if !hasDot {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}

func (s stats) stat(name string) any {
	if name != "sum" && len(s.vals) == 0 {
		return nil
	}
	switch name {
	case "min", "max":
		best := s.vals[0]
		for _, v := range s.vals[1:] {
			c := compare(v, best)
			if (name == "min" && c < 0) || (name == "max" && c > 0) {
				best = v
			}
		}
		return best
	case "sum":
		if s.typ == "IntStats" {
			var n int64
			for _, v := range s.vals {
				i, _ := v.(int64)
				n += i
			}
			return n
		}
		var f float64
		for _, v := range s.vals {
			x, _ := number(v)
			f += x
		}
		return f
	case "avg":
		var f float64
		for _, v := range s.vals {
			x, _ := number(v)
			f += x
		}
		return f / float64(len(s.vals))
	}
	return nil
}

// search runs, word by word, the full-text queries the API would, and
// counts and ranks in Go: more words matched first, then the sum of the
// words' scores, then the id.
func (e *exec) search(args map[string]any) (any, error) {
	words, first, err := e.searchArgs(args)
	if err != nil {
		return nil, err
	}
	var labels []string
	for _, t := range asListOrEmpty(args["types"]) {
		labels = append(labels, e.r.m.labels[t.(string)])
	}
	if len(labels) == 0 {
		for _, t := range e.r.m.nodeTypes() {
			labels = append(labels, e.r.m.labels[t])
		}
	}
	found := map[*Node]*searchHit{}
	var hits []*searchHit
	for _, w := range words {
		recs, err := e.r.client.ReadOne(e.ctx, "CALL db.index.fulltext.queryNodes($index, $q, {limit: $limit}) YIELD node, score RETURN elementId(node) AS id, score",
			map[string]any{"index": query.SearchIndex, "q": w.Lucene, "limit": query.WordHits})
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		for _, r := range recs {
			id, _ := r.Get("id")
			score, _ := r.Get("score")
			n := e.r.byElem[id.(string)]
			if n == nil || !hasAny(n, labels) {
				continue
			}
			h := found[n]
			if h == nil {
				h = &searchHit{node: n}
				found[n] = h
				hits = append(hits, h)
			}
			h.matched++
			h.score += score.(float64)
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.matched != b.matched {
			return a.matched > b.matched
		}
		if a.score != b.score {
			return a.score > b.score
		}
		return a.node.ID() < b.node.ID()
	})
	out := []any{}
	for i := 0; i < len(hits) && i < int(first); i++ {
		out = append(out, *hits[i])
	}
	return out, nil
}

func (e *exec) searchArgs(args map[string]any) ([]query.Word, int64, error) {
	text, _ := args["query"].(string)
	words, err := query.SearchWords(text)
	if err != nil {
		return nil, 0, badInput("%v", err)
	}
	first, ok := intArg(args, "first")
	if !ok {
		first = 10
	}
	if first < 1 || first > int64(e.r.maxPage) {
		return nil, 0, badInput("first %d", first)
	}
	return words, first, nil
}

func hasAny(n *Node, labels []string) bool {
	for _, l := range labels {
		if n.HasLabel(l) {
			return true
		}
	}
	return false
}

// searchEvidence runs the relationship full-text queries word by word,
// ranks as search does, ties broken by the ends' ids, the type and the
// key, and keeps the sentences that contain a word as typed.
func (e *exec) searchEvidence(args map[string]any) (any, error) {
	words, first, err := e.searchArgs(args)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, t := range asListOrEmpty(args["types"]) {
		keep[t.(string)] = true
	}
	for t := range keep {
		if !e.r.evidenceTypes[t] {
			return nil, badInput("no relationship type %q carries evidence", t)
		}
	}
	found := map[*Rel]*evidenceHit{}
	var hits []*evidenceHit
	for _, w := range words {
		recs, err := e.r.client.ReadOne(e.ctx, "CALL db.index.fulltext.queryRelationships($index, $q, {limit: $limit}) YIELD relationship, score RETURN elementId(relationship) AS id, score",
			map[string]any{"index": query.EvidenceIndex, "q": w.Lucene, "limit": query.WordHits})
		if err != nil {
			return nil, fmt.Errorf("search evidence: %w", err)
		}
		for _, r := range recs {
			id, _ := r.Get("id")
			score, _ := r.Get("score")
			rel := e.r.relByElem[id.(string)]
			if rel == nil || len(keep) > 0 && !keep[rel.Type] {
				continue
			}
			h := found[rel]
			if h == nil {
				h = &evidenceHit{rel: rel}
				found[rel] = h
				hits = append(hits, h)
			}
			h.matched++
			h.score += score.(float64)
		}
	}
	key := func(r *Rel) string { s, _ := r.Props["key"].(string); return s }
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		switch {
		case a.matched != b.matched:
			return a.matched > b.matched
		case a.score != b.score:
			return a.score > b.score
		case a.rel.Start.ID() != b.rel.Start.ID():
			return a.rel.Start.ID() < b.rel.Start.ID()
		case a.rel.Type != b.rel.Type:
			return a.rel.Type < b.rel.Type
		case a.rel.End.ID() != b.rel.End.ID():
			return a.rel.End.ID() < b.rel.End.ID()
		}
		return key(a.rel) < key(b.rel)
	})
	out := []any{}
	for i := 0; i < len(hits) && i < int(first); i++ {
		h := hits[i]
		all := relEvidence(h.rel, nil)
		for _, ev := range all {
			s, _ := ev.(evidence).sentence.(string)
			for _, w := range words {
				if w.Text != "" && strings.Contains(strings.ToLower(s), w.Text) {
					h.evidence = append(h.evidence, ev)
					break
				}
			}
		}
		if len(h.evidence) == 0 {
			h.evidence = all
		}
		if h.evidence == nil {
			h.evidence = []any{}
		}
		out = append(out, *h)
	}
	return out, nil
}
