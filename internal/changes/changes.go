// Package changes records what every write does to the graph and serves
// it back, as a feed to page through and as live subscriptions.
//
// A write reports the nodes and relationships it touched; before its
// transaction commits, they become Change nodes in Neo4j (an outbox),
// numbered by one counter that every writing transaction locks. So the
// numbers follow commit order with no gaps: a change is in the outbox if
// and only if its write committed, and a reader that has seen change n
// knows change n+1 is the next one. After the commit the changes are
// published to the subscribers of this process (and, with a Bus, of every
// process). A subscriber delivers them in order, skips any it has
// delivered, and reads any it missed from the outbox, so a subscription
// that resumes from a cursor gets every change after it exactly once.
// With a Bus, the bus delivers at least once what was published, and each
// process sweeps the outbox for what was never published (sweep.go).
package changes

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/kg"
	"github.com/companygraph/companygraph/internal/neo4j"
)

// Op is what a write did to a node or relationship.
type Op string

const (
	Created Op = "CREATED"
	Updated Op = "UPDATED"
	Deleted Op = "DELETED"
)

// MarshalGQL writes the enum value.
func (o Op) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(o))) }

// UnmarshalGQL reads an enum value.
func (o *Op) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch Op(s) {
	case Created, Updated, Deleted:
		*o = Op(s)
		return nil
	}
	return apierror.New(apierror.BadInput, "%v is not a ChangeOp", v)
}

// Item is one node or relationship a write touched, as the write reports
// it: a node by its id, a relationship by its ends, type and key.
type Item struct {
	Op Op
	// ID is the node's id; empty for a relationship.
	ID string
	// Edge names the relationship; zero for a node.
	Edge kg.EdgeRef
	// Source is the source whose facts an ingest wrote.
	Source string
}

// Node is a change of the node with id.
func Node(op Op, id string) Item { return Item{Op: op, ID: id} }

// Edge is a change of the relationship ref names.
func Edge(op Op, ref kg.EdgeRef) Item { return Item{Op: op, Edge: ref} }

func (i Item) isEdge() bool { return i.ID == "" }

// Change is one recorded change: what happened to which node or
// relationship, when, by whom, and the node or relationship as the write
// left it (as it was, for a deletion).
type Change struct {
	Seq int64
	Op  Op
	// Type is the node's GraphQL type or the relationship's type.
	Type string
	// ID is the node's id or the relationship's kg.EdgeID.
	ID     string
	At     string
	By     string
	Node   *kg.Node
	Edge   *kg.Edge
	Source *string
}

// roles are the types a node's change is of: a change of an organisation
// that is a Company and a Partner is one of either.
func (c *Change) roles() []string {
	if c.Node == nil {
		return nil
	}
	return c.Node.Roles
}

// Cursor is the change's place in the feed, for after.
func (c *Change) Cursor() string { return strconv.FormatInt(c.Seq, 10) }

// parseCursor reads a cursor; the empty string is the start of the feed.
func parseCursor(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, apierror.New(apierror.BadInput, "after: %q is not a change cursor", s)
	}
	return n, nil
}

// Options configure a Log.
type Options struct {
	// Retention is how long changes are kept; older cursors are expired.
	Retention time.Duration
	// Buffer is how many changes a subscriber may fall behind the writes
	// before its subscription ends with SLOW_CONSUMER.
	Buffer int
	// MaxSubscriptions bounds the live subscriptions of this process, and
	// MaxPerConnection those of one WebSocket connection.
	MaxSubscriptions, MaxPerConnection int
	// Timeout bounds each read of the outbox.
	Timeout time.Duration
	// Bus carries changes to and from the other processes serving the
	// graph; nil keeps them in this process.
	Bus Bus
	// SweepEvery is how often Sweep reads the outbox's head, and
	// SweepGrace how long a change may go unheard on the bus after that
	// before it is published again (sweep.go).
	SweepEvery, SweepGrace time.Duration
	// Republished counts the changes a sweep published again, and
	// PublishFailed the publishes to the bus that failed; either may be nil.
	Republished   func(n int)
	PublishFailed func()
	// Logger tells of the bus failing and of sweeps; nil logs nothing.
	Logger *slog.Logger
	// Fail tells a subscriber why its subscription ends (the transport's
	// way of sending an error after the first event).
	Fail func(ctx context.Context, err error)
	// Off records nothing: writes run without the outbox's two statements,
	// and the feed and subscriptions see no new changes.
	Off bool
}

// Bus carries changes between the processes serving one graph. Publish
// sends what a commit recorded; every process's Listen hears it, its own
// included, possibly twice, possibly out of order.
type Bus interface {
	Publish(ctx context.Context, changes []Change) error
	Listen(deliver func([]Change)) (stop func(), err error)
}

// Log is the outbox and its subscribers.
type Log struct {
	client *neo4j.Client
	graph  *kg.Graph
	o      Options
	hub    hub
	live   atomic.Int64
	// heard is what the bus has brought, for the sweeper.
	heard heard
	// busFailing says the last publish to the bus failed, so that an
	// outage is logged when it starts and when it ends, not per write.
	busFailing atomic.Bool
}

// New returns the Log over client; graph reads what changes record.
func New(client *neo4j.Client, graph *kg.Graph, o Options) *Log {
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.Buffer <= 0 {
		o.Buffer = 1000
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.SweepEvery <= 0 {
		o.SweepEvery = time.Second
	}
	if o.SweepGrace <= 0 {
		o.SweepGrace = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Log{client: client, graph: graph, o: o, hub: hub{subs: map[*listener]struct{}{}}, heard: heard{above: map[int64]struct{}{}}}
}

// counter names the one ChangeLog node, which holds the last number given
// and the last one pruned.
const counter = "changes"

// Prepare creates the outbox's constraints: one counter, unique numbers
// (whose index serves the feed's order).
func (l *Log) Prepare(ctx context.Context) error {
	for _, c := range []string{
		"CREATE CONSTRAINT change_log_name IF NOT EXISTS FOR (n:ChangeLog) REQUIRE n.name IS UNIQUE",
		"CREATE CONSTRAINT change_seq IF NOT EXISTS FOR (c:Change) REQUIRE c.seq IS UNIQUE",
		"CREATE INDEX change_at IF NOT EXISTS FOR (c:Change) ON (c.at)",
	} {
		if err := l.client.AutoCommit(ctx, c, nil); err != nil {
			return fmt.Errorf("changes schema: %w", err)
		}
	}
	// A write that meets an index still populating waits for it, past
	// its deadline on a busy database: the API is ready once they are up.
	for _, name := range []string{"change_log_name", "change_seq", "change_at"} {
		if err := l.client.AutoCommit(ctx, "CALL db.awaitIndex($name, $seconds)", map[string]any{"name": name, "seconds": int64(l.o.Timeout.Seconds()) + 60}); err != nil {
			return fmt.Errorf("changes schema: index %s: %w", name, err)
		}
	}
	return nil
}

// Recorder collects what one write transaction touched.
type Recorder struct {
	l     *Log
	tx    neo4j.Tx
	items []Item
	// gone are the changes of deletions, read before the deletion.
	gone []Change
}

// Touched reports items the write created or updated. They are read as
// the write leaves them when the transaction is about to commit.
func (r *Recorder) Touched(items ...Item) { r.items = append(r.items, items...) }

// Deleting reports items the write is about to delete, and reads them as
// they are now; call it before the statement that deletes them.
func (r *Recorder) Deleting(ctx context.Context, items ...Item) error {
	if r.l.o.Off {
		return nil
	}
	cs, err := r.l.snapshot(ctx, r.tx, items)
	if err != nil {
		return err
	}
	r.gone = append(r.gone, cs...)
	return nil
}

// Write runs work in one write transaction, as neo4j.Client.Write does,
// and records what work reports in that same transaction; once it has
// committed, the changes are published. who is the writing principal.
func (l *Log) Write(ctx context.Context, who string, work func(tx neo4j.Tx, rec *Recorder) (any, error)) (any, error) {
	var recorded []Change
	out, err := l.client.Write(ctx, func(tx neo4j.Tx) (any, error) {
		// The driver may run the function again after a transient
		// failure: nothing of an earlier attempt is kept.
		rec := &Recorder{l: l, tx: tx}
		out, err := work(tx, rec)
		if err != nil || l.o.Off {
			return out, err
		}
		touched, err := l.snapshot(ctx, tx, rec.items)
		if err != nil {
			return nil, err
		}
		if recorded, err = l.append(ctx, tx, who, append(touched, rec.gone...)); err != nil {
			return nil, err
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	l.publish(ctx, recorded)
	return out, nil
}

// snapshot turns items into changes, reading each node and relationship
// as it is now. One item per node or relationship: the first op reported
// stands, so a node created and then updated in one write is created.
func (l *Log) snapshot(ctx context.Context, tx neo4j.Tx, items []Item) ([]Change, error) {
	if len(items) == 0 {
		return nil, nil
	}
	var ids []string
	var refs []kg.EdgeRef
	seen := map[Item]bool{}
	var kept []Item
	for _, it := range items {
		key := Item{ID: it.ID, Edge: it.Edge}
		if seen[key] {
			continue
		}
		seen[key] = true
		kept = append(kept, it)
		if it.isEdge() {
			refs = append(refs, it.Edge)
		} else {
			ids = append(ids, it.ID)
		}
	}
	nodes, edges, err := l.graph.Snapshot(ctx, tx, ids, refs)
	if err != nil {
		return nil, err
	}
	out := make([]Change, 0, len(kept))
	for _, it := range kept {
		c := Change{Op: it.Op}
		if it.Source != "" {
			src := it.Source
			c.Source = &src
		}
		if it.isEdge() {
			e, ok := edges[it.Edge]
			if !ok {
				continue
			}
			c.Type, c.ID, c.Edge = e.Type, e.ID, &e
		} else {
			n, ok := nodes[it.ID]
			if !ok {
				continue
			}
			c.Type, c.ID, c.Node = n.Type, n.ID, &n
		}
		out = append(out, c)
	}
	return out, nil
}

// appendCypher numbers the changes and writes them. The counter is locked
// (the SET of a dummy property) before it is read, so that two writes
// never read the same number: the second waits for the first to commit.
const appendCypher = `MERGE (log:ChangeLog {name: $name}) ON CREATE SET log.seq = 0, log.pruned = 0
SET log.locked = true
WITH log, log.seq AS base
SET log.seq = base + size($changes)
REMOVE log.locked
WITH base
UNWIND range(0, size($changes) - 1) AS i
WITH base + i + 1 AS seq, $changes[i] AS c
CREATE (x:Change {seq: seq, op: c.op, type: c.type, roles: c.roles, of: c.id, from: c.from, to: c.to, at: datetime(), by: $who,
  source: c.source, node: c.node, edge: c.edge})
RETURN seq, toString(x.at) AS at ORDER BY seq`

// append writes changes to the outbox in tx and returns them numbered.
func (l *Log) append(ctx context.Context, tx neo4j.Tx, who string, changes []Change) ([]Change, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	rows := make([]any, len(changes))
	for i, c := range changes {
		row := map[string]any{"op": string(c.Op), "type": c.Type, "id": c.ID, "roles": c.roles()}
		if c.Source != nil {
			row["source"] = *c.Source
		}
		var err error
		var raw []byte
		if c.Edge != nil {
			row["from"], row["to"] = c.Edge.From, c.Edge.To
			raw, err = json.Marshal(c.Edge)
			row["edge"] = string(raw)
		} else {
			raw, err = json.Marshal(c.Node)
			row["node"] = string(raw)
		}
		if err != nil {
			return nil, fmt.Errorf("record change of %s: %w", c.ID, err)
		}
		rows[i] = row
	}
	recs, err := tx.Run(ctx, appendCypher, map[string]any{"name": counter, "changes": rows, "who": who})
	if err != nil {
		return nil, fmt.Errorf("record changes: %w", err)
	}
	if len(recs) != len(changes) {
		return nil, fmt.Errorf("record changes: %d numbered, want %d", len(recs), len(changes))
	}
	out := make([]Change, len(changes))
	for i, rec := range recs {
		c := changes[i]
		seq, _ := rec.Get("seq")
		at, _ := rec.Get("at")
		c.Seq, _ = seq.(int64)
		c.At, _ = at.(string)
		c.By = who
		out[i] = c
	}
	return out, nil
}

// publish hands committed changes to the subscribers: through the bus, or
// straight to this process's when there is none. A failure to publish
// loses nothing and fails no write (it has committed): this process's
// subscribers get the changes straight away, a subscriber elsewhere that
// sees a later change reads the ones it missed from the outbox, and the
// sweepers publish them again once the bus is back.
func (l *Log) publish(ctx context.Context, cs []Change) {
	if len(cs) == 0 {
		return
	}
	if l.o.Bus != nil {
		err := l.o.Bus.Publish(context.WithoutCancel(ctx), cs)
		if err == nil {
			if l.busFailing.CompareAndSwap(true, false) {
				l.o.Logger.Info("publishing changes to the bus again")
			}
			return
		}
		if l.o.PublishFailed != nil {
			l.o.PublishFailed()
		}
		if l.busFailing.CompareAndSwap(false, true) {
			l.o.Logger.Warn("publishing changes to the bus failed; the writes have committed, this process's subscribers get them now "+
				"and the other processes' once the bus is back and a sweeper publishes them again", "err", err, "first", cs[0].Seq, "last", cs[len(cs)-1].Seq)
		}
	}
	l.hub.publish(cs)
}

// pruneCypher deletes a batch of the changes older than the retention and
// moves the counter's pruned mark past them, so that a cursor before it is
// known to be expired.
const pruneCypher = `MATCH (c:Change) WHERE c.at < datetime() - duration({seconds: $keep})
WITH c ORDER BY c.seq LIMIT $batch
WITH collect(c) AS old, max(c.seq) AS top
MATCH (log:ChangeLog {name: $name})
SET log.pruned = CASE WHEN top > log.pruned THEN top ELSE log.pruned END
FOREACH (c IN old | DELETE c)
RETURN size(old) AS pruned`

// pruneBatch is how many changes one prune transaction deletes.
const pruneBatch = 10_000

// Prune deletes the changes older than the retention and returns how many.
func (l *Log) Prune(ctx context.Context) (int64, error) {
	var total int64
	for {
		out, err := l.client.Write(ctx, func(tx neo4j.Tx) (any, error) {
			recs, err := tx.Run(ctx, pruneCypher, map[string]any{
				"keep": int64(l.o.Retention / time.Second), "batch": int64(pruneBatch), "name": counter,
			})
			if err != nil || len(recs) == 0 {
				return int64(0), err
			}
			n, _ := recs[0].Get("pruned")
			return n, nil
		})
		if err != nil {
			return total, fmt.Errorf("prune changes: %w", err)
		}
		n, _ := out.(int64)
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}

// Run prunes the outbox now and then until ctx ends.
func (l *Log) Run(ctx context.Context, log func(error)) {
	every := min(l.o.Retention/10, time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := l.Prune(ctx); err != nil && ctx.Err() == nil {
				log(err)
			}
		}
	}
}
