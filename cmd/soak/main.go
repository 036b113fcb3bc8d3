// Command soak runs the API under steady load for a long time and fails
// on any error or on memory that keeps growing. It loads a generated graph
// (internal/datagen) into an empty Neo4j, starts the API binary on it with
// the seed and an API key, and has N clients send the benchmark's mixed
// workload (internal/bench) plus questions about the seed and idempotent
// writes, closed-loop, for the duration. It reports requests, errors,
// latency and the API's resident memory at the start and the end.
// `make soak` starts the Neo4j and runs it for ten minutes.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/bench"
	"github.com/companygraph/companygraph/internal/datagen"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

type config struct {
	neo4jURI, neo4jPassword string
	bin, workDir            string
	duration, warmup        time.Duration
	clients, nodes          int
	seed                    uint64
	// growth is how much the API's RSS may grow from the end of the
	// warm-up to the end, as a fraction, before the soak fails.
	growth float64
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var c config
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.StringVar(&c.neo4jURI, "neo4j-uri", os.Getenv("NEO4J_URI"), "an empty Neo4j (NEO4J_URI)")
	fs.StringVar(&c.neo4jPassword, "neo4j-password", os.Getenv("NEO4J_PASSWORD"), "its password (NEO4J_PASSWORD)")
	fs.StringVar(&c.bin, "companygraph", "bin/companygraph", "the API binary")
	fs.StringVar(&c.workDir, "work-dir", os.TempDir(), "directory for the API's log")
	fs.DurationVar(&c.duration, "duration", 10*time.Minute, "how long the clients send requests, warm-up included")
	fs.DurationVar(&c.warmup, "warmup", 30*time.Second, "the first part of the run, after which memory is the baseline")
	fs.IntVar(&c.clients, "clients", 64, "concurrent clients")
	fs.IntVar(&c.nodes, "nodes", datagen.Sizes["S"], "nodes of the generated graph")
	fs.Uint64Var(&c.seed, "seed", 1, "generator seed")
	fs.Float64Var(&c.growth, "max-rss-growth", 0.5, "largest growth of the API's RSS from the end of the warm-up to the end, as a fraction")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	if err := run(ctx, c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config, out io.Writer) error {
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	g, err := datagen.New(c.nodes, c.seed)
	if err != nil {
		return err
	}
	m, err := query.NewMapping(generated.NewExecutableSchema(generated.Config{}).Schema())
	if err != nil {
		return err
	}
	client, err := neo4j.Open(neo4j.Options{URI: c.neo4jURI, Username: "neo4j", Password: c.neo4jPassword, Database: "neo4j", RetryTime: time.Minute})
	if err != nil {
		return err
	}
	defer client.Close(context.WithoutCancel(ctx))
	st, err := datagen.Load(ctx, client, m, g, datagen.LoadOptions{})
	if err != nil {
		return fmt.Errorf("load the generated graph: %w", err)
	}
	say("loaded %d nodes and %d relationships in %s", st.Nodes, st.Relationships, st.Total.Round(time.Millisecond))

	key := make([]byte, 16)
	_, _ = rand.Read(key)
	apiKey := hex.EncodeToString(key)
	api, err := startAPI(ctx, c, apiKey)
	if err != nil {
		return err
	}
	defer api.Stop()
	say("API at %s (pid %d), seed loaded; %d clients for %s", api.Addr, api.PID(), c.clients, c.duration)

	w := newWorkload(g, apiKey)
	url := "http://" + api.Addr + "/graphql"
	if err := w.check(ctx, url); err != nil {
		return err
	}
	rssStart := bench.RSS(api.PID())

	var reqs, errs atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, c.clients)
	runCtx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.clients}, Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	for i := range c.clients {
		wg.Go(func() {
			for n := i; runCtx.Err() == nil; n += c.clients {
				req := w.request(n)
				begin := time.Now()
				err := req.do(runCtx, httpClient, url)
				if runCtx.Err() != nil {
					return // the run ended during the request: not the API's error
				}
				reqs.Add(1)
				lat[i] = append(lat[i], time.Since(begin))
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s: %v", req.name, err))
				}
			}
		})
	}
	var rssWarm int64
	rssMax := rssStart
	samples := time.NewTicker(10 * time.Second)
	defer samples.Stop()
	began := time.Now()
	warm := time.After(c.warmup)
	for done := false; !done; {
		select {
		case <-runCtx.Done():
			done = true
		case <-warm:
			rssWarm = bench.RSS(api.PID())
			say("after the %s warm-up: %d requests, %d errors, RSS %s", c.warmup, reqs.Load(), errs.Load(), mib(rssWarm))
		case <-samples.C:
			r := bench.RSS(api.PID())
			rssMax = max(rssMax, r)
			say("%6s  %8d requests  %d errors  RSS %s", time.Since(began).Round(time.Second), reqs.Load(), errs.Load(), mib(r))
		}
	}
	wg.Wait()
	elapsed := time.Since(began)
	rssEnd := bench.RSS(api.PID())
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	q := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	say("soak: %s, %d clients, %d requests (%.0f/s), %d errors, p50 %s p99 %s, API RSS start %s, after warm-up %s, end %s, max %s",
		elapsed.Round(time.Second), c.clients, reqs.Load(), float64(reqs.Load())/elapsed.Seconds(), errs.Load(),
		q(0.5).Round(100*time.Microsecond), q(0.99).Round(100*time.Microsecond), mib(rssStart), mib(rssWarm), mib(rssEnd), mib(rssMax))
	if n := errs.Load(); n > 0 {
		return fmt.Errorf("%d errors; the first: %v", n, firstErr.Load())
	}
	if rssWarm > 0 && float64(rssEnd) > float64(rssWarm)*(1+c.growth) {
		return fmt.Errorf("the API's RSS grew from %s after the warm-up to %s", mib(rssWarm), mib(rssEnd))
	}
	return nil
}

// request is one GraphQL request of the workload.
type request struct {
	name  string
	query string
	vars  map[string]any
	key   string // bearer token, for writes
}

// do sends r and fails on anything but a 200 answer without errors.
func (r request) do(ctx context.Context, c *http.Client, url string) error {
	body, _ := json.Marshal(map[string]any{"query": r.query, "variables": r.vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.key != "" {
		req.Header.Set("Authorization", "Bearer "+r.key)
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil || res.StatusCode != http.StatusOK || len(resp.Errors) > 0 || len(resp.Data) == 0 {
		return fmt.Errorf("HTTP %d: %.300s", res.StatusCode, raw)
	}
	return nil
}

// workload is the benchmark's queries over the generated graph,
// each with its parameter sets, then questions about the seed and an
// idempotent write, mixed in a fixed order.
type workload struct {
	reqs []request
}

// seedQueries ask about the seed as the README does: nested relationships
// with evidence, a connection, aggregates, search and lookup.
var seedQueries = []request{
	{name: "seed-event", query: `{ event(id: "xiaomi-us-announcement") { kind place
  executives { role title executive { name } evidence { sentence source { title } } }
  offers { expected channel product { name } } excludes { reason product { name } evidence { sentence } } } }`},
	{name: "seed-connection", query: `{ company(id: "xiaomi") { eventsConnection(first: 3, sort: [{ event: { kind: ASC } }]) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { role event { name date } evidence { sentence } } } } } }`},
	{name: "seed-aggregate", query: `{ eventsAggregate(where: { status: { eq: "occurred" } }) { count unitsSold { min max avg sum } byKind: countBy(field: kind) { value count } } }`},
	{name: "seed-search", query: `{ search(query: "Mi", types: [Product], first: 5) { score node { id ... on Product { name } } } node(id: "flipkart") { ... on Partner { name } } }`},
}

// write is the mixed workload's write: one of 16 sources, each with a
// market, ingested again and again, which ingest makes idempotent, so the
// soak can run for any time; 16 of them so that clients do not all wait
// on the locks of one node, as real writers would not.
func write(k int, apiKey string) request {
	return request{name: "write", key: apiKey, query: fmt.Sprintf(`mutation { ingest(
  source: { id: "soak-source-%[1]d", title: "Soak %[1]d", text: "Acme entered Market %[1]d." }
  facts: [{ market: { id: "soak-market-%[1]d", name: "Market %[1]d" }, sentences: ["Acme entered Market %[1]d."] }]
) { created matched unchanged } }`, k)}
}

func newWorkload(g *datagen.Graph, apiKey string) *workload {
	w := &workload{}
	var ops []*bench.Op
	for _, op := range bench.Workload(g) {
		if op.Key == "path" && op.CG == "" {
			op.CG = `query($from: ID!, $to: ID!) { path(from: $from, to: $to, maxHops: 4) { length nodes { id } } }`
		}
		// The benchmark's write grows the graph with every request; the
		// soak's own write below is idempotent, so it can run for any time.
		if op.CG != "" && !op.Writes {
			ops = append(ops, op)
		}
	}
	for i := range ops[0].Params {
		for _, op := range ops {
			w.reqs = append(w.reqs, request{name: op.Key, query: op.CG, vars: op.Params[i%len(op.Params)].CG})
		}
		if i%4 == 0 {
			w.reqs = append(w.reqs, seedQueries[(i/4)%len(seedQueries)])
		}
		if i%16 == 0 {
			w.reqs = append(w.reqs, write((i/16)%16, apiKey))
		}
	}
	return w
}

func (w *workload) request(n int) request { return w.reqs[n%len(w.reqs)] }

// check sends every distinct request once, so that a workload the API
// cannot answer fails at once rather than after ten minutes.
func (w *workload) check(ctx context.Context, url string) error {
	seen := map[string]bool{}
	for _, r := range w.reqs {
		if seen[r.name] {
			continue
		}
		seen[r.name] = true
		if err := r.do(ctx, http.DefaultClient, url); err != nil {
			return fmt.Errorf("workload check %s: %w", r.name, err)
		}
	}
	return nil
}

// startAPI runs the API binary with the seed and an editor key, and waits
// for /readyz.
func startAPI(ctx context.Context, c config, apiKey string) (*bench.Server, error) {
	return bench.Start(ctx, "the API", ".", filepath.Join(c.workDir, "soak-companygraph.log"),
		[]string{"NEO4J_URI=" + c.neo4jURI, "NEO4J_USERNAME=neo4j", "NEO4J_PASSWORD=" + c.neo4jPassword,
			"COMPANYGRAPH_PLAYGROUND=false", "COMPANYGRAPH_API_KEYS=soak:editor:" + auth.HashKey(apiKey)},
		bench.HTTPOK("/readyz"), c.bin)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
