// Command bench loads a generated graph into a new Neo4j, starts
// companygraph and the @neo4j/graphql server against it, measures both and
// raw Cypher on the same workload, and writes the table to BENCHMARKS.md
// (see internal/bench). `make bench SIZE=S|M|L` runs it on a fresh
// directory of tools/neo4j (-neo4j-dir), which it imports the graph into
// and then starts; -neo4j-uri instead loads a running Neo4j with an empty
// database by UNWIND transactions.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/companygraph/companygraph/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parse(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err == nil {
		err = bench.Run(ctx, cfg, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Default timings per size: S must finish, with everything else make
// bench does, within five minutes; M within twenty.
var timings = map[string][2]time.Duration{
	"S": {time.Second, 2 * time.Second},
	"M": {3 * time.Second, 12 * time.Second},
	"L": {3 * time.Second, 12 * time.Second},
}

func parse(args []string) (bench.Config, error) {
	var c bench.Config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&c.Size, "size", "S", "dataset size: S (10k nodes), M (100k) or L (1M)")
	fs.Uint64Var(&c.Seed, "seed", 1, "generator seed")
	fs.StringVar(&c.Neo4jDir, "neo4j-dir", "", "a stopped or new tools/neo4j directory to import the graph into and start, instead of -neo4j-uri")
	fs.StringVar(&c.Neo4jScript, "neo4j-script", "tools/neo4j/neo4j.sh", "the script that imports into and starts -neo4j-dir")
	fs.StringVar(&c.Neo4jURI, "neo4j-uri", os.Getenv("NEO4J_URI"), "a running Neo4j with an empty database, loaded by UNWIND transactions (NEO4J_URI)")
	fs.StringVar(&c.Neo4jUser, "neo4j-username", "neo4j", "Neo4j user")
	fs.StringVar(&c.Neo4jPassword, "neo4j-password", os.Getenv("NEO4J_PASSWORD"), "Neo4j password (NEO4J_PASSWORD)")
	pidFile := fs.String("neo4j-pid-file", "", "file holding -neo4j-uri's pid, for its CPU time and memory")
	fs.StringVar(&c.CompanygraphBin, "companygraph", "bin/companygraph", "the API binary")
	fs.StringVar(&c.NodeServer, "neo4j-graphql", "bench/neo4j-graphql", "directory of the @neo4j/graphql server, npm packages installed")
	fs.StringVar(&c.WorkDir, "work-dir", os.TempDir(), "directory for the servers' logs and the import's CSV files")
	fs.DurationVar(&c.Warmup, "warmup", 0, "warm-up per measurement (default by size)")
	fs.DurationVar(&c.Duration, "duration", 0, "measured time per system, operation and concurrency (default by size)")
	fs.IntVar(&c.Rounds, "rounds", 3, "slices each measurement is cut into, the systems taking turns")
	conc := fs.String("concurrency", "1,32", "comma-separated numbers of concurrent clients")
	fs.BoolVar(&c.LoadOnly, "load-only", false, "stop after loading the graph, reporting the load")
	fs.StringVar(&c.Report, "report", "BENCHMARKS.md", "Markdown file to write the results into; empty to only print")
	ops := fs.String("ops", "", "comma-separated keys of the only operations to measure (by-id, ingest, ..., article), whose report is printed, not written")
	fs.StringVar(&c.ExtractorPython, "extractor-python", ".data/extractor/bin/python", "the extractor's Python (make extractor-env), for the article benchmark")
	fs.StringVar(&c.ExtractorDir, "extractor-dir", "extractor", "the extractor's directory, whose testdata/news the article is made of")
	fs.IntVar(&c.ArticleRequests, "article-requests", 30, "measured requests of each series of the article benchmark at each concurrency")
	articleConc := fs.String("article-concurrency", "1,2", "comma-separated numbers of concurrent clients of the article benchmark")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.Size = strings.ToUpper(c.Size)
	t, ok := timings[c.Size]
	if !ok {
		return c, fmt.Errorf("size %q: want S, M or L", c.Size)
	}
	if c.Warmup == 0 {
		c.Warmup = t[0]
	}
	if c.Duration == 0 {
		c.Duration = t[1]
	}
	switch {
	case c.Neo4jDir != "" && *pidFile != "":
		return c, fmt.Errorf("-neo4j-pid-file is for -neo4j-uri; with -neo4j-dir the benchmark starts Neo4j and knows its pid")
	case c.Neo4jDir != "":
		// The Neo4j is the benchmark's to start; NEO4J_URI names another.
		c.Neo4jURI = ""
	case c.Neo4jURI == "":
		return c, fmt.Errorf("-neo4j-dir or -neo4j-uri is required: a Neo4j to import into, or a running one with an empty database")
	}
	if *ops != "" {
		for _, k := range strings.Split(*ops, ",") {
			c.Ops = append(c.Ops, strings.TrimSpace(k))
		}
	}
	var err error
	if c.Concurrency, err = counts(*conc); err != nil {
		return c, fmt.Errorf("concurrency %q: %w", *conc, err)
	}
	if c.ArticleConcurrency, err = counts(*articleConc); err != nil {
		return c, fmt.Errorf("article concurrency %q: %w", *articleConc, err)
	}
	if c.ArticleRequests < 1 {
		return c, fmt.Errorf("article requests %d: want at least one", c.ArticleRequests)
	}
	if *pidFile != "" {
		b, err := os.ReadFile(*pidFile)
		if err != nil {
			return c, fmt.Errorf("neo4j pid: %w", err)
		}
		if c.Neo4jPID, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
			return c, fmt.Errorf("neo4j pid file %s: %w", *pidFile, err)
		}
	}
	return c, nil
}

// counts parses a comma-separated list of positive numbers.
func counts(list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("want positive numbers")
		}
		out = append(out, n)
	}
	return out, nil
}
