package difftest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// The change feed (Query.changes), answered from the snapshot's Change
// nodes: the outbox the API's writes fill. Its objects are plain maps
// keyed by field name; the node and relationship a change carries are the
// JSON it stored, read as GraphNode and GraphEdge.

// changeLabel is the label of the outbox's nodes.
const changeLabel = "Change"

// maxChangePage is the feed's bound on first (internal/changes.MaxPage).
const maxChangePage = 1000

type changePage struct {
	edges       []map[string]any
	endCursor   any
	hasNextPage bool
}

type changePageInfo struct {
	endCursor   any
	hasNextPage bool
}

// changes answers the feed: the changes after the cursor after that the
// types and ids take, oldest first, first of them.
func (e *exec) changes(args map[string]any) (any, error) {
	first := int64(100)
	if v, ok := args["first"].(int64); ok {
		first = v
	}
	if first < 0 || first > maxChangePage {
		return nil, &fieldError{"BAD_USER_INPUT", "first out of range"}
	}
	types := stringList(args["types"])
	for _, t := range types {
		if !slices.Contains(e.r.changeTypes, t) {
			return nil, &fieldError{"BAD_USER_INPUT", "unknown type " + t}
		}
	}
	ids := stringList(args["ids"])
	var from int64
	after, given := args["after"].(string)
	if given {
		n, err := strconv.ParseInt(after, 10, 64)
		if err != nil || n < 0 {
			return nil, &fieldError{"BAD_USER_INPUT", "bad cursor " + after}
		}
		from = n
	}
	var all []*Node
	var head int64
	for _, n := range e.r.snap.WithLabel(changeLabel) {
		all = append(all, n)
		head = max(head, seqOf(n))
	}
	sort.Slice(all, func(i, j int) bool { return seqOf(all[i]) < seqOf(all[j]) })
	var taken []map[string]any
	for _, n := range all {
		if seqOf(n) <= from || !changeTaken(n, types, ids) {
			continue
		}
		taken = append(taken, changeObject(n))
	}
	page := changePage{}
	if int64(len(taken)) > first {
		taken, page.hasNextPage = taken[:first], true
	}
	page.edges = taken
	switch {
	case len(taken) > 0:
		page.endCursor = taken[len(taken)-1]["cursor"]
	case given:
		page.endCursor = after
	default:
		page.endCursor = strconv.FormatInt(head, 10)
	}
	return page, nil
}

func stringList(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func seqOf(n *Node) int64 {
	s, _ := n.Props["seq"].(int64)
	return s
}

func changeTaken(n *Node, types, ids []string) bool {
	str := func(k string) string { s, _ := n.Props[k].(string); return s }
	if len(types) > 0 && !slices.Contains(types, str("type")) {
		return false
	}
	if len(ids) == 0 {
		return true
	}
	for _, k := range []string{"of", "from", "to"} {
		if v := str(k); v != "" && slices.Contains(ids, v) {
			return true
		}
	}
	return false
}

// changeObject is a Change node as the GraphQL Change object.
func changeObject(n *Node) map[string]any {
	p := n.Props
	c := map[string]any{
		"cursor": strconv.FormatInt(seqOf(n), 10),
		"op":     p["op"], "type": p["type"], "id": p["of"], "by": p["by"], "source": p["source"],
		"at": neo4jString(p["at"]),
	}
	for _, k := range []string{"node", "edge"} {
		if raw, ok := p[k].(string); ok {
			var v map[string]any
			if json.Unmarshal([]byte(raw), &v) == nil {
				c[k] = v
			}
		}
	}
	return c
}

// neo4jString writes a datetime as Cypher's toString does: seconds only
// when the time has seconds or a fraction, the fraction without its
// trailing zeros (.77, not .770), Z for UTC.
func neo4jString(v any) any {
	t, ok := v.(time.Time)
	if !ok {
		return v
	}
	t = t.UTC()
	s := t.Format("2006-01-02T15:04")
	if t.Second() != 0 || t.Nanosecond() != 0 {
		s += fmt.Sprintf(":%02d", t.Second())
	}
	if ns := t.Nanosecond(); ns != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%09d", ns), "0")
	}
	return s + "Z"
}

// changeField resolves a field of the feed's objects.
func changeField(src any, fd *ast.FieldDefinition) (any, bool) {
	switch s := src.(type) {
	case changePage:
		switch fd.Name {
		case "edges":
			out := make([]any, len(s.edges))
			for i, c := range s.edges {
				out[i] = map[string]any{"cursor": c["cursor"], "node": c}
			}
			return out, true
		case "pageInfo":
			return changePageInfo{s.endCursor, s.hasNextPage}, true
		}
	case changePageInfo:
		if fd.Name == "endCursor" {
			return s.endCursor, true
		}
		return s.hasNextPage, true
	case map[string]any:
		v, ok := s[fd.Name]
		if !ok || v == nil {
			if fd.Type.Elem != nil {
				return []any{}, true
			}
			return nil, true
		}
		return v, true
	}
	return nil, false
}

// changesRoot makes a Query.changes field: a page of the feed after a
// cursor of the snapshot's changes, filtered by types and ids the changes
// name (now and then ones they do not, or bad values), selecting some of
// each change's fields and of the node or relationship it carries.
func (x *gen) changesRoot(s *sel) {
	var seqs []int64
	var types, ids []string
	for _, n := range x.snap.WithLabel(changeLabel) {
		seqs = append(seqs, seqOf(n))
		if t, ok := n.Props["type"].(string); ok && !slices.Contains(types, t) {
			types = append(types, t)
		}
		for _, k := range []string{"of", "from", "to"} {
			if id, ok := n.Props[k].(string); ok && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	sort.Strings(types)
	sort.Strings(ids)
	if x.chance(0.6) && len(seqs) > 0 {
		var after val = vStr(strconv.FormatInt(seqs[x.r.IntN(len(seqs))]-1, 10))
		switch {
		case x.chance(0.05):
			after = vStr("not-a-cursor")
		case x.chance(0.05):
			after = vStr(strconv.FormatInt(seqs[len(seqs)-1]+5, 10))
		}
		s.args = append(s.args, &arg{"after", x.varOr(after, "String")})
	}
	if x.chance(0.8) {
		first := int64(x.r.IntN(15))
		if x.chance(0.03) {
			first = maxChangePage + 1
		}
		s.args = append(s.args, &arg{"first", x.varOr(vInt(first), "Int")})
	}
	if x.chance(0.35) && len(types) > 0 {
		list := vList{vStr(pick(x.r, types))}
		if x.chance(0.3) {
			list = append(list, vStr(pick(x.r, types)))
		}
		if x.chance(0.05) {
			list = append(list, vStr("company"))
		}
		s.args = append(s.args, &arg{"types", list})
	}
	if x.chance(0.35) && len(ids) > 0 {
		list := vList{vStr(pick(x.r, ids))}
		if x.chance(0.3) {
			list = append(list, vStr("no-such-id"))
		}
		s.args = append(s.args, &arg{"ids", list})
	}
	node := []*sel{{name: "cursor"}}
	for _, f := range []string{"op", "type", "id", "at", "by", "source"} {
		if x.chance(0.5) {
			node = append(node, &sel{name: f})
		}
	}
	if x.chance(0.4) {
		node = append(node, &sel{name: "node", sub: pickFields(x, []string{"id", "type", "labels", "name", "properties"}, "evidence", []string{"sentence", "sourceId", "sourceTitle"})})
	}
	if x.chance(0.4) {
		node = append(node, &sel{name: "edge", sub: pickFields(x, []string{"id", "type", "from", "to", "properties"}, "evidence", []string{"sentence", "sourceId"})})
	}
	s.sub = []*sel{
		{name: "edges", sub: []*sel{{name: "cursor"}, {name: "node", sub: node}}},
		{name: "pageInfo", sub: []*sel{{name: "endCursor"}, {name: "hasNextPage"}}},
	}
	if x.chance(0.2) {
		s.sub = s.sub[1:]
	}
}

// pickFields selects some of leaves, at least one, and now and then the
// list field nested with some of its leaves.
func pickFields(x *gen, leaves []string, nested string, nestedLeaves []string) []*sel {
	out := []*sel{{name: leaves[x.r.IntN(len(leaves))]}}
	for _, f := range leaves {
		if f != out[0].name && x.chance(0.3) {
			out = append(out, &sel{name: f})
		}
	}
	if x.chance(0.3) {
		sub := []*sel{{name: nestedLeaves[x.r.IntN(len(nestedLeaves))]}}
		out = append(out, &sel{name: nested, sub: sub})
	}
	return out
}
