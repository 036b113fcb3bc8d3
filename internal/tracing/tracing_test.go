package tracing

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestOffWithoutAnEndpoint(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	tp, shutdown, err := Setup(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil || tp != nil {
		t.Fatalf("provider %v, err %v", tp, err)
	}
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// With an endpoint, spans go to it over OTLP/HTTP, and shutdown sends
// those still buffered.
func TestExportsToTheEndpoint(t *testing.T) {
	for _, env := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
		t.Run(env, func(t *testing.T) {
			var mu sync.Mutex
			var got []string
			collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type")+" "+string(body))
				mu.Unlock()
			}))
			defer collector.Close()
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
			t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
			if env == "OTEL_EXPORTER_OTLP_ENDPOINT" {
				t.Setenv(env, collector.URL)
			} else {
				t.Setenv(env, collector.URL+"/v1/traces")
			}
			tp, shutdown, err := Setup(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil || tp == nil {
				t.Fatalf("provider %v, err %v", tp, err)
			}
			_, span := tp.Tracer("test").Start(context.Background(), "the-span")
			span.End()
			if err := shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("%d exports, want 1", len(got))
			}
			for _, want := range []string{"POST /v1/traces application/x-protobuf", "the-span", ServiceName} {
				if !strings.Contains(got[0], want) {
					t.Errorf("export %q lacks %q", got[0], want)
				}
			}
		})
	}
}
