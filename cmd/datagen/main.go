// Command datagen generates the benchmark's company graph (see
// internal/datagen) and loads it into an empty Neo4j, printing how long
// each part took.
//
//	datagen -size M -neo4j-uri bolt://127.0.0.1:7687 -neo4j-password secret
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/datagen"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "datagen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("datagen", flag.ContinueOnError)
	size := fs.String("size", "S", "dataset size: S (10k nodes), M (100k) or L (1M)")
	nodes := fs.Int("nodes", 0, "number of nodes, instead of -size")
	seed := fs.Uint64("seed", 1, "generator seed: one seed, one graph")
	uri := fs.String("neo4j-uri", env("NEO4J_URI", "bolt://127.0.0.1:7687"), "Neo4j URI (NEO4J_URI)")
	user := fs.String("neo4j-username", env("NEO4J_USERNAME", "neo4j"), "Neo4j user (NEO4J_USERNAME)")
	password := fs.String("neo4j-password", os.Getenv("NEO4J_PASSWORD"), "Neo4j password (NEO4J_PASSWORD)")
	batch := fs.Int("batch", 10_000, "rows per UNWIND statement and write transaction")
	workers := fs.Int("workers", 2, "write transactions in flight")
	if err := fs.Parse(args); err != nil {
		return err
	}
	n := *nodes
	if n == 0 {
		var ok bool
		if n, ok = datagen.Sizes[strings.ToUpper(*size)]; !ok {
			return fmt.Errorf("size %q: want S, M or L", *size)
		}
	}
	t := time.Now()
	g, err := datagen.New(n, *seed)
	if err != nil {
		return err
	}
	fmt.Printf("generated the plan of %d nodes in %s\n", n, time.Since(t).Round(time.Millisecond))
	m, err := query.NewMapping(generated.NewExecutableSchema(generated.Config{}).Schema())
	if err != nil {
		return err
	}
	client, err := neo4j.Open(neo4j.Options{URI: *uri, Username: *user, Password: *password, Database: "neo4j", RetryTime: time.Minute})
	if err != nil {
		return err
	}
	defer client.Close(context.WithoutCancel(ctx))
	st, err := datagen.Load(ctx, client, m, g, datagen.LoadOptions{
		Batch: *batch, Workers: *workers,
		Progress: func(what string, rows int, took time.Duration) {
			fmt.Printf("  %-45s %9d  %s\n", what, rows, took.Round(time.Millisecond))
		},
	})
	if err != nil {
		return err
	}
	fmt.Printf("loaded %d nodes and %d relationships in %s (schema %s, nodes %s, relationships %s; %d transactions, %d retried)\n",
		st.Nodes, st.Relationships, st.Total.Round(time.Millisecond), st.Schema.Round(time.Millisecond),
		st.NodeTime.Round(time.Millisecond), st.RelTime.Round(time.Millisecond), st.Batches, st.Retries)
	return nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
