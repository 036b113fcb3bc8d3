package datagen

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

// LoadOptions tune a load.
type LoadOptions struct {
	// Batch is the number of rows one UNWIND statement, in one write
	// transaction, carries (default 10000).
	Batch int
	// Workers is the number of write transactions in flight (default 2).
	Workers int
	// Progress, if set, hears about each finished label or relationship kind.
	Progress func(what string, rows int, took time.Duration)
}

// LoadStats says what a load wrote and how long each phase took.
type LoadStats struct {
	Nodes, Relationships      int
	Schema, NodeTime, RelTime time.Duration
	Total                     time.Duration
	// Batches counts write transactions; Retries, those the driver ran
	// again after a transient failure such as a deadlock between workers.
	Batches, Retries int
}

// Load writes g into an empty database: the schema (constraints and the
// full-text index, the API's own, through EnsureSchema), then the nodes of
// each label, then the relationships, each as batched UNWIND statements in
// write transactions. It creates rather than merges, which is what makes
// a million nodes load in minutes; so it refuses a database that holds
// anything, where a second load would duplicate. A failed load is
// repeated on a fresh database. Labels and types are checked against the
// API's mapping, so the graph is one the API can read.
func Load(ctx context.Context, client *neo4j.Client, m *query.Mapping, g *Graph, o LoadOptions) (LoadStats, error) {
	if o.Batch <= 0 {
		o.Batch = 10_000
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	var st LoadStats
	start := time.Now()
	sets := g.RelSets()
	if err := checkMapping(m, sets); err != nil {
		return st, fmt.Errorf("load: %w", err)
	}
	recs, err := client.ReadOne(ctx, "MATCH (n) RETURN count(n) AS n", nil)
	if err != nil {
		return st, fmt.Errorf("load: count nodes: %w", err)
	}
	if n, _ := recs[0].Values[0].(int64); n > 0 {
		return st, fmt.Errorf("load: the database already holds %d nodes; load into an empty one (a fresh NEO4J_DIR)", n)
	}
	// The schema comes first, on the empty database, so the indexes grow
	// with the nodes. Built afterwards over a million nodes, the full-text
	// index can take longer to come online than EnsureSchema waits.
	t := time.Now()
	if err := client.EnsureSchema(ctx, query.NodeLabel, m.Labels(), m.Groups(), m.FullTextIndexes()...); err != nil {
		return st, fmt.Errorf("load: %w", err)
	}
	st.Schema = time.Since(t)

	w := newWriter(ctx, client, o.Workers)
	t = time.Now()
	for k := range numKinds {
		kt := time.Now()
		stmt := fmt.Sprintf("UNWIND $rows AS row CREATE (n:`%s`) SET n = row", strings.Join(append(m.NodeLabels(k.Label()), query.NodeLabel), "`:`"))
		rows := make([]any, 0, o.Batch)
		for i := range g.count[k] {
			rows = append(rows, g.node(k, i))
			if len(rows) == o.Batch {
				w.send(stmt, rows)
				rows = make([]any, 0, o.Batch)
			}
		}
		w.send(stmt, rows)
		// Relationships look their ends up by id; every node must be in first.
		if err := w.wait(); err != nil {
			return st, fmt.Errorf("load %s nodes: %w", k.Label(), err)
		}
		st.Nodes += g.count[k]
		if o.Progress != nil {
			o.Progress(k.Label()+" nodes", g.count[k], time.Since(kt))
		}
	}
	st.NodeTime = time.Since(t)

	t = time.Now()
	for _, s := range sets {
		kt := time.Now()
		stmt := fmt.Sprintf("UNWIND $rows AS row MATCH (a:`%s` {id: row.f}) MATCH (b:`%s` {id: row.t}) CREATE (a)-[r:`%s`]->(b) SET r = row.p",
			s.From.Label(), s.To.Label(), s.Type)
		rows := make([]any, 0, o.Batch)
		n := 0
		for i := range g.count[s.Owner] {
			g.Rels(s, i, func(from, to string, props map[string]any) {
				rows = append(rows, map[string]any{"f": from, "t": to, "p": props})
				n++
				if len(rows) == o.Batch {
					w.send(stmt, rows)
					rows = make([]any, 0, o.Batch)
				}
			})
		}
		w.send(stmt, rows)
		st.Relationships += n
		if o.Progress != nil {
			// Without waiting the kinds overlap; the time is when the
			// last batch of this kind was handed over.
			o.Progress(fmt.Sprintf("(%s)-[:%s]->(%s)", s.From.Label(), s.Type, s.To.Label()), n, time.Since(kt))
		}
	}
	if err := w.finish(); err != nil {
		return st, fmt.Errorf("load relationships: %w", err)
	}
	st.RelTime = time.Since(t)
	st.Batches, st.Retries = w.batches, w.retries
	st.Total = time.Since(start)
	return st, nil
}

// writer runs write transactions on a fixed number of workers.
type writer struct {
	ctx     context.Context
	client  *neo4j.Client
	jobs    chan job
	wg      sync.WaitGroup
	mu      sync.Mutex
	err     error
	batches int
	retries int
	workers int
}

type job struct {
	stmt string
	rows []any
}

func newWriter(ctx context.Context, client *neo4j.Client, workers int) *writer {
	w := &writer{ctx: ctx, client: client, workers: workers}
	w.start()
	return w
}

func (w *writer) start() {
	w.jobs = make(chan job, w.workers)
	for range w.workers {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for j := range w.jobs {
				if w.failed() {
					continue
				}
				tries := 0
				_, err := w.client.Write(w.ctx, func(tx neo4j.Tx) (any, error) {
					tries++
					return tx.Run(w.ctx, j.stmt, map[string]any{"rows": j.rows})
				})
				w.mu.Lock()
				w.batches++
				w.retries += tries - 1
				if err != nil && w.err == nil {
					w.err = err
				}
				w.mu.Unlock()
			}
		}()
	}
}

func (w *writer) failed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err != nil
}

func (w *writer) send(stmt string, rows []any) {
	if len(rows) > 0 {
		w.jobs <- job{stmt, rows}
	}
}

// wait lets every sent batch finish, then takes new batches again.
func (w *writer) wait() error {
	if err := w.finish(); err != nil {
		return err
	}
	w.start()
	return nil
}

// finish lets every sent batch finish and stops the workers.
func (w *writer) finish() error {
	close(w.jobs)
	w.wg.Wait()
	w.mu.Lock()
	err := w.err
	w.mu.Unlock()
	if err == nil && w.ctx.Err() != nil {
		err = w.ctx.Err()
	}
	return err
}
