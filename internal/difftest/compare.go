package difftest

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Diff compares the reference's data with the API's (decoded with
// UseNumber) and lists the differences, each as "path: want … got …".
// Cursors compare by position; floats with a relative tolerance of 1e-9.
func Diff(want, got any, cursors *Cursors) []string {
	var out []string
	diff(want, got, "", cursors, &out)
	return out
}

func diff(want, got any, path string, cursors *Cursors, out *[]string) {
	if len(*out) >= 20 {
		return
	}
	bad := func() {
		*out = append(*out, fmt.Sprintf("%s: want %s, got %s", orRoot(path), Show(want, cursors), Show(got, cursors)))
	}
	switch w := want.(type) {
	case nil:
		if got != nil {
			bad()
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			bad()
			return
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		for _, k := range sortedKeys(keys) {
			wv, wok := w[k]
			gv, gok := g[k]
			if wok != gok {
				*out = append(*out, fmt.Sprintf("%s.%s: want %s, got %s", path, k, presence(wok, wv, cursors), presence(gok, gv, cursors)))
				continue
			}
			diff(wv, gv, path+"."+k, cursors, out)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			bad()
			return
		}
		if len(w) != len(g) {
			*out = append(*out, fmt.Sprintf("%s: want %d items, got %d: want %s, got %s", orRoot(path), len(w), len(g), Show(w, cursors), Show(g, cursors)))
			return
		}
		for i := range w {
			diff(w[i], g[i], fmt.Sprintf("%s[%d]", path, i), cursors, out)
		}
	case cursor:
		s, ok := got.(string)
		if !ok || !cursors.Learn(s, int(w)) {
			bad()
		}
	case int64, float64:
		x, _ := number(w)
		n, ok := got.(json.Number)
		if !ok {
			bad()
			return
		}
		y, err := n.Float64()
		if err != nil || !close(x, y) {
			bad()
		}
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) {
			bad()
			return
		}
		if _, isString := want.(string); isString {
			if _, ok := got.(string); !ok {
				bad()
			}
		}
	}
}

func close(x, y float64) bool {
	if x == y {
		return true
	}
	return math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y))
}

func orRoot(path string) string {
	if path == "" {
		return "data"
	}
	return path
}

func presence(ok bool, v any, cursors *Cursors) string {
	if !ok {
		return "absent"
	}
	return Show(v, cursors)
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Show prints a value compactly, cursors as their positions, long lists cut.
func Show(v any, cursors *Cursors) string {
	var b strings.Builder
	show(&b, v, cursors, 0)
	s := b.String()
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

func show(b *strings.Builder, v any, cursors *Cursors, depth int) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case map[string]any:
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		b.WriteString("{")
		for i, k := range sortedKeys(keys) {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(k + ":")
			show(b, x[k], cursors, depth+1)
		}
		b.WriteString("}")
	case []any:
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(" ")
			}
			show(b, e, cursors, depth+1)
		}
		b.WriteString("]")
	case cursor:
		fmt.Fprintf(b, "@%d", int(x))
	case string:
		if p, ok := cursors.Pos(x); ok {
			fmt.Fprintf(b, "@%d", p)
			return
		}
		b.WriteString(strconv.Quote(x))
	default:
		fmt.Fprint(b, x)
	}
}

// ErrorsDiff compares two sets of (path, code).
func ErrorsDiff(want, got []ErrorKey) string {
	set := func(es []ErrorKey) string {
		var s []string
		seen := map[string]bool{}
		for _, e := range es {
			k := e.Path + " " + e.Code
			if !seen[k] {
				seen[k] = true
				s = append(s, k)
			}
		}
		sort.Strings(s)
		return strings.Join(s, "; ")
	}
	w, g := set(want), set(got)
	if w == g {
		return ""
	}
	return fmt.Sprintf("errors: want [%s], got [%s]", w, g)
}
