// Package server is the API's HTTP face: the GraphQL endpoint (GET and
// POST), GraphiQL, health and readiness probes, Prometheus metrics, CORS,
// read-your-writes bookmarks and a trace span per request. It turns every
// error into a GraphQL error with a code, in one place.
package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/metrics"
)

// Options are what the HTTP layer needs from the rest of the API.
type Options struct {
	Schema graphql.ExecutableSchema
	// Ready reports why the API cannot serve yet, or nil.
	Ready func(context.Context) error
	// Degraded reports, by part, what works less well than it should
	// without stopping the API from serving (the broker of the change
	// feed): /readyz shows it beside its answer either way. Its texts
	// name no host, since /readyz answers anyone.
	Degraded    func() map[string]string
	Metrics     *metrics.Metrics
	Logger      *slog.Logger
	CORSOrigins []string
	Playground  bool
	// Export serves GET /export: subgraphs for notebooks (internal/export).
	Export http.Handler
	// Authenticate reads each request's credentials into its context
	// (internal/auth); what they allow is decided per field.
	Authenticate func(http.Handler) http.Handler
	// AroundResponses runs around each response, before any resolver (the
	// guard of reads that need credentials).
	AroundResponses graphql.ResponseMiddleware
	// Hardening: limits, introspection, persisted queries (hardening.go).
	Hardening Hardening
	// Live configures subscriptions over WebSocket and SSE (live.go).
	Live Live
	// TracerProvider, when set, makes a span of every request
	// (internal/tracing); nil is no tracing at all.
	TracerProvider trace.TracerProvider
}

// New returns the API's HTTP handler.
func New(o Options) http.Handler {
	gql := handler.New(o.Schema)
	o.Live.transports(gql, o)
	harden(gql, o)
	gql.Use(costReport{})
	gql.Use(readYourWrites{})
	if o.TracerProvider != nil {
		gql.AroundOperations(traceOperation)
	}
	gql.AroundResponses(countResponses(o.Metrics))
	if o.AroundResponses != nil {
		gql.AroundResponses(o.AroundResponses)
	}
	gql.SetErrorPresenter(withoutSuggestions(!o.Hardening.Introspection, presentError(o.Logger)))
	gql.SetRecoverFunc(func(ctx context.Context, v any) error {
		o.Logger.Error("panic in resolver", "panic", v, "path", graphql.GetPath(ctx))
		return apierror.New(apierror.Internal, "internal error")
	})

	mux := http.NewServeMux()
	mux.Handle("/graphql", o.Live.streams(gql, o.Logger))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		answer := map[string]any{"status": "ready"}
		if o.Degraded != nil {
			if d := o.Degraded(); len(d) > 0 {
				answer["degraded"] = d
			}
		}
		if err := o.Ready(ctx); err != nil {
			o.Logger.Warn("not ready", "err", err)
			answer["status"], answer["reason"] = "not ready", reason(err)
			writeJSON(w, http.StatusServiceUnavailable, answer)
			return
		}
		writeJSON(w, http.StatusOK, answer)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(o.Metrics.Registry, promhttp.HandlerOpts{}))
	if o.Export != nil {
		mux.Handle("GET /export", atBookmarks(o.Export))
	}
	if o.Hardening.Introspection {
		mux.Handle("GET /schema.graphql", schemaHandler(o.Schema.Schema()))
	}
	if o.Playground {
		mountGraphiQL(mux, graphiqlBuild(), o.Logger)
	}

	allowAny := len(o.CORSOrigins) == 1 && o.CORSOrigins[0] == "*"
	c := cors.New(cors.Options{
		AllowedOrigins: o.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept", CostHeader, BookmarkHeader, "traceparent", "tracestate"},
		// A browser shows a script only the response headers listed here.
		ExposedHeaders: []string{BookmarkHeader},
		// Credentials go only to origins named one by one, never to "*".
		AllowCredentials: !allowAny,
		MaxAge:           600,
	})
	var h http.Handler = mux
	if o.Authenticate != nil {
		h = o.Authenticate(h)
	}
	h = logRequests(o.Logger, c.Handler(crossOrigin(o.CORSOrigins, o.Logger, h)))
	if o.TracerProvider != nil {
		h = traced(o.TracerProvider, h)
	}
	return h
}

// presentError shows a client only messages written for clients: errors of
// our own kinds and GraphQL's own parse and validation errors. Anything
// else is logged and shown as INTERNAL, so no driver text, Cypher or file
// path leaves the server.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		if e, ok := apierror.As(err); ok {
			if e.Code == apierror.Internal || e.Err != nil {
				log.Warn("request failed", "code", e.Code, "err", err, "path", gerr.Path)
			}
			gerr.Message = e.Message
			gerr.Extensions = map[string]any{"code": string(e.Code)}
			for k, v := range e.Fields {
				gerr.Extensions[k] = v
			}
			return gerr
		}
		if _, coded := gerr.Extensions["code"]; coded && gerr.Err == nil {
			return gerr
		}
		log.Error("internal error", "err", err, "path", gerr.Path)
		gerr.Message = "internal error"
		gerr.Extensions = map[string]any{"code": string(apierror.Internal)}
		return gerr
	}
}

func countResponses(m *metrics.Metrics) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		op := "unknown"
		if graphql.HasOperationContext(ctx) {
			if oc := graphql.GetOperationContext(ctx); oc.Operation != nil {
				op = string(oc.Operation.Operation)
			}
		}
		outcome := "ok"
		if resp != nil && len(resp.Errors) > 0 {
			outcome = "error"
		}
		m.GraphQLRequests.WithLabelValues(op, outcome).Inc()
		return resp
	}
}

// notReady is what /readyz says of a failure that has no message of ours.
const notReady = "the database is unavailable"

// reason is what /readyz may say about a failure: our own message only.
// /readyz answers without credentials, so the text of any other error (a
// driver's, which can name hosts, users or Cypher) goes to the log only.
func reason(err error) string {
	if e, ok := apierror.As(err); ok && e.Message != "" {
		return e.Message
	}
	return notReady
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection's own writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush sends what is buffered: an event of a subscription over SSE.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack hands the connection to a WebSocket.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("%T cannot be hijacked", s.ResponseWriter)
	}
	s.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Info("http", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start))
	})
}
