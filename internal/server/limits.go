package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Limits bound what one request may ask of the server. A limit of 0 is
// no limit; the configuration never gives one (internal/config).
type Limits struct {
	MaxDepth      int
	MaxComplexity int
	MaxAliases    int
	MaxRootFields int
	MaxFields     int
	MaxTokens     int
	// MaxOperations bounds the operations of one batched POST (a JSON array).
	MaxOperations     int
	MaxBodyBytes      int64
	MaxVariablesBytes int64
	// PageSize is what a list or connection that gives no limit, first or
	// last is taken to return: the compiler's maximum page size, which is
	// also the page it answers when none is asked for.
	PageSize int
}

// Shape is what the limits measure of one operation.
type Shape struct {
	Tokens, Depth, Complexity, Aliases, RootFields, Fields int
	// Introspection: the operation asks for __schema or __type.
	Introspection bool
}

// limitError is the refusal of a request over one of the limits: code
// LIMIT_EXCEEDED, with the limit's name and value in extensions so that a
// client can tell which one.
func limitError(name string, max, got int) *apierror.Error {
	e := apierror.New(apierror.LimitExceeded, "the request exceeds the %s limit of %d (it has %d)", name, max, got)
	e.Fields = map[string]any{"limit": name, "max": max}
	return e
}

// gqlError carries err to the error presenter, which shows its message
// and code and nothing else.
func gqlError(err *apierror.Error) *gqlerror.Error {
	return &gqlerror.Error{Message: err.Message, Err: err}
}

// Check measures the operation named opName (or the only one) of query
// and refuses it if it is over a limit. It runs before gqlgen parses and
// validates the query, so that a depth, alias or fragment bomb costs one
// lexing pass, one parse and one walk that visits each fragment once,
// and never reaches the validator or the compiler. A query that does not
// parse, or names no operation, passes: gqlgen then refuses it with the
// usual parse or validation error. Arguments are read from the raw
// variables, as the client sent them.
func (l Limits) Check(ctx context.Context, es graphql.ExecutableSchema, query, opName string, vars map[string]any) (Shape, *apierror.Error) {
	return l.checkParsed(ctx, es, l.parse(query), opName, vars)
}

// parsed is what Check reads from a query's text alone: the count of its
// tokens (up to one past the limit) and its document, nil if it does not
// parse or has too many tokens. A server keeps it for the next request
// with the same text, which then costs only the walk.
type parsed struct {
	tokens int
	doc    *ast.QueryDocument
}

func (l Limits) parse(query string) parsed {
	var p parsed
	if l.MaxTokens > 0 {
		lex := lexer.New(&ast.Source{Input: query})
		for {
			tok, err := lex.ReadToken()
			if err != nil || tok.Kind == lexer.EOF {
				break
			}
			if p.tokens++; p.tokens > l.MaxTokens {
				return p
			}
		}
	}
	p.doc, _ = parser.ParseQuery(&ast.Source{Input: query})
	return p
}

func (l Limits) checkParsed(ctx context.Context, es graphql.ExecutableSchema, p parsed, opName string, vars map[string]any) (Shape, *apierror.Error) {
	s := Shape{Tokens: p.tokens}
	if l.MaxTokens > 0 && s.Tokens > l.MaxTokens {
		return s, limitError("tokens", l.MaxTokens, s.Tokens)
	}
	doc := p.doc
	if doc == nil {
		return s, nil
	}
	op := doc.Operations.ForName(opName)
	if op == nil {
		return s, nil
	}
	schema := es.Schema()
	var root *ast.Definition
	switch op.Operation {
	case ast.Query:
		root = schema.Query
	case ast.Mutation:
		root = schema.Mutation
	case ast.Subscription:
		root = schema.Subscription
	}
	w := &walker{ctx: ctx, es: es, schema: schema, doc: doc, vars: vars, pageSize: l.PageSize, memo: map[string]*measure{}}
	m := w.selectionSet(op.SelectionSet, root)
	s.Depth, s.Complexity, s.Aliases, s.RootFields, s.Fields = m.depth, m.cost, m.aliases, m.rootFields, m.fields
	s.Introspection = w.introspection
	for _, c := range []struct {
		name     string
		max, got int
	}{
		{"depth", l.MaxDepth, s.Depth},
		{"aliases", l.MaxAliases, s.Aliases},
		{"rootFields", l.MaxRootFields, s.RootFields},
		{"fields", l.MaxFields, s.Fields},
		{"complexity", l.MaxComplexity, s.Complexity},
	} {
		if c.max > 0 && c.got > c.max {
			return s, limitError(c.name, c.max, c.got)
		}
	}
	return s, nil
}

// measure is what the walker finds in one selection set.
type measure struct {
	depth, cost, aliases, fields int
	// rootFields counts the fields at this level (through fragments), which
	// for the operation's own selection set are its root fields.
	rootFields int
}

// walker measures an operation in one pass. Each named fragment is
// measured once and remembered: its measure does not depend on where it
// is spread, since its type condition fixes its type. That keeps a
// fragment spread twice in each of n nested fragments at n walks instead
// of 2^n, which gqlgen's own complexity walk would pay.
type walker struct {
	ctx      context.Context
	es       graphql.ExecutableSchema
	schema   *ast.Schema
	doc      *ast.QueryDocument
	vars     map[string]any
	pageSize int
	memo     map[string]*measure
	// introspection is set when a __schema or __type field is met.
	introspection bool
}

func (w *walker) selectionSet(set ast.SelectionSet, parent *ast.Definition) measure {
	var m measure
	add := func(c measure) {
		m.depth = max(m.depth, c.depth)
		m.cost = satAdd(m.cost, c.cost)
		m.aliases = satAdd(m.aliases, c.aliases)
		m.fields = satAdd(m.fields, c.fields)
		m.rootFields = satAdd(m.rootFields, c.rootFields)
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			add(w.field(s, parent))
		case *ast.FragmentSpread:
			add(w.fragment(s.Name))
		case *ast.InlineFragment:
			t := parent
			if s.TypeCondition != "" {
				t = w.schema.Types[s.TypeCondition]
			}
			add(w.selectionSet(s.SelectionSet, t))
		}
	}
	return m
}

func (w *walker) fragment(name string) measure {
	if m, ok := w.memo[name]; ok {
		if m == nil {
			// A cycle, which validation refuses; it adds nothing here.
			return measure{}
		}
		return *m
	}
	f := w.doc.Fragments.ForName(name)
	if f == nil {
		return measure{}
	}
	w.memo[name] = nil
	m := w.selectionSet(f.SelectionSet, w.schema.Types[f.TypeCondition])
	w.memo[name] = &m
	return m
}

// field measures one field and what it selects. Introspection is left to
// gqlparser's MaxIntrospectionDepth rule and to the token limit: the
// standard introspection query is deeper than any limit on data would
// allow, yet cheap.
func (w *walker) field(f *ast.Field, parent *ast.Definition) measure {
	m := measure{rootFields: 1, fields: 1}
	if f.Alias != "" && f.Alias != f.Name {
		m.aliases = 1
	}
	if strings.HasPrefix(f.Name, "__") {
		w.introspection = w.introspection || f.Name == "__schema" || f.Name == "__type"
		return m
	}
	var def *ast.FieldDefinition
	var typ *ast.Definition
	if parent != nil {
		if def = parent.Fields.ForName(f.Name); def != nil {
			typ = w.schema.Types[def.Type.Name()]
		}
	}
	c := w.selectionSet(f.SelectionSet, typ)
	m.depth = 1 + c.depth
	m.aliases = satAdd(m.aliases, c.aliases)
	m.fields = satAdd(m.fields, c.fields)
	m.cost = w.cost(f, def, parent, c.cost)
	return m
}

// cost is a field's estimated cost given what it selects. A complexity
// function set in gqlgen's generated ComplexityRoot wins; otherwise the
// field costs 1, plus what it selects times the items it can return: its
// limit, first or last argument, or their default, or the maximum page
// size. Lists without paging arguments (edges, evidence) are bounded by
// the page of the field above them, so they do not multiply again.
func (w *walker) cost(f *ast.Field, def *ast.FieldDefinition, parent *ast.Definition, child int) int {
	if def == nil {
		return satAdd(1, child)
	}
	args := w.args(f, def)
	if c, ok := w.es.Complexity(w.ctx, parent.Name, f.Name, child, args); ok {
		return max(c, 0)
	}
	pages, given, n := false, false, 0
	for _, name := range []string{"limit", "first", "last"} {
		if def.Arguments.ForName(name) == nil {
			continue
		}
		pages = true
		if v, ok := toCount(args[name]); ok {
			given, n = true, max(n, v)
		}
	}
	if !pages {
		return satAdd(1, child)
	}
	if !given {
		n = w.pageSize
	}
	return satAdd(1, satMul(n, child))
}

// args reads a field's argument values: the given ones, from the raw
// variables where they are variables, and the schema's defaults.
func (w *walker) args(f *ast.Field, def *ast.FieldDefinition) map[string]any {
	out := map[string]any{}
	for _, a := range def.Arguments {
		if a.DefaultValue != nil {
			if v, err := a.DefaultValue.Value(nil); err == nil {
				out[a.Name] = v
			}
		}
	}
	for _, a := range f.Arguments {
		if a.Value == nil {
			continue
		}
		if a.Value.Kind == ast.Variable {
			if v, ok := w.vars[a.Value.Raw]; ok {
				out[a.Name] = v
			}
			continue
		}
		if v, err := a.Value.Value(w.vars); err == nil {
			out[a.Name] = v
		}
	}
	return out
}

// toCount reads a page size as the client sent it: a literal, or a JSON
// number from the variables. Anything else (a wrong type, which
// validation refuses) counts as nothing given.
func toCount(v any) (int, bool) {
	var f float64
	switch n := v.(type) {
	case int64:
		f = float64(n)
	case int:
		f = float64(n)
	case float64:
		f = n
	case json.Number:
		x, err := n.Float64()
		if err != nil {
			return 0, false
		}
		f = x
	case string:
		x, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return 0, false
		}
		f = x
	default:
		return 0, false
	}
	switch {
	case math.IsNaN(f) || f < 0:
		return 0, true
	case f > math.MaxInt32:
		return math.MaxInt32, true
	}
	return int(f), true
}

// satAdd and satMul saturate instead of overflowing, so that no query can
// wrap its cost around to a small number.
func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}

// String is the shape for the log.
func (s Shape) String() string {
	return fmt.Sprintf("tokens=%d depth=%d complexity=%d aliases=%d root-fields=%d fields=%d",
		s.Tokens, s.Depth, s.Complexity, s.Aliases, s.RootFields, s.Fields)
}
