// Package query compiles a GraphQL query into Cypher and answers it. The
// mapping of GraphQL types to labels and of fields to relationships comes
// from the schema's own directives (@node, @edge, @relationship, @evidence,
// and those cmd/schemagen adds); all root fields of one request become ONE
// parameterised statement whose result already has the response's shape,
// so resolvers only decode it.
package query

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/neo4j"
)

// Options configure an Engine.
type Options struct {
	// Timeout bounds each request's database work.
	Timeout time.Duration
	Limits  Limits
	// Types makes an empty model for each @node type, by GraphQL type name,
	// for answers whose type is an interface.
	Types map[string]func() any
}

// Engine answers query operations from Neo4j.
type Engine struct {
	mapping *Mapping
	client  *neo4j.Client
	timeout time.Duration
	limits  Limits
	types   map[string]func() any
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
	return &Engine{mapping: m, client: client, timeout: o.Timeout, limits: o.Limits, types: o.Types}, nil
}

// Mapping is the schema's description of the graph.
func (e *Engine) Mapping() *Mapping { return e.mapping }

type batchKey struct{}

// batch is the answer to all root fields of one operation, fetched once by
// whichever root resolver runs first.
type batch struct {
	once    sync.Once
	answers map[string]answer
	err     error
}

type answer struct {
	raw      json.RawMessage
	single   bool
	typeName string
}

// AroundOperations gives each operation its own batch; install it on the
// GraphQL handler so that a request with several root fields runs one statement.
func (e *Engine) AroundOperations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, batchKey{}, &batch{}))
}

// run compiles every root field of the operation and runs the statement.
func (e *Engine) run(ctx context.Context) (map[string]answer, error) {
	oc := graphql.GetOperationContext(ctx)
	roots := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
	st, err := e.mapping.Compile(oc, roots, e.limits)
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
	answers := make(map[string]answer, len(st.Roots))
	for _, root := range st.Roots {
		v, _ := recs[0].Get(root.Column)
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", root.Key, err)
		}
		answers[root.Key] = answer{raw: raw, single: root.Single, typeName: root.Type}
	}
	return answers, nil
}
