package difftest

import (
	"regexp"
	"strings"
)

// expand replaces every named fragment's spread by an inline fragment
// with the same type condition and body, so that a path through the
// operation is a path through one tree.
func (o *op) expand() *op {
	c := o.clone()
	frags := map[string]*frag{}
	for _, f := range c.frags {
		frags[f.name] = f
	}
	var walk func([]*sel) []*sel
	walk = func(sels []*sel) []*sel {
		for _, s := range sels {
			if s.spread != "" {
				f := frags[s.spread]
				s.spread, s.inline, s.on, s.sub = "", true, f.on, cloneSels(f.sel)
			}
			s.sub = walk(s.sub)
		}
		return sels
	}
	c.sel = walk(c.sel)
	c.frags = nil
	return c
}

// aliased lists the paths (indexes into the selections) of the fields
// that have an alias, in an expanded operation.
func (o *op) aliased() [][]int {
	var out [][]int
	var walk func([]*sel, []int)
	walk = func(sels []*sel, path []int) {
		for i, s := range sels {
			p := append(path[:len(path):len(path)], i)
			if s.alias != "" && s.name != "" {
				out = append(out, p)
			}
			walk(s.sub, p)
		}
	}
	walk(o.sel, nil)
	return out
}

// prune keeps only the selections on the path to the field at path, and
// that field whole: the field asked alone.
func (o *op) prune(path []int) *op {
	c := o.clone()
	sels := &c.sel
	for _, i := range path {
		s := (*sels)[i]
		*sels = []*sel{s}
		sels = &s.sub
	}
	c.dropUnused()
	return c
}

// project keeps of answer what the selections sels ask for.
func project(answer any, sels []*sel) any {
	switch a := answer.(type) {
	case []any:
		out := make([]any, len(a))
		for i, x := range a {
			out[i] = project(x, sels)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		var walk func([]*sel)
		walk = func(sels []*sel) {
			for _, s := range sels {
				if s.inline {
					walk(s.sub)
					continue
				}
				key := s.alias
				if key == "" {
					key = s.name
				}
				if v, ok := a[key]; ok {
					if len(s.sub) > 0 {
						out[key] = project(v, s.sub)
					} else {
						out[key] = v
					}
				}
			}
		}
		walk(sels)
		return out
	}
	return answer
}

// dropUnused removes the variables and fragments nothing uses any more,
// which GraphQL would refuse.
func (o *op) dropUnused() {
	text := o.String()
	var vars []*varDef
	for _, v := range o.vars {
		if len(regexp.MustCompile(`\$`+v.name+`\b`).FindAllStringIndex(text, -1)) > 1 {
			vars = append(vars, v)
		}
	}
	o.vars = vars
	for {
		text = o.String()
		var frags []*frag
		for _, f := range o.frags {
			if strings.Contains(text, "..."+f.name+"\n") || strings.Contains(text, "..."+f.name+" ") {
				frags = append(frags, f)
			}
		}
		if len(frags) == len(o.frags) {
			return
		}
		o.frags = frags
	}
}

// shrinks lists smaller operations: each without one selection, argument,
// directive, filter entry or list element.
func (o *op) shrinks() []*op {
	var out []*op
	n := 0
	// Count the sites, then make each mutation on a fresh clone.
	var count func([]*sel, bool)
	var countVal func(val)
	countVal = func(v val) {
		switch x := v.(type) {
		case vList:
			n += len(x)
			for _, e := range x {
				countVal(e)
			}
		case vObj:
			n += len(x)
			for _, a := range x {
				countVal(a.v)
			}
		}
	}
	count = func(sels []*sel, root bool) {
		if len(sels) > 1 || !root {
			n += len(sels)
		}
		for _, s := range sels {
			n += len(s.args) + len(s.dirs)
			for _, a := range s.args {
				countVal(a.v)
			}
			count(s.sub, true)
		}
	}
	for _, f := range o.frags {
		count(f.sel, true)
	}
	count(o.sel, true)
	for k := 0; k < n; k++ {
		c := o.clone()
		if c.mutate(k) {
			c.dropUnused()
			out = append(out, c)
		}
	}
	return out
}

// mutate makes the k-th shrinking mutation, in the order shrinks counts.
func (o *op) mutate(k int) bool {
	done := false
	var walkVal func(v val) val
	walkVal = func(v val) val {
		switch x := v.(type) {
		case vList:
			for i := range x {
				if k == 0 {
					done = true
					return append(x[:i:i], x[i+1:]...)
				}
				k--
			}
			for i, e := range x {
				x[i] = walkVal(e)
				if done {
					return x
				}
			}
		case vObj:
			for i := range x {
				if k == 0 {
					done = true
					return append(x[:i:i], x[i+1:]...)
				}
				k--
			}
			for _, a := range x {
				a.v = walkVal(a.v)
				if done {
					return x
				}
			}
		}
		return v
	}
	var walk func([]*sel, bool) []*sel
	walk = func(sels []*sel, root bool) []*sel {
		if len(sels) > 1 || !root {
			for i := range sels {
				if k == 0 {
					done = true
					return append(sels[:i:i], sels[i+1:]...)
				}
				k--
			}
		}
		for _, s := range sels {
			for i := range s.args {
				if k == 0 {
					done = true
					s.args = append(s.args[:i:i], s.args[i+1:]...)
					return sels
				}
				k--
			}
			for i := range s.dirs {
				if k == 0 {
					done = true
					s.dirs = append(s.dirs[:i:i], s.dirs[i+1:]...)
					return sels
				}
				k--
			}
			for _, a := range s.args {
				a.v = walkVal(a.v)
				if done {
					return sels
				}
			}
			s.sub = walk(s.sub, true)
			if done {
				return sels
			}
		}
		return sels
	}
	for _, f := range o.frags {
		f.sel = walk(f.sel, true)
		if done {
			return true
		}
	}
	o.sel = walk(o.sel, true)
	return done
}
