package difftest

import (
	"strings"
)

// tri is a value of Cypher's three-valued logic.
type tri int8

const (
	False tri = iota
	True
	Null
)

func and(a, b tri) tri {
	switch {
	case a == False || b == False:
		return False
	case a == Null || b == Null:
		return Null
	}
	return True
}

func or(a, b tri) tri {
	switch {
	case a == True || b == True:
		return True
	case a == Null || b == Null:
		return Null
	}
	return False
}

func not(a tri) tri {
	switch a {
	case True:
		return False
	case False:
		return True
	}
	return Null
}

func boolTri(b bool) tri {
	if b {
		return True
	}
	return False
}

// where evaluates filter w on item it of type elem. some is false when the
// filter is empty (nothing non-null in it): it then filters nothing, even
// under NOT.
func (e *exec) where(w any, elem string, it item) (tri, bool) {
	obj, _ := w.(map[string]any)
	m := e.r.m
	res, some := True, false
	add := func(t tri) { res, some = and(res, t), true }
	for key, val := range obj {
		if val == nil {
			continue
		}
		switch key {
		case "AND", "OR":
			list := asListOrEmpty(val)
			if len(list) == 0 {
				continue
			}
			acc := boolTri(key == "AND")
			for _, sub := range list {
				t, ok := e.where(sub, elem, it)
				if !ok {
					t = True
				}
				if key == "AND" {
					acc = and(acc, t)
				} else {
					acc = or(acc, t)
				}
			}
			add(acc)
		case "NOT":
			if t, ok := e.where(val, elem, it); ok {
				add(not(t))
			}
		default:
			fd := m.field(elem, key)
			ed := m.edges[elem]
			switch {
			case m.rel(fd) != nil:
				rd := m.rel(fd)
				quants, _ := val.(map[string]any)
				for q, cond := range quants {
					if cond == nil {
						continue
					}
					var trues, falses int
					for _, x := range e.relItems(it.node, rd) {
						t, ok := e.where(cond, rd.elem, x)
						if !ok {
							t = True
						}
						switch t {
						case True:
							trues++
						case False:
							falses++
						}
					}
					switch q {
					case "some":
						add(boolTri(trues > 0))
					case "none":
						add(boolTri(trues == 0))
					case "all":
						add(boolTri(falses == 0))
					case "single":
						add(boolTri(trues == 1))
					}
				}
			case ed != nil && (key == ed.fromField || key == ed.toField):
				end, endType := it.rel.Start, ed.fromType
				if key == ed.toField {
					end, endType = it.rel.End, ed.toType
				}
				if t, ok := e.where(val, endType, item{node: end}); ok {
					add(t)
				}
			default:
				if t, ok := scalarFilter(itemProps(it, elem, m)[key], val); ok {
					add(t)
				}
			}
		}
	}
	return res, some
}

// scalarFilter evaluates the operators of one field's filter on value v.
func scalarFilter(v any, filter any) (tri, bool) {
	ops, _ := filter.(map[string]any)
	ci := ops["caseInsensitive"] == true
	lower := func(x any) any {
		if s, ok := x.(string); ok && ci {
			return strings.ToLower(s)
		}
		return x
	}
	res, some := True, false
	for op, arg := range ops {
		if arg == nil || op == "caseInsensitive" {
			continue
		}
		var t tri
		switch op {
		case "isNull":
			t = boolTri((v == nil) == (arg == true))
		case "isEmpty":
			t = boolTri((len(asListOrEmpty(v)) == 0) == (arg == true))
		case "includes":
			t = False
			for _, x := range asListOrEmpty(v) {
				t = or(t, equal(lower(x), lower(arg)))
			}
		case "eq":
			t = equal(lower(v), lower(arg))
		case "ne":
			t = not(equal(lower(v), lower(arg)))
		case "in":
			if v == nil {
				t = Null
				break
			}
			t = False
			for _, x := range asListOrEmpty(arg) {
				t = or(t, equal(lower(v), lower(x)))
			}
		case "contains", "startsWith", "endsWith":
			s, ok1 := lower(v).(string)
			p, ok2 := lower(arg).(string)
			if !ok1 || !ok2 {
				t = Null
				break
			}
			switch op {
			case "contains":
				t = boolTri(strings.Contains(s, p))
			case "startsWith":
				t = boolTri(strings.HasPrefix(s, p))
			default:
				t = boolTri(strings.HasSuffix(s, p))
			}
		case "gt", "gte", "lt", "lte":
			t = order(v, arg, op)
		}
		res, some = and(res, t), true
	}
	return res, some
}

// equal is Cypher's =: null with null on either side, false across types.
func equal(a, b any) tri {
	if a == nil || b == nil {
		return Null
	}
	if x, ok := number(a); ok {
		y, ok := number(b)
		return boolTri(ok && x == y)
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return boolTri(ok && x == y)
	case bool:
		y, ok := b.(bool)
		return boolTri(ok && x == y)
	}
	return False
}

// order is Cypher's < and friends: null unless both are numbers, both
// strings or both booleans.
func order(a, b any, op string) tri {
	if a == nil || b == nil {
		return Null
	}
	_, na := number(a)
	_, nb := number(b)
	_, sa := a.(string)
	_, sb := b.(string)
	_, ba := a.(bool)
	_, bb := b.(bool)
	if !(na && nb) && !(sa && sb) && !(ba && bb) {
		return Null
	}
	c := compare(a, b)
	switch op {
	case "gt":
		return boolTri(c > 0)
	case "gte":
		return boolTri(c >= 0)
	case "lt":
		return boolTri(c < 0)
	}
	return boolTri(c <= 0)
}

// checkWhere refuses what the API refuses whatever the data: an empty OR,
// an empty in.
func (e *exec) checkWhere(w any, elem string) error {
	obj, _ := w.(map[string]any)
	m := e.r.m
	for key, val := range obj {
		if val == nil {
			continue
		}
		switch key {
		case "AND", "OR":
			list := asListOrEmpty(val)
			if key == "OR" && len(list) == 0 {
				return badInput("OR needs at least one filter")
			}
			for _, sub := range list {
				if err := e.checkWhere(sub, elem); err != nil {
					return err
				}
			}
		case "NOT":
			if err := e.checkWhere(val, elem); err != nil {
				return err
			}
		default:
			fd := m.field(elem, key)
			ed := m.edges[elem]
			switch {
			case m.rel(fd) != nil:
				quants, _ := val.(map[string]any)
				for _, cond := range quants {
					if err := e.checkWhere(cond, m.rel(fd).elem); err != nil {
						return err
					}
				}
			case ed != nil && (key == ed.fromField || key == ed.toField):
				endType := ed.fromType
				if key == ed.toField {
					endType = ed.toType
				}
				if err := e.checkWhere(val, endType); err != nil {
					return err
				}
			default:
				ops, _ := val.(map[string]any)
				if in, ok := ops["in"]; ok && in != nil && len(asListOrEmpty(in)) == 0 {
					return badInput("%s: in needs at least one value", key)
				}
			}
		}
	}
	return nil
}
