package bench

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
)

// report is what one run found, and renders it.
type report struct {
	cfg               Config
	started, finished time.Time
	machine           string
	versions          map[string]string
	plan              time.Duration // datagen.New, before the load and not counted in it
	load              loading
	ops               []*Op
	results           []*Result
	agree, statements map[string]string
	dbHits            map[string]DBHits
	rss               map[string]int64
	totals            [2]float64  // companygraph statements and requests over the run
	article           *articleRun // nil when not measured
}

const header = `# Benchmarks

companygraph against the floor, raw Cypher run by the Go driver, and
against @neo4j/graphql, on one Neo4j holding one generated graph. Written
by ` + "`make bench SIZE=S|M|L`" + ` (cmd/bench, internal/bench); each size's
section is replaced by its own next run, the rest of this file is
regenerated.

## How it is measured

- **Data**: internal/datagen, seeded: companies (10% of the nodes),
  executives, products, partners, events, sources and 50 markets, about four
  relationships per node, every relationship with its evidence
  (` + "`sources`, `sentences`" + `). Degrees follow Zipf laws: a few huge
  companies, many small ones, a handful of markets with most of the edges.
  ` + "`make bench`" + ` loads it into a new database by
  ` + "`neo4j-admin database import full`" + ` from CSV files
  (datagen.WriteCSV), starts Neo4j, sets the empty arrays the importer
  skips and creates the API's own constraints and full-text index over the
  imported graph, waiting until they are online; the load time counts all
  of it, CSV writing included. Into a running server (no ` + "`-neo4j-dir`" + `)
  it is loaded by batched UNWIND statements in write transactions, the
  schema created first.
- **Workload**: nine operations (internal/bench/workload.go), each written
  three times: companygraph's GraphQL, @neo4j/graphql's GraphQL, and the
  hand-written Cypher a person would send. Each system cycles through the
  same 256 parameter sets, drawn with the graph's popularity skew. Eight
  are queries; the first page of events (the biggest label, 30% of the
  nodes) is the same request every time, since a later page would need
  each system's own cursors. Before measuring, the first 8 requests of
  each operation are sent to all three and their answers compared (ids in
  order, counts, path lengths, what a write created).
- **The write**, measured last, so that while the queries are measured
  the graph holds only what the write's checks wrote (8 requests per
  system to compare answers, 5 to count companygraph's statements): one
  source stating 100 facts, each with its sentence: 20 new companies,
  40 new executives and the company each works for, for a quarter of
  them a company of the graph. Every request writes new ids (a token per
  system and request in each id and name), so no request finds what an
  earlier one wrote. companygraph runs its ` + "`ingest`" + ` mutation, as an
  editor: it also matches each entity by id, name or alias, checks ids
  against other types and records who wrote what when, one statement per
  step in one transaction. @neo4j/graphql runs ` + "`createSources`" + ` with
  nested ` + "`create`" + ` and ` + "`connect`" + `, which it unrolls into one long statement
  (its batched UNWIND does not cover ` + "`connect`" + `) whose text depends on the
  mix of facts; the mix is the same in every request, since Neo4j plans
  every new text, which for a hundred facts takes seconds. Its nodes
  carry their type's label only, not the ` + "`Node`" + ` label the API's graph
  adds. Raw Cypher is one MERGE statement with an UNWIND per kind of
  fact. At most 4 clients send the write: 32 batches at once queue for
  the cores and for the locks of the companies they share, each for
  longer than a measured window.
- **Articles in** (` + "`make bench-article`" + ` runs it alone): ` + "`ingestArticle`" + `
  of one 700-word article, the texts of the extractor's news dev set
  (extractor/testdata/news) one after the other, in the order of the
  files' names, up to the end of the paragraph that reaches 700 words.
  companygraph only, with the extractor service (extractor/, spaCy)
  the benchmark starts beside it; each request has a source id of its
  own, so each writes a source, its mentions and evidence. Three series
  take turns: ` + "`ingestArticle`" + `, the same with ` + "`dryRun`" + `, and the
  extractor alone (` + "`POST /extract`" + ` with the body the API sends it),
  whose p50 over ` + "`ingestArticle`" + `'s is the extractor's share. A request
  takes hundreds of milliseconds, so each cell is a number of requests
  (30 by default), not a time. Measured after the nine operations. The
  goal: p50 under 1 s at concurrency 1.
- **Systems**: *raw Cypher* is the hand-written statement through the
  project's Neo4j client (internal/neo4j: one auto-commit read per
  request, a write transaction for the write, as the API runs its own)
  inside the load driver, no HTTP, no GraphQL. *companygraph* is
  bin/companygraph, seed off, default limits, one editor API key for the
  write. *@neo4j/graphql* is bench/neo4j-graphql: the library on
  graphql-yoga with its defaults, type definitions mirroring
  graph/schema/*.graphqls; search and the path are ` + "`@cypher`" + ` fields,
  since the library has neither.
- **Load**: one Go closed-loop driver for all systems: N workers, each
  sending its next request when the last is answered, a warm-up, then a
  fixed time. Every measurement is cut into rounds in which the systems take
  turns, so a disturbance from outside falls on all of them.
- **CPU**: the load driver, both servers and Neo4j share the same cores,
  so at concurrency 32 the systems compete with their own load generator.
  *API CPU* and *Neo4j CPU* are the CPU time the process used per answered
  request (from /proc), which noise from other processes barely moves;
  *other load* is the CPU, in cores, that processes outside the benchmark
  used meanwhile: when it is high, latencies and rates are inflated.
- **Database hits**: before the timed runs, the first 8 requests of each
  query are sent to companygraph as an admin asking for their cost
  (` + "`Companygraph-Cost`" + `), which runs them under PROFILE, and the
  hand-written statements are PROFILEd the same way. The ratio of the
  database hits is the one figure here that other load on the machine
  cannot move; ` + "`TestDBHits`" + ` holds it to 1.1x in ` + "`make test`" + `.
- **Memory**: peak RSS (VmHWM) of each server over the whole run.
- **The compiler alone**: ` + "`go test -run '^$' -bench . -benchmem ./internal/query`" + `
  measures compiling each of these operations (and, for comparison,
  parsing and validating it), time and allocations per request.
`

var section = regexp.MustCompile(`(?s)<!-- bench:(\w+):begin -->.*?<!-- bench:\w+:end -->\n?`)

// write prints the size's section and, if asked, puts it in the report
// file, keeping the other sizes' sections.
func (r *report) write(out io.Writer) error {
	body := r.render()
	fmt.Fprint(out, "\n"+body)
	if r.cfg.Report == "" {
		return nil
	}
	sections := map[string]string{}
	if old, err := os.ReadFile(r.cfg.Report); err == nil {
		for _, m := range section.FindAllStringSubmatch(string(old), -1) {
			sections[m[1]] = strings.TrimRight(m[0], "\n") + "\n"
		}
	}
	sections[r.cfg.Size] = "<!-- bench:" + r.cfg.Size + ":begin -->\n" + body + "<!-- bench:" + r.cfg.Size + ":end -->\n"
	var b strings.Builder
	b.WriteString(header)
	for _, size := range []string{"S", "M", "L"} {
		if s, ok := sections[size]; ok {
			b.WriteString("\n" + s)
			delete(sections, size)
		}
	}
	rest := make([]string, 0, len(sections))
	for k := range sections {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	for _, k := range rest {
		b.WriteString("\n" + sections[k])
	}
	if err := os.WriteFile(r.cfg.Report, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", r.cfg.Report, err)
	}
	fmt.Fprintf(out, "\nwritten to %s\n", r.cfg.Report)
	return nil
}

func (r *report) render() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("## Size %s: %s nodes, %s relationships (seed %d)\n\n", r.cfg.Size, thousands(r.load.nodes), thousands(r.load.rels), r.cfg.Seed)
	p("Run %s. Machine: %s.\n", r.started.UTC().Format("2006-01-02 15:04 MST"), r.machine)
	var vs []string
	for _, k := range []string{"companygraph", "Go", "Neo4j", "Node", "@neo4j/graphql", "graphql-yoga", "graphql", "neo4j-driver"} {
		if v := r.versions[k]; v != "" {
			vs = append(vs, k+" "+v)
		}
	}
	p("Versions: %s.\n\n", strings.Join(vs, ", "))
	l := r.load
	if l.imported {
		empty := 0
		for _, e := range l.csv.EmptyArrays {
			empty += e.N
		}
		p("**Load**: %s nodes and %s relationships in **%s** by neo4j-admin database import full into a new database "+
			"(CSV files written %s, %s; import %s; Neo4j start %s; empty arrays the import skips set on %s nodes %s; "+
			"constraints and full-text index built and online %s)",
			thousands(l.nodes), thousands(l.rels), secs(l.total), secs(l.csv.Took), mib(l.csv.Bytes), secs(l.importTime),
			secs(l.started), thousands(empty), secs(l.finish.Arrays), secs(l.finish.Schema))
		p("; the benchmark process used %.0f CPU-seconds, writing the files, and Neo4j %.0f (the import %.0f, the server %.0f); "+
			"the import reached %s peak RSS and the server %s",
			l.cpu.Driver, l.cpu.Neo4j, l.importCPU, l.cpu.Neo4j-l.importCPU, mib(l.importRSS), mib(l.rss))
	} else {
		u := l.unwind
		p("**Load**: %s nodes and %s relationships in **%s** by UNWIND write transactions (nodes %s, constraints and full-text index %s, relationships %s; %d write transactions of up to 10,000 rows, %d retried)",
			thousands(l.nodes), thousands(l.rels), secs(l.total), secs(u.NodeTime), secs(u.Schema), secs(u.RelTime), u.Batches, u.Retries)
		if l.rss > 0 {
			p("; Neo4j used %.0f CPU-seconds and reached %s peak RSS", l.cpu.Neo4j, mib(l.rss))
		}
	}
	p(". Meanwhile processes outside the benchmark used %.2f cores on average. Generating the graph's plan (datagen.New) took %s before.\n\n",
		cores(l.cpu), secs(r.plan))
	if len(r.results) == 0 && r.article == nil {
		return b.String()
	}
	if len(r.results) == 0 {
		p("The whole run took %s.\n\n", r.finished.Sub(r.started).Round(time.Second))
	} else {
		p("Each cell: %s warm-up, then %s measured, in %d rounds; the whole run took %s.\n\n",
			r.cfg.Warmup, r.cfg.Duration, max(r.cfg.Rounds, 1), r.finished.Sub(r.started).Round(time.Second))

		for _, conc := range r.cfg.Concurrency {
			p("### Concurrency %d\n\n", conc)
			p("| operation | system | req/s | p50 ms | p95 ms | p99 ms | errors | API CPU ms/req | Neo4j CPU ms/req | other load |\n")
			p("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			for _, op := range r.ops {
				for _, sys := range []string{"raw Cypher", "companygraph", "@neo4j/graphql"} {
					res := r.find(sys, op.Key, conc)
					if res == nil {
						if sys == "companygraph" && op.NA != "" {
							p("| %s | %s | %s | | | | | | | |\n", op.Title, sys, op.NA)
						}
						continue
					}
					api := "—"
					if sys != "raw Cypher" {
						api = perReq(res.CPU.Server, res.Requests)
					}
					title := op.Title
					if res.Clients != conc {
						title += fmt.Sprintf(", %d clients", res.Clients)
					}
					p("| %s | %s | %.0f | %.2f | %.2f | %.2f | %d | %s | %s | %.2f |\n", title, sys, res.RPS(),
						ms(res.Quantile(0.5)), ms(res.Quantile(0.95)), ms(res.Quantile(0.99)), res.Errors,
						api, perReq(res.CPU.Neo4j, res.Requests), cores(res.CPU))
				}
			}
			p("\n")
		}

		p("### companygraph against its targets\n\n")
		p("Targets, for every query: p50 at most %.1fx raw Cypher's at concurrency 1; throughput at least %.2fx raw Cypher's at concurrency %d; "+
			"ahead of @neo4j/graphql at every concurrency, at least %.0fx at concurrency %d on %s; API CPU per request at most %.1f ms (%.0f ms on %s); "+
			"db hits at most %.1fx the hand-written statement's (PROFILE over the first %d requests, which times do not disturb); one Cypher statement per query. "+
			"The write is shown beside them.\n\n",
			targetP50, targetRPS, highConc, targetVsNG, highConc, strings.Join(apiBound, ", "), targetAPI, targetAPIHeavy, strings.Join(heavy, ", "),
			dbHitsSlack, dbHitsRequests)
		p("| operation | concurrency | req/s ÷ raw | p50 ÷ raw | req/s ÷ @neo4j/graphql | p50 ÷ @neo4j/graphql | API CPU ms/req | db hits ÷ raw | targets |\n")
		p("|---|--:|--:|--:|--:|--:|--:|--:|:--|\n")
		for _, op := range r.ops {
			hits := "—"
			if d, ok := r.dbHits[op.Key]; ok {
				hits = fmt.Sprintf("%.2f", d.Ratio())
			}
			for _, conc := range r.cfg.Concurrency {
				cg, rw, ng := r.find("companygraph", op.Key, conc), r.find("raw Cypher", op.Key, conc), r.find("@neo4j/graphql", op.Key, conc)
				if !answered(cg) {
					p("| %s | %d | n/a | n/a | n/a | n/a | n/a | %s | n/a |\n", op.Title, conc, hits)
					continue
				}
				// A system that answered nothing in its windows (the write,
				// for a library that plans each new statement for seconds)
				// leaves only its own columns empty.
				met := "—"
				switch {
				case op.Writes:
				case answered(rw) && answered(ng):
					met = "met"
					if missed := r.missed(op, conc, cg, rw, ng); len(missed) > 0 {
						met = "**missed**: " + strings.Join(missed, "; ")
					}
				default:
					met = "n/a"
				}
				p("| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", op.Title, conc, rpsRatio(cg, rw), p50Ratio(cg, rw),
					rpsRatio(cg, ng), p50Ratio(cg, ng), perReq(cg.CPU.Server, cg.Requests), hits, met)
			}
		}
		p("\n")
		p("**Peak RSS**: companygraph %s, @neo4j/graphql %s, Neo4j %s (JVM; heap and page cache are fixed by tools/neo4j).\n\n",
			mib(r.rss["companygraph"]), mib(r.rss["@neo4j/graphql"]), mib(r.rss["Neo4j"]))
		var stmts, agree []string
		for _, op := range r.ops {
			stmts = append(stmts, fmt.Sprintf("%s %s", op.Key, r.statements[op.Key]))
			agree = append(agree, fmt.Sprintf("%s %s", op.Key, r.agree[op.Key]))
		}
		p("**Statements per request** (companygraph_cypher_queries_total over 5 requests of each operation; a write's share one transaction): %s. ", strings.Join(stmts, ", "))
		if r.totals[1] > 0 {
			p("Over all measurements of queries, warm-ups included: %s statements for %s GraphQL requests (%.3f per request).\n\n", thousands(int(r.totals[0])), thousands(int(r.totals[1])), r.totals[0]/r.totals[1])
		} else {
			p("\n\n")
		}
		p("**Answers agree** with raw Cypher (first 8 requests of each operation): %s.\n\n", strings.Join(agree, ", "))
	}
	if r.article != nil {
		renderArticle(p, r.article)
	}
	var errs []string
	results := r.results
	if r.article != nil {
		for _, c := range r.article.cells {
			results = append(results, c.Result)
		}
	}
	for _, res := range results {
		if res.FirstError != "" {
			errs = append(errs, fmt.Sprintf("%s %s c=%d: %s", res.System, res.Op, res.Concurrency, short(res.FirstError)))
		}
	}
	if len(errs) > 0 {
		p("**First error of each failing cell**:\n\n")
		for _, e := range errs {
			p("- %s\n", e)
		}
		p("\n")
	}
	return b.String()
}

// The targets a query is held to (see the targets table).
const (
	targetP50      = 1.2  // p50 ÷ raw at concurrency 1
	targetRPS      = 0.85 // req/s ÷ raw at the highest concurrency
	targetVsNG     = 2.0  // req/s ÷ @neo4j/graphql at the highest concurrency, where the API's own work dominates
	targetAPI      = 0.3  // API CPU ms per request
	targetAPIHeavy = 1.0  // API CPU ms per request, for the operations with the largest answers
	highConc       = 32
	dbHitsRequests = 8
)

var (
	// apiBound are the operations whose cost is mostly the API's own work.
	apiBound = []string{"by-id", "nested", "search"}
	// heavy are the operations whose answers are largest.
	heavy = []string{"nested"}
)

// missed lists the targets op misses at concurrency conc.
func (r *report) missed(op *Op, conc int, cg, rw, ng *Result) []string {
	var out []string
	if conc == 1 {
		if x := ms(cg.Quantile(0.5)) / ms(rw.Quantile(0.5)); x > targetP50 {
			out = append(out, fmt.Sprintf("p50 %.2fx raw", x))
		}
	}
	if conc == highConc {
		if x := cg.RPS() / rw.RPS(); x < targetRPS {
			out = append(out, fmt.Sprintf("req/s %.2fx raw", x))
		}
	}
	vsNG := cg.RPS() / ng.RPS()
	switch {
	case vsNG <= 1:
		out = append(out, fmt.Sprintf("behind @neo4j/graphql (%.2fx)", vsNG))
	case conc == highConc && slices.Contains(apiBound, op.Key) && vsNG < targetVsNG:
		out = append(out, fmt.Sprintf("%.2fx @neo4j/graphql", vsNG))
	}
	bound := targetAPI
	if slices.Contains(heavy, op.Key) {
		bound = targetAPIHeavy
	}
	if cg.Requests > 0 {
		if x := cg.CPU.Server * 1000 / float64(cg.Requests); x > bound {
			out = append(out, fmt.Sprintf("API CPU %.2f ms", x))
		}
	}
	if d, ok := r.dbHits[op.Key]; ok && d.Ratio() > dbHitsSlack {
		out = append(out, fmt.Sprintf("db hits %.2fx", d.Ratio()))
	}
	return out
}

func (r *report) find(sys, op string, conc int) *Result {
	for _, res := range r.results {
		if res.System == sys && res.Op == op && res.Concurrency == conc {
			return res
		}
	}
	return nil
}

// answered reports whether a cell was measured and answered requests.
func answered(res *Result) bool { return res != nil && res.Requests > 0 }

// rpsRatio is a's throughput over b's; n/a when b answered nothing.
func rpsRatio(a, b *Result) string {
	if !answered(b) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a.RPS()/b.RPS())
}

// p50Ratio is a's median latency over b's; n/a when b answered nothing.
func p50Ratio(a, b *Result) string {
	if !answered(b) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", ms(a.Quantile(0.5))/ms(b.Quantile(0.5)))
}

func perReq(seconds float64, n int) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", seconds*1000/float64(n))
}

func cores(c CPU) float64 {
	if c.Wall <= 0 {
		return 0
	}
	return max(c.Other/c.Wall, 0)
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func mib(b int64) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func goVersion() string { return strings.TrimPrefix(runtime.Version(), "go") }

func runOut(name string, args ...string) (string, error) {
	b, err := exec.Command(name, args...).Output()
	return strings.TrimSpace(string(b)), err
}

// describeMachine names the cores, the memory and the kernel.
func describeMachine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := statusLine("/proc/meminfo", "MemTotal:")
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	load, _ := os.ReadFile("/proc/loadavg")
	return fmt.Sprintf("%d cores (%s), %.1f GiB RAM, Linux %s, load average at start %s",
		runtime.NumCPU(), model, float64(mem)/(1<<20), strings.TrimSpace(string(kernel)), strings.Join(strings.Fields(string(load))[:3], " "))
}

// statusLine reads a "Key: value kB" line of a /proc file, in kB.
func statusLine(path, key string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			var n int64
			fmt.Sscan(strings.TrimSpace(v), &n)
			return n
		}
	}
	return 0
}
