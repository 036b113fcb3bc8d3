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
// INTERNAL: the log has the panic, the client neither it nor a stack nor a
// file. The schema without a database panics for real: its resolvers
// reach for an engine that is nil.
func TestPanicIsInternalForThatFieldOnly(t *testing.T) {
	var log bytes.Buffer
	h := New(Options{
		Schema: served(), Ready: func(context.Context) error { return nil }, Metrics: metrics.New(),
		Logger: slog.New(slog.NewTextHandler(&log, nil)), CORSOrigins: []string{"*"},
		Hardening: Hardening{Limits: testLimits, Introspection: true},
	})
	rec := post(h, "application/json", body(`{ __typename company(id: "xiaomi") { name } }`))
	out := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(out, `"__typename":"Query"`) {
		t.Errorf("the rest of the request is not answered: %d %s", rec.Code, out)
	}
	if !strings.Contains(out, `"message":"internal error"`) || !strings.Contains(out, `"code":"INTERNAL"`) || !strings.Contains(out, `"path":["company"]`) {
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
