package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/metrics"
)

// /readyz answers anyone: only our own messages reach it, the rest goes to the log.
func TestReadyzShowsOnlyOurMessages(t *testing.T) {
	const secret = "s3cr3t-Pa55w0rd"
	driver := fmt.Errorf("neo4j: %w", errors.New("Neo4jError: Neo.ClientError.Statement.SyntaxError (bolt://neo4j:"+secret+"@db.internal:7687 SHOW CONSTRAINTS YIELD labelsOrTypes)"))
	tests := []struct {
		name, want string
		err        error
	}{
		{"a driver's error", notReady, driver},
		{"a plain error", notReady, errors.New("dial tcp 10.0.0.7:7687: password " + secret)},
		{"our own message", "schema and seed are not in place yet", apierror.New(apierror.Unavailable, "schema and seed are not in place yet")},
		{"our own message, wrapping the driver's", "the database is unavailable",
			fmt.Errorf("ping: %w", apierror.Wrap(apierror.Unavailable, driver, "the database is unavailable"))},
		{"ours without a message", notReady, apierror.Wrap(apierror.Internal, driver, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			h := New(Options{
				Schema: served(), Ready: func(context.Context) error { return tt.err }, Metrics: metrics.New(),
				Logger: slog.New(slog.NewTextHandler(&log, nil)), CORSOrigins: []string{"*"},
			})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			body := rec.Body.String()
			if rec.Code != http.StatusServiceUnavailable {
				t.Errorf("status %d: %s", rec.Code, body)
			}
			if want := `"reason":"` + tt.want + `"`; !strings.Contains(body, want) {
				t.Errorf("body %s, want %s", body, want)
			}
			for _, leak := range []string{secret, "Neo4jError", "Neo.ClientError", "SHOW CONSTRAINTS", "db.internal", "10.0.0.7"} {
				if strings.Contains(body, leak) {
					t.Errorf("the answer shows %q: %s", leak, body)
				}
			}
			// The detail is for the operator.
			if !strings.Contains(log.String(), "not ready") || strings.Contains(tt.err.Error(), secret) && !strings.Contains(log.String(), secret) {
				t.Errorf("log lacks the detail: %s", log.String())
			}
		})
	}
}

// What is degraded shows beside the answer, ready or not, and does not
// decide it.
func TestReadyzShowsWhatIsDegraded(t *testing.T) {
	for _, ready := range []error{nil, apierror.New(apierror.Unavailable, "schema and seed are not in place yet")} {
		h := New(Options{
			Schema: served(), Ready: func(context.Context) error { return ready }, Metrics: metrics.New(),
			Degraded: func() map[string]string { return map[string]string{"broker": "the NATS server is not connected"} },
			Logger:   slog.New(slog.DiscardHandler), CORSOrigins: []string{"*"},
		})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		want := http.StatusOK
		if ready != nil {
			want = http.StatusServiceUnavailable
		}
		if body := rec.Body.String(); rec.Code != want || !strings.Contains(body, `"degraded":{"broker":"the NATS server is not connected"}`) {
			t.Errorf("ready %v: %d %s", ready, rec.Code, body)
		}
	}
}
