package neo4j

import (
	"context"
	"errors"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// tracerName names the instrumentation in the spans it makes.
const tracerName = "github.com/companygraph/companygraph/internal/neo4j"

// noSpan records nothing: the span of every statement when tracing is off.
var noSpan = trace.SpanFromContext(context.Background())

// statement starts the span of one Cypher statement, a child of ctx's
// span: the driver has no hooks, so each call that sends a statement is
// wrapped. The span carries the statement's text, which is parameterised,
// never the parameters' values. With tracing off nothing is started.
func (c *Client) statement(ctx context.Context, cypher string) (context.Context, trace.Span) {
	if c.tracer == nil {
		return ctx, noSpan
	}
	return c.tracer.Start(ctx, "neo4j", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		semconv.DBSystemNameNeo4j, semconv.DBNamespace(c.database), semconv.DBQueryText(cypher)))
}

// endStatement ends a statement's span, recording err if it failed.
func endStatement(s trace.Span, err error) {
	if err != nil && s.IsRecording() {
		fail(s, err)
	}
	s.End()
}

// fail records err on s. Of a Neo4j error only its code is kept: its
// message may quote the statement's values (a uniqueness violation names
// the value, a failed conversion the text it could not parse).
func fail(s trace.Span, err error) {
	var neoErr *neo4j.Neo4jError
	if errors.As(err, &neoErr) {
		s.AddEvent(semconv.ExceptionEventName, trace.WithAttributes(
			semconv.ExceptionType(fmt.Sprintf("%T", neoErr)), semconv.ExceptionMessage(neoErr.Code)))
		s.SetAttributes(semconv.DBResponseStatusCode(neoErr.Code), semconv.ErrorTypeKey.String(neoErr.Code))
		s.SetStatus(codes.Error, neoErr.Code)
		return
	}
	s.RecordError(err)
	s.SetAttributes(semconv.ErrorTypeKey.String(fmt.Sprintf("%T", err)))
	s.SetStatus(codes.Error, err.Error())
}
