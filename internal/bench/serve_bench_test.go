package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/app"
)

// BenchmarkServe answers each read operation of the workload twice: by the
// API's handler, in this process, and by its hand-written Cypher through the
// same Neo4j client. The difference is the API's own work per request
// (parsing, validating, compiling, writing the answer), and so is the
// difference of their cpu-µs/op, this process's CPU time per request,
// garbage collection included. A CPU profile of this benchmark shows
// where it goes without an HTTP client's work in it.
//
//	go test -run '^$' -bench Serve -cpuprofile cpu.out ./internal/bench
func BenchmarkServe(b *testing.B) {
	nodes := 20_000
	if n, err := strconv.Atoi(os.Getenv("COMPANYGRAPH_TEST_DBHITS_NODES")); err == nil {
		nodes = n
	}
	c, g := newCosted(b, nodes)
	ctx := context.Background()
	for _, op := range Workload(g) {
		doc := cgDoc(op)
		if doc == "" || op.Writes {
			continue
		}
		bodies := make([][]byte, len(op.Params))
		for i, p := range op.Params {
			var err error
			if bodies[i], err = json.Marshal(map[string]any{"query": doc, "variables": p.CG}); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(op.Key+"/companygraph", func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(bodies[i%len(bodies)]))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				c.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
					b.Fatalf("%s: %d %s", op.Key, rec.Code, rec.Body)
				}
			}
		})
		b.Run(op.Key+"/raw", func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for i := 0; i < b.N; i++ {
				if _, err := c.client.ReadOne(ctx, op.Cypher, op.Params[i%len(op.Params)].Raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// reportCPU starts measuring the process's CPU time; the function it
// returns reports it per operation.
func reportCPU(b *testing.B) func() {
	start := cpuTime(b)
	return func() {
		b.ReportMetric(float64((cpuTime(b)-start).Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOutbox runs the workload's write, an ingest of a batch of facts
// with evidence, with the changes recorded (the outbox, two statements
// more in the write's transaction) and without, side by side on one
// Neo4j: what the change feed costs a write.
func BenchmarkOutbox(b *testing.B) {
	nodes := 20_000
	if n, err := strconv.Atoi(os.Getenv("COMPANYGRAPH_TEST_DBHITS_NODES")); err == nil {
		nodes = n
	}
	c, g := newCosted(b, nodes)
	cfg := c.cfg
	cfg.RecordChanges = false
	off, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { off.Close(context.Background()) })
	var op *Op
	for _, o := range Workload(g) {
		if o.Writes {
			op = o
		}
	}
	fresh := newTokens("outbox")
	for _, run := range []struct {
		name    string
		handler http.Handler
	}{{"changes-recorded", c.handler}, {"changes-off", off.Handler()}} {
		b.Run(run.name, func(b *testing.B) {
			defer reportCPU(b)()
			for i := 0; i < b.N; i++ {
				vars := freshen(op.Params[i%len(op.Params)].CG, fresh.next())
				body, err := json.Marshal(map[string]any{"query": op.CG, "variables": vars})
				if err != nil {
					b.Fatal(err)
				}
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+c.cg.key)
				rec := httptest.NewRecorder()
				run.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
					b.Fatalf("%s: %d %s", op.Key, rec.Code, rec.Body)
				}
			}
		})
	}
}
