package query

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
)

// where compiles a filter on the items of l into a Cypher predicate, ""
// when it filters nothing. Each value becomes a parameter.
func (c *compiler) where(arg any, l *listing, depth int) (string, error) {
	w, ok := arg.(map[string]any)
	if !ok || len(w) == 0 {
		return "", nil
	}
	if depth >= c.limits.MaxFilterDepth {
		return "", apierror.New(apierror.BadInput, "filters are nested deeper than %d levels", c.limits.MaxFilterDepth)
	}
	def := c.m.schema.Types[l.elem]
	edge := c.m.edges[l.elem]
	var conds []string
	for _, key := range slices.Sorted(maps.Keys(w)) {
		val := w[key]
		if val == nil {
			continue
		}
		var cond string
		var err error
		switch key {
		case "AND", "OR":
			cond, err = c.combine(key, val, l, depth)
		case "NOT":
			if cond, err = c.where(val, l, depth+1); cond != "" {
				cond = "NOT (" + cond + ")"
			}
		default:
			fd := def.Fields.ForName(key)
			switch {
			case fd == nil:
				err = apierror.New(apierror.BadInput, "%s has no field %s to filter on", l.elem, key)
			case fd.Directives.ForName("relationship") != nil:
				cond, err = c.relFilter(l.node, fd, val, depth)
			case edge != nil && (key == edge.fromField || key == edge.toField):
				end, endType := l.from, edge.fromType
				if key == edge.toField {
					end, endType = l.to, edge.toType
				}
				cond, err = c.where(val, &listing{elem: endType, node: end}, depth+1)
			default:
				v := l.node
				if edge != nil {
					v = l.rel
				}
				cond, err = c.scalarFilter(v+"."+key, key, val)
			}
		}
		if err != nil {
			return "", err
		}
		if cond != "" {
			conds = append(conds, cond)
		}
	}
	return strings.Join(conds, " AND "), nil
}

func (c *compiler) combine(op string, val any, l *listing, depth int) (string, error) {
	list, _ := val.([]any)
	if len(list) == 0 {
		if op == "OR" {
			return "", apierror.New(apierror.BadInput, "OR needs at least one filter")
		}
		return "", nil
	}
	var parts []string
	for _, item := range list {
		cond, err := c.where(item, l, depth+1)
		if err != nil {
			return "", err
		}
		if cond == "" {
			cond = "true"
		}
		parts = append(parts, "("+cond+")")
	}
	return "(" + strings.Join(parts, " "+op+" ") + ")", nil
}

// relFilter compiles some/all/none/single over the relationships of node
// v that relationship field fd follows.
func (c *compiler) relFilter(v string, fd *ast.FieldDefinition, val any, depth int) (string, error) {
	filters, _ := val.(map[string]any)
	var conds []string
	for _, quant := range slices.Sorted(maps.Keys(filters)) {
		if filters[quant] == nil {
			continue
		}
		l := c.relListing(v, fd)
		cond, err := c.where(filters[quant], l, depth+1)
		if err != nil {
			return "", err
		}
		if cond == "" {
			cond = "true"
		}
		switch quant {
		case "some":
			conds = append(conds, fmt.Sprintf("EXISTS { MATCH %s WHERE %s }", l.pattern, cond))
		case "none":
			conds = append(conds, fmt.Sprintf("NOT EXISTS { MATCH %s WHERE %s }", l.pattern, cond))
		case "all":
			conds = append(conds, fmt.Sprintf("NOT EXISTS { MATCH %s WHERE NOT (%s) }", l.pattern, cond))
		case "single":
			conds = append(conds, fmt.Sprintf("COUNT { MATCH %s WHERE %s } = 1", l.pattern, cond))
		}
	}
	return strings.Join(conds, " AND "), nil
}

// scalarFilter compiles the operators of one field's filter.
func (c *compiler) scalarFilter(prop, field string, val any) (string, error) {
	ops, _ := val.(map[string]any)
	ci, _ := ops["caseInsensitive"].(bool)
	lower := func(x string) string {
		if ci {
			return "toLower(" + x + ")"
		}
		return x
	}
	var conds []string
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		v := ops[op]
		if v == nil || op == "caseInsensitive" {
			continue
		}
		var cond string
		switch op {
		case "isNull":
			if v == true {
				cond = prop + " IS NULL"
			} else {
				cond = prop + " IS NOT NULL"
			}
		case "isEmpty":
			if v == true {
				cond = fmt.Sprintf("size(coalesce(%s, [])) = 0", prop)
			} else {
				cond = fmt.Sprintf("size(coalesce(%s, [])) > 0", prop)
			}
		case "includes":
			x := c.newVar("x")
			cond = fmt.Sprintf("any(%s IN coalesce(%s, []) WHERE %s = %s)", x, prop, lower(x), lower(c.param(v)))
		case "eq":
			cond = fmt.Sprintf("%s = %s", lower(prop), lower(c.param(v)))
		case "ne":
			cond = fmt.Sprintf("%s <> %s", lower(prop), lower(c.param(v)))
		case "in":
			list, _ := v.([]any)
			if len(list) == 0 {
				return "", apierror.New(apierror.BadInput, "%s: in needs at least one value", field)
			}
			if ci {
				x := c.newVar("x")
				cond = fmt.Sprintf("toLower(%s) IN [%s IN %s | toLower(%s)]", prop, x, c.param(v), x)
			} else {
				cond = fmt.Sprintf("%s IN %s", prop, c.param(v))
			}
		case "contains":
			cond = fmt.Sprintf("%s CONTAINS %s", lower(prop), lower(c.param(v)))
		case "startsWith":
			cond = fmt.Sprintf("%s STARTS WITH %s", lower(prop), lower(c.param(v)))
		case "endsWith":
			cond = fmt.Sprintf("%s ENDS WITH %s", lower(prop), lower(c.param(v)))
		case "gt", "gte", "lt", "lte":
			sym := map[string]string{"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
			cond = fmt.Sprintf("%s %s %s", prop, sym, c.param(v))
		default:
			return "", apierror.New(apierror.BadInput, "%s: unknown operator %s", field, op)
		}
		conds = append(conds, cond)
	}
	return strings.Join(conds, " AND "), nil
}
