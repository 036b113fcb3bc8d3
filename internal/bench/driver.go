package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	neo4jdriver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/companygraph/companygraph/internal/neo4j"
)

// Target is a system under test.
type Target interface {
	Name() string
	// Do sends request i of op and reports whether it succeeded.
	Do(ctx context.Context, op *Op, i int) error
	// Answer sends request i of op and returns the decoded answer, to
	// check that the systems agree.
	Answer(ctx context.Context, op *Op, i int) (any, error)
	// Supports tells whether the system can answer op at all.
	Supports(op *Op) bool
}

// Result is one system's measurement of one operation at one concurrency.
type Result struct {
	System, Op string
	// Concurrency is the measurement's; Clients how many sent requests,
	// fewer for a write (see clients).
	Concurrency, Clients int
	Requests             int
	Errors               int
	FirstError           string
	Elapsed              time.Duration
	latencies            []time.Duration
	CPU                  CPU // used during the measured time
}

// RPS is completed requests per second.
func (r *Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Quantile is the latency below which q of the requests finished.
func (r *Result) Quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(q * float64(len(r.latencies)))
	return r.latencies[min(i, len(r.latencies)-1)]
}

// merge adds another slice of the same measurement.
func (r *Result) merge(o *Result) {
	r.Requests += o.Requests
	r.Errors += o.Errors
	if r.FirstError == "" {
		r.FirstError = o.FirstError
	}
	r.Elapsed += o.Elapsed
	r.latencies = append(r.latencies, o.latencies...)
	slices.Sort(r.latencies)
	r.CPU = r.CPU.add(o.CPU)
}

// drive runs a closed loop: conc workers, each sending its next request as
// soon as the last one is answered, for warmup and then for dur. Requests
// are taken in turn from op's parameter sets, starting at the same place
// for every system. What counts is what is answered inside the measured
// window, so a request slower than the window still shows, as long as it
// ends in it; requests still in flight when it closes are waited for but
// not counted.
func drive(ctx context.Context, t Target, op *Op, conc int, warmup, dur time.Duration, w *watcher) *Result {
	res := &Result{System: t.Name(), Op: op.Key, Concurrency: conc, Clients: conc}
	var next atomic.Uint64
	var open, closed atomic.Bool
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			errs, firstErr := 0, ""
			for !closed.Load() {
				i := int(next.Add(1)-1) % len(op.Params)
				start := time.Now()
				rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				err := t.Do(rctx, op, i)
				cancel()
				took := time.Since(start)
				if !open.Load() || closed.Load() {
					continue
				}
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
					continue
				}
				lat = append(lat, took)
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.Errors += errs
			if res.FirstError == "" {
				res.FirstError = firstErr
			}
			mu.Unlock()
		}()
	}
	sleep(ctx, warmup)
	before := w.sample()
	open.Store(true)
	begin := time.Now()
	sleep(ctx, dur)
	closed.Store(true)
	res.Elapsed = time.Since(begin)
	res.CPU = w.sample().sub(before)
	wg.Wait()
	res.Requests = len(res.latencies)
	slices.Sort(res.latencies)
	return res
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// tokens hand out what makes a write's ids new: a prefix per system, the
// time the system's target was made, so that a database reused from an
// earlier run holds none of them, and a count.
type tokens struct {
	prefix string
	n      atomic.Uint64
}

func newTokens(system string) *tokens {
	return &tokens{prefix: system + strconv.FormatInt(time.Now().UnixNano(), 36)}
}

func (t *tokens) next() string { return t.prefix + "-" + strconv.FormatUint(t.n.Add(1), 10) }

// freshen returns a copy of v with freshMark replaced by token in every string.
func freshen(v any, token string) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, freshMark, token)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, y := range x {
			out[k] = freshen(y, token)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for k, y := range x {
			out[k] = freshen(y, token)
		}
		return out
	}
	return v
}

// raw runs the hand-written Cypher through the project's own Neo4j client:
// managed transactions, read or write, as the API runs its statements,
// without GraphQL.
type raw struct {
	client *neo4j.Client
	fresh  *tokens
}

func newRaw(client *neo4j.Client) raw { return raw{client: client, fresh: newTokens("raw")} }

func (raw) Name() string         { return "raw Cypher" }
func (raw) Supports(op *Op) bool { return op.Cypher != "" }

func (r raw) run(ctx context.Context, op *Op, i int) ([]*neo4jdriver.Record, error) {
	if !op.Writes {
		return r.client.ReadOne(ctx, op.Cypher, op.Params[i].Raw)
	}
	params := freshen(op.Params[i].Raw, r.fresh.next()).(map[string]any)
	out, err := r.client.Write(ctx, func(tx neo4j.Tx) (any, error) { return tx.Run(ctx, op.Cypher, params) })
	if err != nil {
		return nil, err
	}
	return out.([]*neo4jdriver.Record), nil
}

func (r raw) Do(ctx context.Context, op *Op, i int) error {
	_, err := r.run(ctx, op, i)
	return err
}

func (r raw) Answer(ctx context.Context, op *Op, i int) (any, error) {
	recs, err := r.run(ctx, op, i)
	if err != nil {
		return nil, err
	}
	rows := make([]any, len(recs))
	for n, rec := range recs {
		rows[n] = rec.AsMap()
	}
	// Through JSON, so every system's answer has the same Go types.
	b, err := json.Marshal(map[string]any{"rows": rows})
	if err != nil {
		return nil, err
	}
	var v any
	return v, json.Unmarshal(b, &v)
}

// graphQL posts documents to a GraphQL endpoint over HTTP/1.1 keep-alive
// connections, one per worker. Bodies are encoded once, before the clock
// starts; a write's only has its token put in for each request.
type graphQL struct {
	name   string
	url    string
	client *http.Client
	doc    func(*Op) string
	vars   func(Params) map[string]any
	bodies map[string][][]byte
	fresh  *tokens
	// auth is the Authorization header of writes, "" for none.
	auth string
}

// newGraphQL makes the target; prefix starts the tokens of its writes.
func newGraphQL(name, prefix, url string, conc int, ops []*Op, doc func(*Op) string, vars func(Params) map[string]any) (*graphQL, error) {
	g := &graphQL{name: name, url: url, doc: doc, vars: vars, bodies: map[string][][]byte{}, fresh: newTokens(prefix),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc, DisableCompression: true}}}
	for _, op := range ops {
		if doc(op) == "" {
			continue
		}
		for _, p := range op.Params {
			b, err := json.Marshal(map[string]any{"query": doc(op), "variables": vars(p)})
			if err != nil {
				return nil, fmt.Errorf("encode %s request: %w", op.Key, err)
			}
			g.bodies[op.Key] = append(g.bodies[op.Key], b)
		}
	}
	return g, nil
}

func (g *graphQL) Name() string         { return g.name }
func (g *graphQL) Supports(op *Op) bool { return g.doc(op) != "" }

var (
	errorsKey = []byte(`"errors":`)
	freshKey  = []byte(freshMark)
)

func (g *graphQL) post(ctx context.Context, op *Op, i int) ([]byte, error) {
	sent := g.bodies[op.Key][i]
	if op.Writes {
		sent = bytes.ReplaceAll(sent, freshKey, []byte(g.fresh.next()))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(sent))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if op.Writes && g.auth != "" {
		req.Header.Set("Authorization", g.auth)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
	}
	// Both servers put errors first; a body without the key has none.
	if bytes.Contains(body, errorsKey) {
		return nil, fmt.Errorf("GraphQL errors: %.300s", body)
	}
	return body, nil
}

func (g *graphQL) Do(ctx context.Context, op *Op, i int) error {
	_, err := g.post(ctx, op, i)
	return err
}

func (g *graphQL) Answer(ctx context.Context, op *Op, i int) (any, error) {
	body, err := g.post(ctx, op, i)
	if err != nil {
		return nil, err
	}
	var resp struct{ Data any }
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	if resp.Data == nil {
		return nil, errors.New("no data")
	}
	return resp.Data, nil
}
