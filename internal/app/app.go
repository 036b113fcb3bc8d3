// Package app assembles the API from its parts: the Neo4j client, the
// query engine over the generated GraphQL schema, the HTTP handler, and the
// start-up work of creating the schema and loading the seed. The command
// and the integration tests build the API the same way, through New.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.opentelemetry.io/otel/trace"

	"github.com/companygraph/companygraph/graph"
	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/graph/model"
	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/changes"
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/export"
	"github.com/companygraph/companygraph/internal/extract"
	"github.com/companygraph/companygraph/internal/ingest"
	"github.com/companygraph/companygraph/internal/kg"
	"github.com/companygraph/companygraph/internal/metrics"
	"github.com/companygraph/companygraph/internal/mutation"
	"github.com/companygraph/companygraph/internal/natsbus"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
	"github.com/companygraph/companygraph/internal/server"
	"github.com/companygraph/companygraph/internal/starter"
	"github.com/companygraph/companygraph/seed"
)

// App is one running API.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	Metrics *metrics.Metrics
	Client  *neo4j.Client
	Engine  *query.Engine
	// Changes records every write's changes and serves them (internal/changes).
	Changes *changes.Log
	// bus shares the changes with the other processes serving the graph
	// (internal/natsbus); nil without a broker.
	bus           *natsbus.Bus
	stopListening func()
	handler       http.Handler
	prepared      atomic.Bool
}

// Option changes how New builds the API, beyond its configuration.
type Option func(*options)

type options struct {
	tracer trace.TracerProvider
}

// WithTracerProvider makes spans of every HTTP request and every Cypher
// statement with tp (internal/tracing); nil, the default, makes none.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracer = tp }
}

// New builds the API. It does not touch Neo4j; Prepare does.
func New(cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	a := &App{cfg: cfg, log: log, Metrics: metrics.New()}
	client, err := neo4j.Open(neo4j.Options{
		URI: cfg.Neo4jURI, Username: cfg.Neo4jUser, Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase,
		RetryTime: cfg.Neo4jRetryTime, OnStatement: a.Metrics.CypherQueries.Inc, TracerProvider: o.tracer,
	})
	if err != nil {
		return nil, err
	}
	a.Client = client
	resolver := &graph.Resolver{}
	authn, err := authenticator(cfg)
	if err != nil {
		return nil, err
	}
	schema := generated.NewExecutableSchema(generated.Config{
		Resolvers:  resolver,
		Directives: generated.DirectiveRoot{Auth: auth.Directive[model.Role]},
	})
	limits := query.Limits{MaxPageSize: cfg.MaxPageSize, MaxFilterDepth: cfg.MaxFilterDepth}
	a.Engine, err = query.NewEngine(schema.Schema(), client, query.Options{
		Timeout: cfg.QueryTimeout, Limits: limits, Authorize: auth.Field,
	})
	if err != nil {
		return nil, err
	}
	resolver.KG, err = kg.New(schema.Schema(), client, kg.Options{Timeout: cfg.QueryTimeout})
	if err != nil {
		return nil, err
	}
	live := changes.Options{
		Retention: cfg.ChangesRetention, Buffer: cfg.SubscriptionBuffer, Timeout: cfg.QueryTimeout,
		MaxSubscriptions: cfg.MaxSubscriptions, MaxPerConnection: cfg.MaxSubscriptionsPerConnection,
		Fail: server.SubscriptionFailure(log), Off: !cfg.RecordChanges,
		SweepEvery: cfg.SweepEvery, SweepGrace: cfg.SweepGrace,
		Republished:   func(n int) { a.Metrics.ChangesRepublished.Add(float64(n)) },
		PublishFailed: a.Metrics.BusPublishFailures.Inc,
		Logger:        log,
	}
	if cfg.NATSURL != "" {
		host, _ := os.Hostname()
		// Open does not wait for the broker: one that is down is followed
		// in the background, as Neo4j is.
		a.bus, err = natsbus.Open(natsbus.Options{URL: cfg.NATSURL, Name: "companygraph " + host + " " + cfg.Addr, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("change bus: %w", err)
		}
		live.Bus = a.bus
	}
	a.Changes = changes.New(client, resolver.KG, live)
	if a.bus != nil {
		if a.stopListening, err = a.bus.Listen(a.Changes.Deliver); err != nil {
			a.bus.Close()
			return nil, fmt.Errorf("change bus: %w", err)
		}
	}
	resolver.Feed, resolver.Live = a.Changes, changes.Live{Log: a.Changes}
	wo := mutation.Options{
		Timeout: cfg.QueryTimeout, Limits: limits, MaxBatch: cfg.MaxBatch,
		MaxArticleBytes: cfg.MaxArticleBytes, MaxArticles: cfg.MaxArticles, Reads: client,
	}
	if cfg.ExtractorURL != "" {
		wo.Extractor = extract.New(cfg.ExtractorURL, cfg.ExtractorTimeout)
	}
	writes := mutation.New(a.Engine.Mapping(), a.Changes, wo)
	hardening, err := hardeningOf(cfg)
	if err != nil {
		return nil, err
	}
	a.handler = server.New(server.Options{
		Schema: a.Engine.Serve(schema, writes), Ready: a.Ready, Degraded: a.Degraded, Hardening: hardening,
		Authenticate: authn.Middleware, AroundResponses: authn.GuardReads,
		Metrics: a.Metrics, Logger: log, CORSOrigins: cfg.CORSOrigins, Playground: cfg.Playground,
		TracerProvider: o.tracer,
		Live: server.Live{
			Credentials: authn.WithCredentials, MayRead: authn.MayRead, Connection: changes.WithConnection,
			KeepAlive: cfg.KeepAlive, InitTimeout: 10 * time.Second,
		},
		Export: export.Handler(resolver.KG, log, func(ctx context.Context) error {
			// GET /export reads as a query does, so it needs what a query needs.
			if authn.RequireForReads() {
				return auth.Check(ctx, auth.Reader)
			}
			return nil
		}),
	})
	return a, nil
}

// Handler serves the API over HTTP.
func (a *App) Handler() http.Handler { return a.handler }

// Close stops following the bus, closes the connection to the broker and
// releases the connections to Neo4j.
func (a *App) Close(ctx context.Context) error {
	if a.bus != nil {
		a.stopListening()
		a.bus.Close()
	}
	return a.Client.Close(ctx)
}

// Maintain does the API's background work until ctx ends: it prunes the
// outbox and, with a broker, sweeps it for changes the bus never carried.
func (a *App) Maintain(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Changes.Sweep(ctx)
	}()
	a.Changes.Run(ctx, func(err error) { a.log.Warn("pruning changes", "err", err) })
	<-done
}

// Degraded reports the broker's state when one is configured and it does
// not work. It does not make the API unready: a replica without its
// broker still serves reads and writes, and its subscribers still get
// this replica's writes at once and the others' when the broker is back
// (a sweep publishes what was missed, a subscriber fills any gap from the
// outbox). The broker is shared, so an outage would take every replica
// out of rotation together, turning a late feed into no API at all.
func (a *App) Degraded() map[string]string {
	if a.bus == nil {
		return nil
	}
	if err := a.bus.Check(); err != nil {
		return map[string]string{"broker": err.Error()}
	}
	return nil
}

// Ready reports nil when Neo4j answers and the schema is in place.
func (a *App) Ready(ctx context.Context) error {
	if err := a.Client.Ping(ctx); err != nil {
		return err
	}
	if !a.prepared.Load() {
		return apierror.New(apierror.Unavailable, "schema and seed are not in place yet")
	}
	ok, err := a.Client.HasSchema(ctx, query.NodeLabel, a.Engine.Mapping().Labels(), a.Engine.Mapping().Groups())
	if err != nil {
		return err
	}
	if !ok {
		return apierror.New(apierror.Unavailable, "the database lacks the schema's constraints")
	}
	return nil
}

// Prepare creates the schema and, if configured, loads the seed and the
// starter graph. All are idempotent.
func (a *App) Prepare(ctx context.Context) error {
	m := a.Engine.Mapping()
	if err := a.Client.EnsureSchema(ctx, query.NodeLabel, m.Labels(), m.Groups(), m.FullTextIndexes()...); err != nil {
		return err
	}
	defaults, err := m.Defaults()
	if err != nil {
		return err
	}
	for _, d := range defaults {
		if err := a.Client.Backfill(ctx, d.RelType, d.Property, d.Value); err != nil {
			return err
		}
	}
	if err := a.Changes.Prepare(ctx); err != nil {
		return err
	}
	if a.cfg.LoadSeed {
		sets, err := seed.All()
		if err != nil {
			return err
		}
		for _, d := range sets {
			if err := ingest.Load(ctx, a.Changes, m, d, "seed"); err != nil {
				return err
			}
		}
	}
	if a.cfg.Starter != "" {
		start := time.Now()
		d, err := starter.Load(ctx, a.Changes, m, a.cfg.Starter)
		if err != nil {
			return err
		}
		a.log.Info("starter graph in place", "source", d.Source.ID, "nodes", len(d.Nodes), "relationships", len(d.Relationships), "took", time.Since(start).Round(time.Millisecond))
	}
	a.prepared.Store(true)
	return nil
}

// PrepareWhenUp calls Prepare until it succeeds or ctx ends, so the API
// can start before its database and become ready when the database is.
func (a *App) PrepareWhenUp(ctx context.Context) {
	for wait := 500 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		err := a.Prepare(ctx)
		if err == nil {
			a.log.Info("schema in place", "seed", a.cfg.LoadSeed)
			return
		}
		a.log.Warn("database not prepared yet; retrying", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// authenticator builds the credentials checks from the configuration.
func authenticator(cfg config.Config) (*auth.Authenticator, error) {
	keys, err := auth.ParseAPIKeys(cfg.APIKeys)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	o := auth.Options{APIKeys: keys, HS256Secret: []byte(cfg.JWTSecret), Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, RequireForReads: cfg.ReadsNeedAuth}
	if cfg.JWTPublicKey != "" {
		raw, err := os.ReadFile(cfg.JWTPublicKey)
		if err != nil {
			return nil, fmt.Errorf("jwt public key: %w", err)
		}
		if o.RS256Key, err = jwt.ParseRSAPublicKeyFromPEM(raw); err != nil {
			return nil, fmt.Errorf("jwt public key %s: %w", cfg.JWTPublicKey, err)
		}
	}
	return auth.New(o), nil
}
