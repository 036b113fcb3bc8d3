// Package mutation runs the generated mutations: create, update and delete
// of nodes with their relationships, and the batch ingest of facts. Each
// runs in one write transaction (all of it or none), checks everything it
// can before writing, records who wrote and when and, in the same
// transaction, the changes it made (internal/changes), and returns the
// nodes it wrote projected exactly as a query would project them.
package mutation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/changes"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

// Options configure a Writer.
type Options struct {
	Timeout time.Duration
	Limits  query.Limits
	// MaxBatch bounds the items of one create and the facts of one ingest.
	MaxBatch int
	// Extractor reads articles for ingestArticle; nil answers
	// EXTRACTOR_UNAVAILABLE. MaxArticleBytes bounds an article's text,
	// MaxArticles the articles of one ingestArticles.
	Extractor       Extractor
	MaxArticleBytes int
	MaxArticles     int
	// Reads runs the reads that come before any write: which articles of
	// an ingestArticles the graph holds already.
	Reads Reader
}

// Reader runs one read statement on its own (neo4j.Client does).
type Reader interface {
	ReadOne(ctx context.Context, cypher string, params map[string]any) ([]*driver.Record, error)
}

// Writer runs mutations against Neo4j.
type Writer struct {
	m   *query.Mapping
	log *changes.Log
	o   Options
}

// New returns a Writer over the mapping of the served schema, whose
// transactions log runs and records.
func New(m *query.Mapping, log *changes.Log, o Options) *Writer {
	return &Writer{m: m, log: log, o: o}
}

// Write runs a mutation field, which @write says how to run, with its
// arguments as the engine coerced them. The nodes it writes are read back
// in the same transaction, projected as the field's selection asks.
func (w *Writer) Write(ctx context.Context, call query.Write) (any, *query.Selection, error) {
	d := call.Field.Directives.ForName("write")
	if d == nil {
		return nil, nil, fmt.Errorf("mutation %s has no @write", call.Field.Name)
	}
	p, ok := auth.FromContext(ctx)
	if !ok {
		// @auth has been checked before; a write without a principal is a bug.
		return nil, nil, fmt.Errorf("mutation %s without a principal", call.Field.Name)
	}
	req := &request{
		w: w, oc: call.Operation, typeName: d.Arguments.ForName("type").Value.Raw,
		args: call.Args, sel: call.Selections, who: p.Name,
	}
	op := d.Arguments.ForName("op").Value.Raw
	switch op {
	case "ARTICLE":
		// Reading the article comes first, bounded by the extractor's
		// own timeout; the write after it has the deadline of any write.
		src, _ := call.Args["source"].(map[string]any)
		dryRun, _ := call.Args["dryRun"].(bool)
		v, err := req.article(ctx, src, dryRun)
		if err != nil {
			return nil, nil, err
		}
		return v, nil, nil
	case "ARTICLES":
		// Each article as ARTICLE, with its own deadlines.
		v, err := req.articles(ctx)
		return v, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, w.o.Timeout)
	defer cancel()
	switch op {
	case "CREATE":
		return req.create(ctx)
	case "UPDATE":
		return req.update(ctx)
	case "DELETE":
		v, err := req.delete(ctx)
		return v, nil, err
	case "INGEST":
		v, err := req.ingest(ctx)
		return v, nil, err
	default:
		return nil, nil, fmt.Errorf("unknown write %s", op)
	}
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

// Unwrap lets the engine report each invalid input as its own coded error.
func (v invalid) Unwrap() []error {
	out := make([]error, len(v))
	for i, e := range v {
		out[i] = e
	}
	return out
}

func (v *invalid) add(path string, index int, format string, args ...any) {
	e := apierror.New(apierror.BadInput, "%s: %s", path, fmt.Sprintf(format, args...))
	e.Fields = map[string]any{"field": path}
	if index >= 0 {
		e.Fields["index"] = index
	}
	*v = append(*v, e)
}

// projection is the written nodes as the selection asks for them.
type projection struct {
	nodes any
	sel   *query.Selection
}

// project returns the nodes of the request's type with these ids, as the
// selection asks, read in the same transaction as the write.
func (r *request) project(ctx context.Context, tx neo4j.Tx, ids []string) (projection, error) {
	st, sel, err := r.w.m.NodesByID(r.oc, r.typeName, r.sel, r.w.o.Limits)
	if err != nil {
		return projection{}, err
	}
	st.Params["ids"] = ids
	recs, err := tx.Run(ctx, st.Cypher, st.Params)
	if err != nil {
		return projection{}, fmt.Errorf("read back %s: %w", r.typeName, err)
	}
	v, _ := recs[0].Get("nodes")
	return projection{nodes: v, sel: sel}, nil
}

// existing returns which of the ids exist, with the labels of the types
// each answers as (sorted; two for an organisation that is a Company and a
// Partner), looked up through the one unique index of the label all nodes
// share.
func (r *request) existing(ctx context.Context, tx neo4j.Tx, ids []string) (map[string]labels, error) {
	found := map[string]labels{}
	if len(ids) == 0 {
		return found, nil
	}
	recs, err := tx.Run(ctx, "MATCH (n:`"+query.NodeLabel+"`) WHERE n.id IN $ids RETURN n.id, [l IN $labels WHERE l IN labels(n)]",
		map[string]any{"ids": ids, "labels": r.w.m.Labels()})
	if err != nil {
		return nil, fmt.Errorf("look up ids: %w", err)
	}
	for _, rec := range recs {
		var ls labels
		for _, l := range rec.Values[1].([]any) {
			ls = append(ls, l.(string))
		}
		found[rec.Values[0].(string)] = ls
	}
	return found, nil
}

// provenance reads how the evidence in m (a fact, an EvidenceInput) was
// obtained: its method, MANUAL unless it says, and its confidence, 1
// unless it says, which an EXTRACTED one must, from 0 to 1.
func provenance(m map[string]any, at string, index int, bad *invalid) (string, float64) {
	method, _ := m["method"].(string)
	if method == "" {
		method = query.DefaultMethod
	}
	c, given := m["confidence"].(float64)
	if n, ok := m["confidence"].(int64); ok {
		c, given = float64(n), true
	}
	switch {
	case !given && method == "EXTRACTED":
		bad.add(at+".confidence", index, "an EXTRACTED fact needs its confidence, from 0 to 1")
	case !given:
		c = query.DefaultConfidence
	case c < 0 || c > 1:
		bad.add(at+".confidence", index, "confidence must be from 0 to 1, got %v", c)
	}
	return method, c
}

// labels are the type labels of one node, sorted.
type labels []string

func (ls labels) has(l string) bool { return slices.Contains(ls, l) }

func (ls labels) String() string { return strings.Join(ls, " and ") }
