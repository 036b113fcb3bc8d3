// Command companygraph serves the company knowledge graph over GraphQL.
// It reads its configuration, serves HTTP at once, prepares Neo4j (schema
// and seed) as soon as Neo4j answers, and stops on SIGINT or SIGTERM.
//
// `companygraph ingest-articles FILE.jsonl` is a client of a running API
// instead: it sends the articles of FILE to ingestArticles (ingest.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/companygraph/companygraph/internal/app"
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/tracing"
)

// gcPercent is the garbage collector's target when GOGC does not set
// one. What a request allocates is short-lived and the live heap small
// (tens of MiB), so collecting at five times the live heap rather than
// Go's twice trades a little memory for less of each request's CPU;
// GOMEMLIMIT, when set, still bounds the heap.
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if len(os.Args) > 1 && os.Args[1] == "ingest-articles" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := ingestArticles(ctx, os.Args[2:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := config.Load(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		log.Error("configuration", "err", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log); err != nil {
		log.Error("companygraph stopped", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	log.Info("starting", "config", cfg.String())
	tp, flush, err := tracing.Setup(ctx, log)
	if err != nil {
		return err
	}
	// Deferred first, so it runs last: the spans of the requests that
	// Shutdown let finish are exported too.
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := flush(ctx); err != nil {
			log.Warn("flushing traces", "err", err)
		}
	}()
	if tp != nil {
		log.Info("tracing", "exporter", "otlp/http")
	}
	a, err := app.New(cfg, log, app.WithTracerProvider(tp))
	if err != nil {
		return err
	}
	// Deferred, so the driver closes only after Shutdown below has let the
	// requests in flight finish (TestGracefulShutdown).
	defer a.Close(context.WithoutCancel(ctx))
	go a.PrepareWhenUp(ctx)
	go a.Maintain(ctx)

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.QueryTimeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	log.Info("serving", "graphiql", "http://"+ln.Addr().String()+"/", "graphql", "http://"+ln.Addr().String()+"/graphql")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// Subscriptions would hold Shutdown for its whole timeout: they end
	// first, each told the cursor to resume from.
	a.Changes.Drain()
	return srv.Shutdown(shutdown)
}
