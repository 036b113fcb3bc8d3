package query_test

import (
	"errors"
	"testing"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/query"
)

// filterFrom builds a valid EventWhere from fuzz bytes: shape picks fields,
// operators and nesting; text and num are the values.
func filterFrom(shape []byte, text string, num int64) map[string]any {
	pos := 0
	next := func() byte {
		if pos >= len(shape) {
			return 0
		}
		pos++
		return shape[pos-1]
	}
	var build func(depth int) map[string]any
	build = func(depth int) map[string]any {
		w := map[string]any{}
		for n := int(next()%4) + 1; n > 0; n-- {
			switch next() % 12 {
			case 0:
				w["name"] = map[string]any{"eq": text}
			case 1:
				w["name"] = map[string]any{"contains": text, "caseInsensitive": next()%2 == 0}
			case 2:
				w["status"] = map[string]any{"in": []any{text, "occurred"}, "startsWith": text}
			case 3:
				w["unitsSold"] = map[string]any{"gte": num, "lt": num + 1}
			case 4:
				w["amountUsd"] = map[string]any{"gt": float64(num) / 3, "isNull": next()%2 == 0}
			case 5:
				w["kind"] = map[string]any{"eq": "SALES", "ne": "FUNDING"}
			case 6:
				w["id"] = map[string]any{"in": []any{text}, "startsWith": text}
			case 7:
				if depth < 3 {
					w["AND"] = []any{build(depth + 1), build(depth + 1)}
				}
			case 8:
				if depth < 3 {
					w["OR"] = []any{build(depth + 1)}
				}
			case 9:
				if depth < 3 {
					w["NOT"] = build(depth + 1)
				}
			case 10:
				if depth < 3 {
					w["executives"] = map[string]any{[]string{"some", "all", "none", "single"}[next()%4]: map[string]any{
						"title":     map[string]any{"endsWith": text},
						"executive": map[string]any{"name": map[string]any{"eq": text}},
					}}
				}
			case 11:
				if depth < 3 {
					w["markets"] = map[string]any{"some": map[string]any{"market": map[string]any{"aliases": map[string]any{"includes": text}}}}
				}
			}
		}
		return w
	}
	return build(0)
}

// FuzzCompile checks, for random valid filters and selections, that the
// Cypher never depends on the values sent (they only travel as parameters)
// and, with a Neo4j configured, that Neo4j accepts it.
func FuzzCompile(f *testing.F) {
	f.Add([]byte{0}, "Xiaomi", int64(1))
	f.Add([]byte{3, 7, 1, 2, 9, 3, 10, 1, 11}, "x'}) DETACH DELETE n //", int64(-5))
	f.Add([]byte{2, 10, 2, 8, 1, 0, 4, 1}, "`) RETURN 1 //", int64(61100000))
	f.Add([]byte{4, 6, 5, 3, 2, 1, 0, 0}, "$p0 \\u0027", int64(0))
	s := schema(f)
	m, err := query.NewMapping(s)
	if err != nil {
		f.Fatal(err)
	}
	explain := explainer(f)
	selections := []string{
		`id name`,
		`id executives(limit: 3) { title executive { name } evidence { sentence } }`,
		`kind markets { market { id } } productsAggregate { count }`,
	}
	f.Fuzz(func(t *testing.T, shape []byte, text string, num int64) {
		sel := selections[0]
		if len(shape) > 0 {
			sel = selections[int(shape[0])%len(selections)]
		}
		src := `query($w: EventWhere) { events(where: $w, limit: 5) { ` + sel + ` } }`
		w := filterFrom(shape, text, num)
		st, err := m.Compile(operation(t, s, src, map[string]any{"w": w}), roots(t, s, src, map[string]any{"w": w}), limits)
		var apiErr *apierror.Error
		if err != nil {
			if !errors.As(err, &apiErr) || apiErr.Code != apierror.BadInput {
				t.Fatalf("compile failed without a BAD_USER_INPUT: %v", err)
			}
			return
		}
		other := filterFrom(shape, "placeholder", 7)
		st2, err := m.Compile(operation(t, s, src, map[string]any{"w": other}), roots(t, s, src, map[string]any{"w": other}), limits)
		if err != nil {
			t.Fatalf("compile with other values failed: %v", err)
		}
		if st.Cypher != st2.Cypher {
			t.Fatalf("the Cypher depends on the values sent:\n%s\n%s", st.Cypher, st2.Cypher)
		}
		if explain != nil {
			if err := explain(st); err != nil {
				t.Fatalf("Neo4j refuses:\n%s\n%v", st.Cypher, err)
			}
		}
	})
}
