// Package query compiles a GraphQL query into Cypher and answers it. The
// mapping of GraphQL types to labels and of fields to relationships comes
// from the schema's own directives (@node, @edge, @relationship, @evidence);
// all root fields of one request become ONE parameterised statement whose
// result already has the response's shape, so resolvers only decode it.
package query

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/neo4j"
)

// Engine answers query operations from Neo4j.
type Engine struct {
	mapping *Mapping
	client  *neo4j.Client
	timeout time.Duration
}

// NewEngine reads the mapping from schema. timeout bounds each request's
// database work.
func NewEngine(schema *ast.Schema, client *neo4j.Client, timeout time.Duration) (*Engine, error) {
	m, err := NewMapping(schema)
	if err != nil {
		return nil, fmt.Errorf("schema mapping: %w", err)
	}
	return &Engine{mapping: m, client: client, timeout: timeout}, nil
}

// Mapping is the schema's description of the graph.
func (e *Engine) Mapping() *Mapping { return e.mapping }

type batchKey struct{}

// batch is the answer to all root fields of one operation, fetched once by
// whichever root resolver runs first.
type batch struct {
	once    sync.Once
	answers map[string]json.RawMessage
	err     error
}

// AroundOperations gives each operation its own batch; install it on the
// GraphQL handler so that a request with several root fields runs one statement.
func (e *Engine) AroundOperations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, batchKey{}, &batch{}))
}

// One decodes the answer for the calling root field into a single T.
func One[T any](ctx context.Context, e *Engine) (*T, error) {
	var out []*T
	if err := e.resolve(ctx, &out); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		fc := graphql.GetFieldContext(ctx)
		return nil, apierror.New(apierror.NotFound, "no %s with id %q", fc.Field.Definition.Type.Name(), fmt.Sprint(fc.Args["id"]))
	}
	return out[0], nil
}

// List decodes the answer for the calling root field into a list of T.
func List[T any](ctx context.Context, e *Engine) ([]*T, error) {
	var out []*T
	if err := e.resolve(ctx, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func (e *Engine) resolve(ctx context.Context, dst any) error {
	fc := graphql.GetFieldContext(ctx)
	b, ok := ctx.Value(batchKey{}).(*batch)
	if !ok {
		b = &batch{}
	}
	b.once.Do(func() { b.answers, b.err = e.run(ctx) })
	if b.err != nil {
		return b.err
	}
	raw, ok := b.answers[fc.Field.Alias]
	if !ok {
		return fmt.Errorf("no answer for root field %s", fc.Field.Alias)
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("decode %s: %w", fc.Field.Alias, err)
	}
	return nil
}

// run compiles every root field of the operation and runs the statement.
func (e *Engine) run(ctx context.Context) (map[string]json.RawMessage, error) {
	oc := graphql.GetOperationContext(ctx)
	roots := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
	st, err := e.mapping.Compile(oc, roots)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	recs, err := e.client.ReadOne(ctx, st.Cypher, st.Params)
	if err != nil {
		return nil, fmt.Errorf("run query: %w", err)
	}
	if len(recs) != 1 {
		return nil, fmt.Errorf("query returned %d rows, want 1", len(recs))
	}
	answers := make(map[string]json.RawMessage, len(st.Roots))
	for _, root := range st.Roots {
		v, _ := recs[0].Get(root.Column)
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", root.Key, err)
		}
		answers[root.Key] = raw
	}
	return answers, nil
}
