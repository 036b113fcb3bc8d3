package server

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/companygraph/companygraph/internal/metrics"
)

// A panic in a resolver fails that field of that request only, as
// INTERNAL (resolve is non-null, so data is null, as GraphQL says): the log
// has the panic, the client neither it nor a stack nor a file. The schema without a database panics for real: its @custom
// resolvers reach for a knowledge graph that is nil.
func TestPanicIsInternalForThatFieldOnly(t *testing.T) {
	var log bytes.Buffer
	h := New(Options{
		Schema: served(), Ready: func(context.Context) error { return nil }, Metrics: metrics.New(),
		Logger: slog.New(slog.NewTextHandler(&log, nil)), CORSOrigins: []string{"*"},
		Hardening: Hardening{Limits: testLimits, Introspection: true},
	})
	rec := post(h, "application/json", body(`{ __typename resolve(name: "xiaomi") { id } }`))
	out := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(out, `"data":null`) {
		t.Errorf("want 200 with data null: %d %s", rec.Code, out)
	}
	if !strings.Contains(out, `"message":"internal error"`) || !strings.Contains(out, `"code":"INTERNAL"`) || !strings.Contains(out, `"path":["resolve"]`) {
		t.Errorf("not INTERNAL for its field: %s", out)
	}
	for _, leak := range []string{"nil pointer", "runtime error", "goroutine", ".go:", "panic"} {
		if strings.Contains(out, leak) {
			t.Errorf("the client sees %q: %s", leak, out)
		}
	}
	if !strings.Contains(log.String(), "panic in resolver") || !strings.Contains(log.String(), "nil pointer") {
		t.Errorf("the log lacks the panic: %s", log.String())
	}
	if rec := post(h, "application/json", body(`{ __typename }`)); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"__typename":"Query"`) {
		t.Errorf("the next request: %d %s", rec.Code, rec.Body)
	}
}

// The generated schema served without the query engine refuses the fields
// the engine answers, rather than answering them one statement each.
func TestUnservedSchemaRefusesCompiledFields(t *testing.T) {
	var log bytes.Buffer
	h := New(Options{
		Schema: served(), Ready: func(context.Context) error { return nil }, Metrics: metrics.New(),
		Logger: slog.New(slog.NewTextHandler(&log, nil)), CORSOrigins: []string{"*"},
		Hardening: Hardening{Limits: testLimits, Introspection: true},
	})
	out := post(h, "application/json", body(`{ company(id: "xiaomi") { name } }`)).Body.String()
	if !strings.Contains(out, `"code":"INTERNAL"`) || !strings.Contains(out, `"path":["company"]`) {
		t.Errorf("not refused: %s", out)
	}
	if !strings.Contains(log.String(), "answered by the query engine") {
		t.Errorf("the log does not say why: %s", log.String())
	}
}
