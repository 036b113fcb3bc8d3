package difftest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// An operation as the generator builds it, before it is printed: small
// enough to shrink and to prune.
type (
	op struct {
		vars  []*varDef
		sel   []*sel
		frags []*frag
	}
	varDef struct {
		name, typ string
		def       val // nil: no default
	}
	frag struct {
		name, on string
		sel      []*sel
	}
	sel struct {
		alias, name string // a field; name "" for a fragment
		args        []*arg
		dirs        []*arg // @skip/@include: name and the if value
		on          string // inline fragment's type condition, "" for none
		spread      string // a named fragment's name
		sub         []*sel
		inline      bool
	}
	arg struct {
		name string
		v    val
	}
)

// Argument values.
type (
	val    any
	vInt   int64
	vFloat float64
	vStr   string
	vBool  bool
	vEnum  string
	vNull  struct{}
	vList  []val
	vObj   []*arg
	vVar   string
)

func (o *op) String() string {
	var b strings.Builder
	b.WriteString("query")
	if len(o.vars) > 0 {
		b.WriteString("(")
		for i, v := range o.vars {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%s: %s", v.name, v.typ)
			if v.def != nil {
				b.WriteString(" = " + render(v.def))
			}
		}
		b.WriteString(")")
	}
	b.WriteString(" ")
	writeSel(&b, o.sel, "")
	for _, f := range o.frags {
		fmt.Fprintf(&b, "\nfragment %s on %s ", f.name, f.on)
		writeSel(&b, f.sel, "")
	}
	return b.String()
}

func writeSel(b *strings.Builder, sels []*sel, indent string) {
	b.WriteString("{\n")
	in := indent + "  "
	for _, s := range sels {
		b.WriteString(in)
		switch {
		case s.spread != "":
			b.WriteString("..." + s.spread)
		case s.inline:
			b.WriteString("...")
			if s.on != "" {
				b.WriteString(" on " + s.on)
			}
		default:
			if s.alias != "" {
				b.WriteString(s.alias + ": ")
			}
			b.WriteString(s.name)
			if len(s.args) > 0 {
				b.WriteString("(")
				for i, a := range s.args {
					if i > 0 {
						b.WriteString(", ")
					}
					b.WriteString(a.name + ": " + render(a.v))
				}
				b.WriteString(")")
			}
		}
		for _, d := range s.dirs {
			fmt.Fprintf(b, " @%s(if: %s)", d.name, render(d.v))
		}
		if len(s.sub) > 0 {
			b.WriteString(" ")
			writeSel(b, s.sub, in)
		}
		b.WriteString("\n")
	}
	b.WriteString(indent + "}")
}

func render(v val) string {
	switch x := v.(type) {
	case vInt:
		return strconv.FormatInt(int64(x), 10)
	case vFloat:
		s := strconv.FormatFloat(float64(x), 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case vStr:
		raw, _ := json.Marshal(string(x))
		return string(raw)
	case vBool:
		return strconv.FormatBool(bool(x))
	case vEnum:
		return string(x)
	case vNull:
		return "null"
	case vVar:
		return "$" + string(x)
	case vList:
		var parts []string
		for _, e := range x {
			parts = append(parts, render(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case vObj:
		var parts []string
		for _, a := range x {
			parts = append(parts, a.name+": "+render(a.v))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	panic(fmt.Sprintf("render %T", v))
}

// toJSON is a value as a variable's JSON.
func toJSON(v val) any {
	switch x := v.(type) {
	case vInt:
		return int64(x)
	case vFloat:
		return float64(x)
	case vStr:
		return string(x)
	case vBool:
		return bool(x)
	case vEnum:
		return string(x)
	case vNull:
		return nil
	case vList:
		out := []any{}
		for _, e := range x {
			out = append(out, toJSON(e))
		}
		return out
	case vObj:
		out := map[string]any{}
		for _, a := range x {
			out[a.name] = toJSON(a.v)
		}
		return out
	}
	panic(fmt.Sprintf("toJSON %T", v))
}

// clone copies an operation deeply, for shrinking and pruning.
func (o *op) clone() *op {
	c := &op{}
	for _, v := range o.vars {
		x := *v
		c.vars = append(c.vars, &x)
	}
	c.sel = cloneSels(o.sel)
	for _, f := range o.frags {
		c.frags = append(c.frags, &frag{name: f.name, on: f.on, sel: cloneSels(f.sel)})
	}
	return c
}

func cloneSels(sels []*sel) []*sel {
	var out []*sel
	for _, s := range sels {
		x := *s
		x.args = cloneArgs(s.args)
		x.dirs = cloneArgs(s.dirs)
		x.sub = cloneSels(s.sub)
		out = append(out, &x)
	}
	return out
}

func cloneArgs(args []*arg) []*arg {
	var out []*arg
	for _, a := range args {
		out = append(out, &arg{a.name, cloneVal(a.v)})
	}
	return out
}

func cloneVal(v val) val {
	switch x := v.(type) {
	case vList:
		out := vList{}
		for _, e := range x {
			out = append(out, cloneVal(e))
		}
		return out
	case vObj:
		return vObj(cloneArgs(x))
	}
	return v
}
