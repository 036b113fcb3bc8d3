package server

import (
	"context"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// traced makes a server span of every request handled by next, the child
// of the span the request's W3C trace context (traceparent, tracestate)
// names, if any. The spans of what the request sends to Neo4j are its
// children (internal/neo4j).
func traced(tp trace.TracerProvider, next http.Handler) http.Handler {
	return otelhttp.NewHandler(next, "companygraph",
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithSpanNameFormatter(spanName))
}

// routes are the paths a span is named after; any other path (a
// GraphiQL asset, a scanner's probe) would make names without bound.
var routes = map[string]bool{
	"/graphql": true, "/healthz": true, "/readyz": true, "/metrics": true,
	"/export": true, "/schema.graphql": true, "/": true,
}

// spanName is "METHOD /route" for the API's routes, the method alone
// otherwise, as the HTTP semantic conventions ask.
func spanName(_ string, r *http.Request) string {
	if routes[r.URL.Path] {
		return r.Method + " " + r.URL.Path
	}
	return r.Method
}

// traceOperation names the GraphQL operation on the request's span, so a
// trace says which query or mutation it was.
func traceOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		oc := graphql.GetOperationContext(ctx)
		if op := oc.Operation; op != nil {
			span.SetAttributes(semconv.GraphQLOperationTypeKey.String(string(op.Operation)))
			if op.Name != "" {
				span.SetAttributes(semconv.GraphQLOperationName(op.Name))
			}
		}
	}
	return next(ctx)
}
