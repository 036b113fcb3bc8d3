package neo4j

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// Every way of sending a statement makes a span under the caller's, with
// the statement's text and not its values; a failure is recorded by its
// Neo4j code, since Neo4j's message may quote a value.
func TestStatementSpans(t *testing.T) {
	conn := neo4jtest.Shared(t)
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	client, err := Open(Options{URI: conn.URI, Username: "neo4j", Password: conn.Password, Database: "neo4j",
		RetryTime: time.Second, TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(context.Background()) })
	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	const secret = "s3cret-value"

	if _, err := client.ReadOne(ctx, "RETURN $v AS v", map[string]any{"v": secret}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Write(ctx, func(tx Tx) (any, error) {
		return tx.Run(ctx, "WITH $v AS v RETURN size(v) AS n", map[string]any{"v": secret})
	}); err != nil {
		t.Fatal(err)
	}
	if err := client.AutoCommit(ctx, "WITH $v AS v RETURN v", map[string]any{"v": secret}); err != nil {
		t.Fatal(err)
	}
	// Neo4j's message names the text it could not parse.
	if _, err := client.ReadOne(ctx, "RETURN date($v) AS d", map[string]any{"v": secret}); err == nil || !strings.Contains(err.Error(), secret) {
		t.Fatalf("date of a word: %v", err)
	}
	parent.End()

	want := []string{"RETURN $v AS v", "WITH $v AS v RETURN size(v) AS n", "WITH $v AS v RETURN v", "RETURN date($v) AS d"}
	var got []sdktrace.ReadOnlySpan
	for _, s := range recorder.Ended() {
		if s.SpanKind() == trace.SpanKindClient {
			got = append(got, s)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d statement spans, want %d", len(got), len(want))
	}
	for i, s := range got {
		attrs := map[string]string{}
		for _, kv := range s.Attributes() {
			attrs[string(kv.Key)] = kv.Value.Emit()
		}
		if s.Name() != "neo4j" || attrs["db.query.text"] != want[i] || attrs["db.system.name"] != "neo4j" || attrs["db.namespace"] != "neo4j" {
			t.Errorf("span %d %q: %v", i, s.Name(), attrs)
		}
		if s.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("span %d: parent %v, want the caller's %v", i, s.Parent().SpanID(), parent.SpanContext().SpanID())
		}
		seen := s.Status().Description
		for _, kv := range s.Attributes() {
			seen += " " + kv.Value.Emit()
		}
		for _, e := range s.Events() {
			for _, kv := range e.Attributes {
				seen += " " + kv.Value.Emit()
			}
		}
		if strings.Contains(seen, secret) {
			t.Errorf("span %d shows the value: %s", i, seen)
		}
	}
	failed := got[3]
	code := "Neo.ClientError.Statement.SyntaxError"
	if failed.Status().Code != codes.Error || failed.Status().Description != code {
		t.Errorf("failed statement: status %v", failed.Status())
	}
	if ev := failed.Events(); len(ev) != 1 || ev[0].Name != "exception" {
		t.Errorf("failed statement: events %v", ev)
	}
	for _, s := range got[:3] {
		if s.Status().Code == codes.Error || len(s.Events()) > 0 {
			t.Errorf("%q: status %v, events %v", s.Name(), s.Status(), s.Events())
		}
	}
}

// Without a tracer provider no span is made: the caller's context is
// handed on as it is.
func TestNoSpansWithoutTracing(t *testing.T) {
	c := &Client{}
	ctx := context.Background()
	got, span := c.statement(ctx, "RETURN 1")
	if got != ctx || span.IsRecording() {
		t.Errorf("a statement without tracing: context %v, span recording %v", got, span.IsRecording())
	}
	endStatement(span, context.Canceled)
}
