package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/datagen"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

// Config is one benchmark run.
type Config struct {
	Size  string // S, M or L
	Nodes int    // overrides Size when set
	Seed  uint64

	Neo4jURI, Neo4jUser, Neo4jPassword string
	Neo4jPID                           int // for its CPU time and memory; 0 if unknown

	// CompanygraphBin is the API binary; NodeServer the directory of the
	// @neo4j/graphql server (bench/neo4j-graphql) with node_modules installed.
	CompanygraphBin, NodeServer string
	// WorkDir receives the servers' logs and, for an import, the CSV files.
	WorkDir string
	// Neo4jDir, if set, is the directory of a stopped or new Neo4j of
	// tools/neo4j whose database the graph replaces by an offline import
	// (neo4j-admin database import full); Neo4jScript, tools/neo4j/neo4j.sh,
	// imports and then starts it, which sets Neo4jURI and Neo4jPID, and
	// the benchmark stops it at the end. Without it, Neo4jURI is a running
	// Neo4j with an empty database, loaded by UNWIND transactions.
	Neo4jDir, Neo4jScript string

	Warmup, Duration time.Duration
	// Rounds splits each measurement into slices, the systems taking turns,
	// so that load from outside the benchmark falls on all of them alike.
	Rounds      int
	Concurrency []int
	// LoadOnly stops after loading the graph.
	LoadOnly bool
	// Report is the Markdown file to update; "" prints only.
	Report string
	// Ops, if set, are the keys of the only operations to measure (by-id,
	// ingest, ..., article); a report of some operations only is printed,
	// never written into Report.
	Ops []string

	// The article benchmark (key article, see article.go) runs the
	// extractor service with ExtractorPython (.data/extractor's, which
	// `make extractor-env` installs) in ExtractorDir (extractor/), and
	// reads its article from ExtractorDir/testdata/news. It sends
	// ArticleRequests requests of each series at each of
	// ArticleConcurrency.
	ExtractorPython, ExtractorDir string
	ArticleRequests               int
	ArticleConcurrency            []int
}

// Run loads the graph, starts both GraphQL servers, checks that the three
// systems give the same answers and that companygraph sends one statement
// per request, measures every operation on every system at every
// concurrency, then, with the extractor service started beside the API,
// ingestArticle of a 700-word article (article.go), and reports.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	n := cfg.Nodes
	if n == 0 {
		var ok bool
		if n, ok = datagen.Sizes[cfg.Size]; !ok {
			return fmt.Errorf("size %q: want S, M or L", cfg.Size)
		}
	}
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	rep := &report{cfg: cfg, started: time.Now(), machine: describeMachine()}

	t := time.Now()
	g, err := datagen.New(n, cfg.Seed)
	if err != nil {
		return err
	}
	rep.plan = time.Since(t)
	// The operations are picked, and the article built, before the long
	// load, so a wrong key or a missing extractor fails at once; a report
	// of some of them is only printed.
	ops, withArticle, err := pick(Workload(g), cfg.Ops)
	if err != nil {
		return err
	}
	if len(cfg.Ops) > 0 {
		cfg.Report = ""
	}
	// Loading only measures nothing.
	withArticle = withArticle && !cfg.LoadOnly
	var article benchArticle
	if withArticle {
		if article, err = prepareArticle(&cfg); err != nil {
			return err
		}
	}
	m, err := query.NewMapping(generated.NewExecutableSchema(generated.Config{}).Schema())
	if err != nil {
		return err
	}
	client, l, stop, err := load(ctx, &cfg, g, m, say)
	defer stop()
	if err != nil {
		return err
	}
	defer client.Close(context.WithoutCancel(ctx))
	rep.cfg, rep.load = cfg, l
	say("loaded %d nodes and %d relationships in %s", l.nodes, l.rels, l.total.Round(time.Millisecond))
	rep.versions = versions(ctx, client, cfg)
	if cfg.LoadOnly {
		return rep.write(out)
	}

	env := []string{"NEO4J_URI=" + cfg.Neo4jURI, "NEO4J_USERNAME=" + cfg.Neo4jUser, "NEO4J_PASSWORD=" + cfg.Neo4jPassword}
	// companygraph's writes need an editor and the cost of a request is
	// told only to an admin, so the key is an admin's; the queries are
	// sent without it.
	key := rand.Text()
	cgEnv := slices.Concat(env, []string{"COMPANYGRAPH_LOAD_SEED=false", "COMPANYGRAPH_PLAYGROUND=false", "COMPANYGRAPH_API_KEYS=bench:admin:" + auth.HashKey(key)})
	var ex *Server
	if withArticle {
		if ex, err = startExtractor(ctx, cfg); err != nil {
			return err
		}
		defer ex.Stop()
		say("extractor at %s (pid %d)", ex.Addr, ex.PID())
		cgEnv = append(cgEnv, "COMPANYGRAPH_EXTRACTOR_URL=http://"+ex.Addr)
	}
	cg, err := Start(ctx, "companygraph", ".", filepath.Join(cfg.WorkDir, "companygraph.log"), cgEnv, HTTPOK("/readyz"), cfg.CompanygraphBin)
	if err != nil {
		return err
	}
	defer cg.Stop()
	say("companygraph at %s (pid %d)", cg.Addr, cg.PID())
	pids := map[string]int{"companygraph": cg.PID()}
	// @neo4j/graphql answers the workload's operations only.
	var ng *Server
	if len(ops) > 0 {
		if ng, err = Start(ctx, "@neo4j/graphql", cfg.NodeServer, filepath.Join(cfg.WorkDir, "neo4j-graphql.log"),
			env, graphQLReady, "node", "server.mjs"); err != nil {
			return err
		}
		defer ng.Stop()
		say("@neo4j/graphql at %s (pid %d)", ng.Addr, ng.PID())
		pids["@neo4j/graphql"] = ng.PID()
	}

	if err := enablePath(ctx, "http://"+cg.Addr+"/graphql", ops); err != nil {
		say("op 5 on companygraph: %v", err)
	}
	maxConc := 1
	for _, c := range cfg.Concurrency {
		maxConc = max(maxConc, c)
	}
	cgT, err := newGraphQL("companygraph", "cg", "http://"+cg.Addr+"/graphql", maxConc, ops,
		func(o *Op) string { return o.CG }, func(p Params) map[string]any { return p.CG })
	if err != nil {
		return err
	}
	cgT.auth = "Bearer " + key
	targets := []Target{newRaw(client), cgT}
	if ng != nil {
		ngT, err := newGraphQL("@neo4j/graphql", "ng", "http://"+ng.Addr+"/graphql", maxConc, ops,
			func(o *Op) string { return o.NG }, func(p Params) map[string]any { return p.NG })
		if err != nil {
			return err
		}
		targets = append(targets, ngT)
	}

	rep.ops = ops
	rep.agree = agreement(ctx, ops, targets)
	rep.dbHits, err = measureDBHits(ctx, ops, costClient{url: "http://" + cg.Addr + "/graphql", key: key}, client, dbHitsRequests)
	if err != nil {
		return err
	}
	rep.statements, err = statementsPerRequest(ctx, cg.Addr, cgT, ops)
	if err != nil {
		return err
	}
	for _, op := range ops {
		say("op %-12s answers agree: %s; companygraph statements per request: %s", op.Key, rep.agree[op.Key], rep.statements[op.Key])
	}

	slice := cfg.Duration / time.Duration(max(cfg.Rounds, 1))
	warm := max(cfg.Warmup/time.Duration(max(cfg.Rounds, 1)), 250*time.Millisecond)
	for _, op := range ops {
		// The totals count the measurements of queries only: readiness
		// checks and the checks above are left out, and so are writes,
		// whose statements share one transaction by design.
		startTotals, _ := cgTotals(ctx, cg.Addr)
		for _, conc := range cfg.Concurrency {
			merged := map[string]*Result{}
			for round := range max(cfg.Rounds, 1) {
				for k := range targets {
					// Each round starts with another system, so none is
					// always first after a change of operation.
					t := targets[(k+round)%len(targets)]
					if !t.Supports(op) {
						continue
					}
					w := &watcher{server: pids[t.Name()], neo4j: cfg.Neo4jPID}
					for name, pid := range pids {
						if name != t.Name() {
							w.others = append(w.others, pid)
						}
					}
					r := drive(ctx, t, op, clients(op, conc), warm, slice, w)
					r.Concurrency = conc
					if ctx.Err() != nil {
						return ctx.Err()
					}
					if merged[t.Name()] == nil {
						merged[t.Name()] = r
					} else {
						merged[t.Name()].merge(r)
					}
				}
			}
			for _, t := range targets {
				if r := merged[t.Name()]; r != nil {
					rep.results = append(rep.results, r)
					say("  %-12s c=%-3d %-15s %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d %s", op.Key, conc, t.Name(),
						r.RPS(), ms(r.Quantile(0.5)), ms(r.Quantile(0.99)), r.Errors, short(r.FirstError))
				}
			}
		}
		if end, err := cgTotals(ctx, cg.Addr); err == nil && !op.Writes {
			rep.totals[0] += end[0] - startTotals[0]
			rep.totals[1] += end[1] - startTotals[1]
		}
	}
	if withArticle {
		say("op %-12s %s", articleKey, article.describe())
		c, err := newArticleClient("http://"+cg.Addr+"/graphql", "http://"+ex.Addr+"/extract", "Bearer "+key, slices.Max(cfg.ArticleConcurrency), article)
		if err != nil {
			return err
		}
		rep.article, err = measureArticle(ctx, c, article, articlePIDs{api: cg.PID(), extractor: ex.PID(), neo4j: cfg.Neo4jPID},
			cfg.ArticleConcurrency, cfg.ArticleRequests, cfg.Rounds, say)
		if err != nil {
			return fmt.Errorf("article: %w", err)
		}
	}
	rep.rss = map[string]int64{"companygraph": PeakRSS(cg.PID()), "@neo4j/graphql": PeakRSS(pids["@neo4j/graphql"]), "Neo4j": PeakRSS(cfg.Neo4jPID)}
	rep.finished = time.Now()
	return rep.write(out)
}

// maxWriteClients bounds the clients of a write. Thirty-two batches of a
// hundred facts at once queue for the cores and for the locks of the
// companies they share, each longer than a measured window, which then
// counts no answer at all.
const maxWriteClients = 4

// clients is how many clients send op in the measurement at conc.
func clients(op *Op, conc int) int {
	if op.Writes {
		return min(conc, maxWriteClients)
	}
	return conc
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func short(s string) string {
	if len(s) > 160 {
		return s[:160] + "..."
	}
	return s
}

// graphQLReady is the @neo4j/graphql server's readiness: it answers a query.
func graphQLReady(ctx context.Context, addr string) error {
	_, err := postJSON(ctx, "http://"+addr+"/graphql", `{"query":"{ __typename }"}`)
	return err
}

func postJSON(ctx context.Context, url, body string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, b)
	}
	return b, nil
}

// enablePath gives op 5 its companygraph document if the served schema has
// Query.path, and checks that it answers.
func enablePath(ctx context.Context, url string, ops []*Op) error {
	b, err := postJSON(ctx, url, `{"query":"{ __type(name: \"Query\") { fields { name } } }"}`)
	if err != nil {
		return err
	}
	if !bytes.Contains(b, []byte(`"name":"path"`)) {
		return fmt.Errorf("the schema has no Query.path; op 5 is n/a")
	}
	for _, op := range ops {
		if op.Key != "path" {
			continue
		}
		op.CG = fmt.Sprintf(pathField, pathSelection)
		body, _ := json.Marshal(map[string]any{"query": op.CG, "variables": op.Params[0].CG})
		if resp, err := postJSON(ctx, url, string(body)); err != nil || bytes.Contains(resp, errorsKey) {
			op.CG, op.NA = "", "n/a (path field does not answer the benchmark's query)"
			return fmt.Errorf("Query.path exists but %s%.300s", errText(err), resp)
		}
	}
	return nil
}

func errText(err error) string {
	if err != nil {
		return err.Error() + " "
	}
	return ""
}

// agreement asks each system the first parameter sets of each operation
// and compares what the answers must share (ids, counts, path lengths).
func agreement(ctx context.Context, ops []*Op, targets []Target) map[string]string {
	const checks = 8
	out := map[string]string{}
	for _, op := range ops {
		agree, asked := 0, 0
		var diff string
		for i := range min(checks, len(op.Params)) {
			var want string
			same := true
			for k, t := range targets {
				if !t.Supports(op) {
					continue
				}
				v, err := t.Answer(ctx, op, i)
				fp := "error: " + errText(err)
				if err == nil {
					fp = op.fingerprint(v)
				}
				if k == 0 {
					want = fp
				} else if fp != want && same {
					same = false
					if diff == "" {
						diff = fmt.Sprintf("; request %d: raw %q, %s %q", i, short(want), t.Name(), short(fp))
					}
				}
			}
			asked++
			if same {
				agree++
			}
		}
		out[op.Key] = fmt.Sprintf("%d/%d%s", agree, asked, diff)
	}
	return out
}

var cypherTotal = regexp.MustCompile(`(?m)^companygraph_cypher_queries_total (\S+)$`)
var requestsTotal = regexp.MustCompile(`(?m)^companygraph_graphql_requests_total\{[^}]*\} (\S+)$`)

// cgTotals reads companygraph's statement and request counters.
func cgTotals(ctx context.Context, addr string) ([2]float64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return [2]float64{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return [2]float64{}, err
	}
	var t [2]float64
	if m := cypherTotal.FindSubmatch(b); m != nil {
		t[0], _ = strconv.ParseFloat(string(m[1]), 64)
	}
	for _, m := range requestsTotal.FindAllSubmatch(b, -1) {
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		t[1] += v
	}
	return t, nil
}

// statementsPerRequest sends each operation's first requests to
// companygraph and reads how far companygraph_cypher_queries_total moved.
func statementsPerRequest(ctx context.Context, addr string, t *graphQL, ops []*Op) (map[string]string, error) {
	const requests = 5
	out := map[string]string{}
	for _, op := range ops {
		if !t.Supports(op) {
			out[op.Key] = "n/a"
			continue
		}
		before, err := cgTotals(ctx, addr)
		if err != nil {
			return nil, fmt.Errorf("read companygraph metrics: %w", err)
		}
		for i := range requests {
			if err := t.Do(ctx, op, i); err != nil {
				return nil, fmt.Errorf("companygraph %s: %w", op.Key, err)
			}
		}
		after, err := cgTotals(ctx, addr)
		if err != nil {
			return nil, err
		}
		out[op.Key] = strconv.FormatFloat((after[0]-before[0])/requests, 'f', -1, 64)
	}
	return out, nil
}

// versions names what ran: Go, Neo4j, Node, the npm packages, the commit.
func versions(ctx context.Context, client *neo4j.Client, cfg Config) map[string]string {
	v := map[string]string{"Go": goVersion()}
	if recs, err := client.ReadOne(ctx, "CALL dbms.components() YIELD name, versions, edition RETURN name + ' ' + versions[0] + ' ' + edition AS v", nil); err == nil && len(recs) > 0 {
		v["Neo4j"], _ = recs[0].Values[0].(string)
	}
	if b, err := runOut("node", "--version"); err == nil {
		v["Node"] = b
	}
	for _, pkg := range []string{"@neo4j/graphql", "graphql-yoga", "graphql", "neo4j-driver"} {
		var p struct{ Version string }
		if b, err := os.ReadFile(filepath.Join(cfg.NodeServer, "node_modules", pkg, "package.json")); err == nil && json.Unmarshal(b, &p) == nil {
			v[pkg] = p.Version
		}
	}
	if b, err := runOut("git", "rev-parse", "--short", "HEAD"); err == nil {
		if st, _ := runOut("git", "status", "--porcelain"); st != "" {
			b += " (with uncommitted changes)"
		}
		v["companygraph"] = b
	}
	return v
}

// pick returns the operations of ops whose keys are in keys, and whether
// keys name the article benchmark (articleKey), which is not an Op of the
// workload: every operation and the article when keys is empty.
func pick(ops []*Op, keys []string) ([]*Op, bool, error) {
	if len(keys) == 0 {
		return ops, true, nil
	}
	var out []*Op
	article := false
	for _, k := range keys {
		if k == articleKey {
			article = true
			continue
		}
		i := slices.IndexFunc(ops, func(o *Op) bool { return o.Key == k })
		if i < 0 {
			return nil, false, fmt.Errorf("no operation %q in the workload", k)
		}
		out = append(out, ops[i])
	}
	return out, article, nil
}
