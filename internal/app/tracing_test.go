package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/companygraph/companygraph/internal/app"
	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// A request that comes with W3C trace context is a server span under
// the caller's span, and each Cypher statement it sends is a span under
// that, carrying the statement's text and none of the values it was sent
// with.
func TestTracing(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	a := start(t, testConfig(t, neo4jtest.Shared(t)), true, app.WithTracerProvider(tp))

	const (
		traceID = "4bf92f3577b34da6a50e0e0a0b1c2d3e"
		caller  = "00f067aa0ba902b7"
	)
	body := gqlBody(`query Who($id: ID!) { company(id: $id) { name executives { executive { name } } } }`, map[string]any{"id": "xiaomi"})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", "00-"+traceID+"-"+caller+"-01")
	req.Header.Set("tracestate", "vendor=opaque")
	res := httptest.NewRecorder()
	// Served in this goroutine: every span has ended when it returns.
	a.Handler().ServeHTTP(res, req)
	if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "Hugo Barra") {
		t.Fatalf("%d %s", res.Code, res.Body)
	}

	var server sdktrace.ReadOnlySpan
	var statements []sdktrace.ReadOnlySpan
	for _, s := range recorder.Ended() {
		if s.SpanContext().TraceID().String() != traceID {
			continue
		}
		switch s.SpanKind() {
		case trace.SpanKindServer:
			server = s
		case trace.SpanKindClient:
			statements = append(statements, s)
		}
		// The variable's value is in the request body only, never in a span.
		for _, kv := range s.Attributes() {
			if strings.Contains(kv.Value.Emit(), "xiaomi") {
				t.Errorf("span %q has %s = %s", s.Name(), kv.Key, kv.Value.Emit())
			}
		}
	}
	if server == nil {
		t.Fatalf("no server span in the caller's trace among %d spans", len(recorder.Ended()))
	}
	if p := server.Parent(); p.SpanID().String() != caller || !p.IsRemote() || p.TraceState().Get("vendor") != "opaque" {
		t.Errorf("server span %q: parent %v", server.Name(), p)
	}
	if server.Name() != "POST /graphql" || attr(server, "graphql.operation.name") != "Who" || attr(server, "graphql.operation.type") != "query" {
		t.Errorf("server span %q: %v", server.Name(), server.Attributes())
	}
	// One request, one statement.
	if len(statements) != 1 {
		t.Fatalf("%d statement spans, want 1", len(statements))
	}
	s := statements[0]
	if s.Parent().SpanID() != server.SpanContext().SpanID() {
		t.Errorf("statement span's parent %v, want the server span %v", s.Parent().SpanID(), server.SpanContext().SpanID())
	}
	if q := attr(s, "db.query.text"); !strings.Contains(q, "MATCH") || !strings.Contains(q, "$") ||
		attr(s, "db.system.name") != "neo4j" || attr(s, "db.namespace") != "neo4j" {
		t.Errorf("statement span %q: %v", s.Name(), s.Attributes())
	}
}

// attr is the value of s's attribute key, as text.
func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}
