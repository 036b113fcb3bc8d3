// Package mutation runs the generated mutations: create, update and delete
// of nodes with their relationships, and the batch ingest of facts. Each
// runs in one write transaction (all of it or none), checks everything it
// can before writing, records who wrote and when, and returns the nodes it
// wrote projected exactly as a query would project them.
package mutation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

// Options configure a Writer.
type Options struct {
	Timeout time.Duration
	Limits  query.Limits
	// MaxBatch bounds the items of one create and the facts of one ingest.
	MaxBatch int
	// Types makes an empty model of each @node type, by GraphQL type name.
	Types map[string]func() any
}

// Writer runs mutations against Neo4j.
type Writer struct {
	m      *query.Mapping
	client *neo4j.Client
	o      Options
}

// New returns a Writer over the mapping of the served schema.
func New(m *query.Mapping, client *neo4j.Client, o Options) *Writer {
	return &Writer{m: m, client: client, o: o}
}

// Run answers the calling mutation field, which @write says how to run.
func Run[T any](ctx context.Context, w *Writer) (T, error) {
	var zero T
	fc := graphql.GetFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	d := fc.Field.Definition.Directives.ForName("write")
	if d == nil {
		return zero, fmt.Errorf("mutation %s has no @write", fc.Field.Name)
	}
	p, ok := auth.FromContext(ctx)
	if !ok {
		// @auth has run before; a write without a principal is a bug.
		return zero, fmt.Errorf("mutation %s without a principal", fc.Field.Name)
	}
	req := &request{
		w: w, oc: oc, typeName: d.Arguments.ForName("type").Value.Raw,
		args: fc.Field.ArgumentMap(oc.Variables), sel: fc.Field.Selections, who: p.Name,
	}
	ctx, cancel := context.WithTimeout(ctx, w.o.Timeout)
	defer cancel()
	var raw json.RawMessage
	var err error
	switch op := d.Arguments.ForName("op").Value.Raw; op {
	case "CREATE":
		raw, err = req.create(ctx)
	case "UPDATE":
		raw, err = req.update(ctx)
	case "DELETE":
		raw, err = req.delete(ctx)
	case "INGEST":
		raw, err = req.ingest(ctx)
	default:
		err = fmt.Errorf("unknown write %s", op)
	}
	if err != nil {
		return zero, report(ctx, err)
	}
	return query.Decode[T](raw, w.o.Types)
}

// request is one mutation being run.
type request struct {
	w        *Writer
	oc       *graphql.OperationContext
	typeName string
	args     map[string]any
	sel      ast.SelectionSet
	who      string
}

// invalid collects every problem with the input, so a client learns of all
// of them at once.
type invalid []*apierror.Error

func (v invalid) Error() string { return fmt.Sprintf("%d invalid inputs", len(v)) }

func (v *invalid) add(path string, index int, format string, args ...any) {
	e := apierror.New(apierror.BadInput, "%s: %s", path, fmt.Sprintf(format, args...))
	e.Fields = map[string]any{"field": path}
	if index >= 0 {
		e.Fields["index"] = index
	}
	*v = append(*v, e)
}

// report adds all but the last of a list of invalid inputs to the response
// and returns the last, so each appears as its own coded error.
func report(ctx context.Context, err error) error {
	var list invalid
	if !errors.As(err, &list) || len(list) == 0 {
		return err
	}
	for _, e := range list[:len(list)-1] {
		graphql.AddError(ctx, e)
	}
	return list[len(list)-1]
}

// project returns the nodes of the request's type with these ids, as the
// selection asks, read in the same transaction as the write.
func (r *request) project(ctx context.Context, tx neo4j.Tx, ids []string) (json.RawMessage, error) {
	st, err := r.w.m.NodesByID(r.oc, r.typeName, r.sel, r.w.o.Limits)
	if err != nil {
		return nil, err
	}
	st.Params["ids"] = ids
	recs, err := tx.Run(ctx, st.Cypher, st.Params)
	if err != nil {
		return nil, fmt.Errorf("read back %s: %w", r.typeName, err)
	}
	v, _ := recs[0].Get("nodes")
	return json.Marshal(v)
}

// existing returns which of the ids exist, under which label, looked up
// through the one unique index of the label all nodes share.
func (r *request) existing(ctx context.Context, tx neo4j.Tx, ids []string) (map[string]string, error) {
	found := map[string]string{}
	if len(ids) == 0 {
		return found, nil
	}
	recs, err := tx.Run(ctx, "MATCH (n:`"+query.NodeLabel+"`) WHERE n.id IN $ids RETURN n.id, [l IN labels(n) WHERE l IN $labels][0]",
		map[string]any{"ids": ids, "labels": r.w.m.Labels()})
	if err != nil {
		return nil, fmt.Errorf("look up ids: %w", err)
	}
	for _, rec := range recs {
		found[rec.Values[0].(string)], _ = rec.Values[1].(string)
	}
	return found, nil
}
