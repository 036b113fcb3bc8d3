package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// waitReady polls /readyz until it answers want. It gives up only when the
// test run itself is about to time out: how long Neo4j takes to start and
// the schema to come online depends on the machine's load, not on the API.
func waitReady(t *testing.T, a *api, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	if d, ok := t.Deadline(); ok && d.Add(-30*time.Second).Before(deadline) {
		deadline = d.Add(-30 * time.Second)
	}
	for {
		res := get(t, a.srv.URL+"/readyz")
		if res.status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz still %d %s, want %d", res.status, res.body, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// The API starts before its database, becomes ready when the database
// comes up, reports the outage when it stops, and serves again when it
// is back, all without a restart.
func TestReadinessFollowsNeo4j(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own Neo4j")
	}
	neo := neo4jtest.New(t, "outage-password")

	cfg := testConfig(t, neo.Conn)
	cfg.APIKeys = "ed:editor:" + auth.HashKey(editorKey)
	// The API's default: what bounds a request caught by the outage.
	cfg.QueryTimeout = 10 * time.Second
	a := start(t, cfg, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.PrepareWhenUp(ctx)
	waitReady(t, a, http.StatusServiceUnavailable)
	if code := a.post(t, `{ markets { id } }`, nil).code(t); code != "DATABASE_UNAVAILABLE" {
		t.Errorf("before start: code %q", code)
	}
	mark := time.Now()

	neo.Start()
	waitReady(t, a, http.StatusOK)
	t.Logf("ready %v after the first start began", time.Since(mark).Round(time.Millisecond))
	var got struct{ Markets []struct{ ID string } }
	a.post(t, `{ markets { id } }`, nil).data(t, &got)
	if len(got.Markets) != 4 {
		t.Errorf("markets after start-up: %+v", got.Markets)
	}

	// Neo4j stops in the middle of a load of reads and writes.
	traffic := startLoad(t, a, 4)
	traffic.await(t, "ok", 20)
	neo.Stop()
	waitReady(t, a, http.StatusServiceUnavailable)
	begin := time.Now()
	if code := a.post(t, `{ markets { id } }`, nil).code(t); code != "DATABASE_UNAVAILABLE" {
		t.Errorf("during the outage: code %q", code)
	}
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("a request during the outage took %v", took)
	}

	traffic.await(t, "DATABASE_UNAVAILABLE", 20)
	neo.Start()
	waitReady(t, a, http.StatusOK)
	traffic.await(t, "ok", 20)
	traffic.finish(t, a)
	var seed struct{ Market struct{ ID string } }
	a.post(t, `{ market(id: "india") { id } }`, nil).data(t, &seed)
	if seed.Market.ID != "india" {
		t.Errorf("the seed after the outage: %+v", seed)
	}
}
