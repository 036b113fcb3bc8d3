// Package tracing sets up OpenTelemetry tracing for the API: when the
// standard OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
// is set, spans are batched and exported over OTLP/HTTP, configured by the
// other OTEL_* variables the SDK and the exporter read (headers, protocol
// details, service name, sampler); when neither is set nothing is
// installed and the API makes no spans at all. It does not make spans:
// internal/server makes one per HTTP request and internal/neo4j one per
// Cypher statement, with the provider that Setup returns.
package tracing

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// ServiceName names the API in its spans, unless OTEL_SERVICE_NAME or
// OTEL_RESOURCE_ATTRIBUTES say otherwise.
const ServiceName = "companygraph"

// Enabled says whether the environment asks for traces to be exported.
func Enabled() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Setup returns the tracer provider that exports the API's spans, and the
// shutdown that flushes the spans still buffered and stops the exporter;
// the provider is nil, and shutdown does nothing, when tracing is off.
// The provider and the W3C trace-context propagator are also installed as
// OpenTelemetry's globals, for libraries that use them. Export failures go
// to log.
func Setup(ctx context.Context, log *slog.Logger) (trace.TracerProvider, func(context.Context) error, error) {
	if !Enabled() {
		return nil, func(context.Context) error { return nil }, nil
	}
	// The exporter reads its endpoint, headers, timeout and TLS settings
	// from the OTEL_EXPORTER_OTLP_* variables itself.
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("otlp trace exporter: %w", err)
	}
	// Later options win: the environment may rename the service.
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(ServiceName)),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("tracing resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("tracing", "err", err) }))
	return tp, tp.Shutdown, nil
}
