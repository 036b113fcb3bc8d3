// Package query compiles a GraphQL query into Cypher and answers it. The
// mapping of GraphQL types to labels and of fields to relationships comes
// from the schema's own directives (@node, @edge, @relationship, @evidence,
// and those cmd/schemagen adds); all compiled root fields of one request
// become ONE parameterised statement whose result already has the
// response's shape, keyed by response key, and the engine writes that
// result to the response itself, checking each value against its type on
// the way. gqlgen's executor answers only what the compiler does not:
// introspection and @custom root fields.
package query

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/neo4j"
)

// Options configure an Engine.
type Options struct {
	// Timeout bounds each request's database work.
	Timeout time.Duration
	Limits  Limits
	// Authorize decides whether the request in ctx may ask for a field
	// (its @auth); nil allows every field.
	Authorize func(ctx context.Context, def *ast.FieldDefinition) error
}

// Engine answers query operations from Neo4j.
type Engine struct {
	mapping   *Mapping
	client    *neo4j.Client
	timeout   time.Duration
	limits    Limits
	authorize func(context.Context, *ast.FieldDefinition) error
}

// NewEngine reads the mapping from schema.
func NewEngine(schema *ast.Schema, client *neo4j.Client, o Options) (*Engine, error) {
	m, err := NewMapping(schema)
	if err != nil {
		return nil, fmt.Errorf("schema mapping: %w", err)
	}
	if o.Limits.MaxPageSize < 1 || o.Limits.MaxFilterDepth < 1 {
		return nil, fmt.Errorf("limits must be positive: %+v", o.Limits)
	}
	return &Engine{mapping: m, client: client, timeout: o.Timeout, limits: o.Limits, authorize: o.Authorize}, nil
}

// Mapping is the schema's description of the graph.
func (e *Engine) Mapping() *Mapping { return e.mapping }

// Write is a field of Mutation marked @write, for Writes to run.
type Write struct {
	Operation  *graphql.OperationContext
	Field      *ast.FieldDefinition
	Args       map[string]any // coerced (args.go)
	Selections ast.SelectionSet
}

// Writes runs the @write fields of Mutation (internal/mutation). It
// answers the value to write and, when the value comes from a compiled
// statement, its Selection; a nil Selection means a ByName value, whose
// Selection the engine reads from the request.
type Writes interface {
	Write(ctx context.Context, w Write) (any, *Selection, error)
}

// Serve returns the executable schema the API serves: generated, with the
// compiled root fields of queries and the @write fields of mutations
// answered by the engine, and everything else by generated.
func (e *Engine) Serve(generated graphql.ExecutableSchema, writes Writes) graphql.ExecutableSchema {
	return &served{ExecutableSchema: generated, e: e, writes: writes}
}

// Unserved is the generated resolver of a field the engine answers: a
// request reaches it only when the schema is not served through Serve,
// and is refused rather than answered one statement per field.
func Unserved[T any](ctx context.Context) (T, error) {
	var zero T
	return zero, fmt.Errorf("%s is answered by the query engine: serve the schema through Engine.Serve", graphql.GetFieldContext(ctx).Field.Name)
}

type served struct {
	graphql.ExecutableSchema
	e      *Engine
	writes Writes
}

func (s *served) Exec(ctx context.Context) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	var answer func(context.Context) json.RawMessage
	switch oc.Operation.Operation {
	case ast.Query:
		answer = s.query
	case ast.Mutation:
		answer = s.mutation
	default:
		return s.ExecutableSchema.Exec(ctx)
	}
	done := false
	return func(ctx context.Context) *graphql.Response {
		if done {
			return nil
		}
		done = true
		return &graphql.Response{Data: answer(ctx)}
	}
}

func (s *served) authorizer(ctx context.Context) func(*ast.FieldDefinition) error {
	if s.e.authorize == nil {
		return nil
	}
	return func(def *ast.FieldDefinition) error { return s.e.authorize(ctx, def) }
}

// query answers a query: the compiled root fields by one statement, the
// others by the generated executor, side by side, then writes them in the
// request's order.
func (s *served) query(ctx context.Context) json.RawMessage {
	oc := graphql.GetOperationContext(ctx)
	m := s.e.mapping
	roots := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
	st := m.compileRoots(m.compiler(oc, s.e.limits, s.authorizer(ctx)), roots)
	compiled := map[string]RootField{}
	for _, r := range st.Roots {
		compiled[r.Column] = r
	}
	var delegated []graphql.CollectedField
	for _, f := range roots {
		if f.Name != "__typename" && !m.Compiled(m.schema.Query.Fields.ForName(f.Name)) {
			delegated = append(delegated, f)
		}
	}
	var inner map[string]json.RawMessage
	innerOK := true
	var done chan struct{}
	if len(delegated) > 0 {
		done = make(chan struct{})
		go func() {
			defer close(done)
			inner, innerOK = s.delegate(ctx, oc, delegated)
		}()
	}
	var values map[string]any
	var runErr error
	if st.Cypher != "" {
		values, runErr = s.e.run(ctx, st)
	}
	if done != nil {
		<-done
	}

	w := &writer{ctx: ctx, schema: m.schema, buf: make([]byte, 0, 4096)}
	w.buf = append(w.buf, '{')
	for i, f := range roots {
		w.rootKey(i, f.Alias)
		def := m.schema.Query.Fields.ForName(f.Name)
		r, isCompiled := compiled[fmt.Sprintf("f%d", i)]
		ok := true
		switch {
		case f.Name == "__typename":
			w.buf = appendString(w.buf, "Query")
		case isCompiled && r.Err != nil:
			ok = w.fieldError(def, f, r.Err)
		case isCompiled && runErr != nil:
			ok = w.fieldError(def, f, runErr)
		case isCompiled:
			v := values[r.Column]
			if r.read != nil {
				var err error
				if v, err = r.read(v); err != nil {
					ok = w.fieldError(def, f, err)
					break
				}
			}
			if r.Single && v == nil {
				id, _ := r.Field.Args["id"].(string)
				ok = w.fieldError(def, f, apierror.New(apierror.NotFound, "no %s with id %q", def.Type.Name(), id))
				break
			}
			ok = w.write(def.Type, r.Field, "Query", v)
		default:
			raw, present := inner[f.Alias]
			ok = w.delegated(def, raw, innerOK && present)
		}
		if !ok {
			return json.RawMessage("null")
		}
	}
	return append(w.buf, '}')
}

// fieldError reports err as the error of root field f, whose answer is
// null, and reports whether null is an answer f may have.
func (w *writer) fieldError(def *ast.FieldDefinition, f graphql.CollectedField, err error) bool {
	w.failField(&Field{Err: err, pos: f.Position})
	return def == nil || !def.Type.NonNull
}

// rootKey starts the entry of the i-th root field of the answer.
func (w *writer) rootKey(i int, key string) {
	if i > 0 {
		w.buf = append(w.buf, ',')
	}
	w.buf = append(appendString(w.buf, key), ':')
	w.path = ast.Path{ast.PathName(key)}
}

// delegated writes the answer gqlgen's executor gave a root field, null
// when it gave none, and reports whether the field may have it.
func (w *writer) delegated(def *ast.FieldDefinition, raw json.RawMessage, given bool) bool {
	if !given {
		w.buf = append(w.buf, "null"...)
		return def == nil || !def.Type.NonNull
	}
	w.buf = append(w.buf, raw...)
	return true
}

// run sends the statement and returns its one row by column.
func (e *Engine) run(ctx context.Context, st *Statement) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	recs, err := e.client.ReadOne(ctx, st.Cypher, st.Params)
	if err != nil {
		return nil, fmt.Errorf("run query: %w", err)
	}
	if len(recs) != 1 {
		return nil, fmt.Errorf("query returned %d rows, want 1", len(recs))
	}
	return recs[0].AsMap(), nil
}

// delegate has the generated executor answer fields (introspection,
// @custom root fields) as an operation of their own, and returns their
// answers by response key; false when its answer is null.
func (s *served) delegate(ctx context.Context, oc *graphql.OperationContext, fields []graphql.CollectedField) (map[string]json.RawMessage, bool) {
	sel := make(ast.SelectionSet, len(fields))
	for i, f := range fields {
		field := *f.Field
		field.SelectionSet = f.Selections
		sel[i] = &field
	}
	op := *oc.Operation
	op.SelectionSet = sel
	sub := &graphql.OperationContext{
		RawQuery: oc.RawQuery, Variables: oc.Variables, OperationName: oc.OperationName, Doc: oc.Doc,
		Extensions: oc.Extensions, Headers: oc.Headers, Operation: &op,
		DisableIntrospection: oc.DisableIntrospection, RecoverFunc: oc.RecoverFunc,
		ResolverMiddleware: oc.ResolverMiddleware, RootResolverMiddleware: oc.RootResolverMiddleware, Stats: oc.Stats,
	}
	ctx = graphql.WithOperationContext(ctx, sub)
	resp := s.ExecutableSchema.Exec(ctx)(ctx)
	if resp == nil {
		return nil, false
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(resp.Data, &out); err != nil || out == nil {
		return nil, false
	}
	return out, true
}

// mutation runs the root fields of a mutation one after the other, as
// GraphQL requires: @write fields through Writes, others through the
// generated executor.
func (s *served) mutation(ctx context.Context) json.RawMessage {
	oc := graphql.GetOperationContext(ctx)
	m := s.e.mapping
	roots := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"})
	w := &writer{ctx: ctx, schema: m.schema, buf: make([]byte, 0, 1024)}
	w.buf = append(w.buf, '{')
	for i, f := range roots {
		w.rootKey(i, f.Alias)
		def := m.schema.Mutation.Fields.ForName(f.Name)
		ok := true
		switch {
		case f.Name == "__typename":
			w.buf = appendString(w.buf, "Mutation")
		case def != nil && def.Directives.ForName("write") != nil:
			v, sel, err := s.write(ctx, oc, def, f)
			if err != nil {
				ok = w.fieldError(def, f, err)
				break
			}
			ok = w.write(def.Type, &Field{Key: f.Alias, Name: f.Name, Def: def, Sub: sel, pos: f.Position}, "Mutation", v)
		default:
			inner, innerOK := s.delegate(ctx, oc, []graphql.CollectedField{f})
			raw, present := inner[f.Alias]
			ok = w.delegated(def, raw, innerOK && present)
		}
		if !ok {
			return json.RawMessage("null")
		}
	}
	return append(w.buf, '}')
}

// write runs one @write field.
func (s *served) write(ctx context.Context, oc *graphql.OperationContext, def *ast.FieldDefinition, f graphql.CollectedField) (any, *Selection, error) {
	if s.e.authorize != nil {
		if err := s.e.authorize(ctx, def); err != nil {
			return nil, nil, err
		}
	}
	if s.writes == nil {
		return nil, nil, fmt.Errorf("mutation %s: no writer", def.Name)
	}
	args, err := s.e.mapping.Args(def, f.Arguments, oc.Variables)
	if err != nil {
		return nil, nil, err
	}
	v, sel, err := s.writes.Write(ctx, Write{Operation: oc, Field: def, Args: args, Selections: f.Selections})
	if err != nil {
		return nil, nil, err
	}
	if sel == nil {
		if sel, err = s.e.mapping.Shape(oc, f.Selections, def.Type); err != nil {
			return nil, nil, err
		}
	}
	return v, sel, nil
}
