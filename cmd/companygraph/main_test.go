package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// serve runs the program as main does, on a free port over the shared
// Neo4j, and returns its address, the function that stops it (as SIGTERM
// does) and the channel run's result arrives on.
func serve(t *testing.T) (addr string, stop context.CancelFunc, done chan error) {
	t.Helper()
	return serveWith(t, nil)
}

// serveWith is serve with more of the environment the configuration reads.
func serveWith(t *testing.T, env map[string]string) (addr string, stop context.CancelFunc, done chan error) {
	t.Helper()
	conn := neo4jtest.Shared(t)
	cfg, err := config.Load(nil, func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return map[string]string{"NEO4J_URI": conn.URI, "NEO4J_PASSWORD": conn.Password, "COMPANYGRAPH_ADDR": "127.0.0.1:0", "COMPANYGRAPH_LOAD_SEED": "false"}[k]
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs, logw := io.Pipe()
	addrs := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == "serving" {
				addrs <- strings.TrimSuffix(strings.TrimPrefix(rec["graphql"].(string), "http://"), "/graphql")
			}
		}
	}()
	ctx, stop := context.WithCancel(context.Background())
	done = make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.NewJSONHandler(logw, nil))) }()
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("not serving after a minute")
	}
	return addr, stop, done
}

// On SIGTERM (here: its context ends) the server stops accepting at once,
// lets the request in flight finish, and run returns; the driver is
// closed after that, by run's deferred Close.
func TestGracefulShutdown(t *testing.T) {
	addr, stop, done := serve(t)

	// A request whose body is still arriving when the shutdown begins.
	body, bodyw := io.Pipe()
	answer := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", body)
		req.Header.Set("Content-Type", "application/json")
		res, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
		if err != nil {
			t.Errorf("the request in flight: %v", err)
			close(answer)
			return
		}
		answer <- res
	}()
	bodyw.Write([]byte(`{"query":`))
	time.Sleep(200 * time.Millisecond)
	stop()
	time.Sleep(300 * time.Millisecond)
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("a new connection is accepted during the shutdown")
	}
	select {
	case err := <-done:
		t.Fatalf("run returned %v before the request in flight finished", err)
	default:
	}
	bodyw.Write([]byte(`"{ __typename }"}`))
	bodyw.Close()
	if res := <-answer; res != nil {
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(raw), `"__typename":"Query"`) {
			t.Errorf("the request in flight: %d %s", res.StatusCode, raw)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("run did not return after the shutdown")
	}
}

// On SIGTERM the live subscriptions end first, so that they do not hold
// the shutdown for its whole timeout, and the server stops.
func TestShutdownEndsSubscriptions(t *testing.T) {
	addr, stop, done := serve(t)
	// A subscription before the server is ready fails at once.
	waitReady(t, addr, done)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(`{"query":"subscription { changes { cursor } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	stream := bufio.NewReader(res.Body)
	if line, err := stream.ReadString('\n'); err != nil || line != ":\n" {
		t.Fatalf("the stream's start: %q %v", line, err)
	}
	stop()
	// Whether the drain met the subscription running or starting, it ends
	// the stream, and with it the last request Shutdown waits for.
	if _, err := io.ReadAll(stream); err != nil {
		t.Errorf("the stream: %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}

// waitReady returns once the server at addr has prepared the database.
func waitReady(t *testing.T, addr string, done chan error) {
	t.Helper()
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			return
		}
		select {
		case err := <-done:
			t.Fatalf("run: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
