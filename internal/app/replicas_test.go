package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/companygraph/companygraph/internal/app"
	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/natstest"
	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// replica is one of several API processes over one Neo4j and one NATS:
// an App with its background work running, served on a listener whose
// connections it can cut as a crash would.
type replica struct {
	*api
	name  string
	stop  context.CancelFunc
	conns *conns
}

// conns are the connections a replica's listener accepted, WebSockets
// included (httptest.Server forgets a connection once it is hijacked).
type conns struct {
	mu   sync.Mutex
	open []net.Conn
}

type trackingListener struct {
	net.Listener
	c *conns
}

func (l trackingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err == nil {
		l.c.mu.Lock()
		l.c.open = append(l.c.open, conn)
		l.c.mu.Unlock()
	}
	return conn, err
}

// replicaConfig is the configuration every replica of a test shares: the
// broker, keys, and sweeps short enough for a test to wait on.
func replicaConfig(t *testing.T, natsURL string) config.Config {
	t.Helper()
	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.APIKeys = "ed:editor:" + auth.HashKey(editorKey) + ",admin:admin:" + auth.HashKey(adminKey)
	cfg.NATSURL = natsURL
	cfg.SweepEvery, cfg.SweepGrace = 100*time.Millisecond, 300*time.Millisecond
	// The clean-up deletes a test's markets in one write.
	cfg.MaxBatch = 2000
	return cfg
}

func startReplica(t *testing.T, name string, cfg config.Config) *replica {
	t.Helper()
	a, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	prepareApp(t, a)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Maintain(ctx)
	}()
	t.Cleanup(func() { stop(); <-done })
	srv := httptest.NewUnstartedServer(a.Handler())
	c := &conns{}
	srv.Listener = trackingListener{Listener: srv.Listener, c: c}
	srv.Start()
	t.Cleanup(srv.Close)
	return &replica{api: &api{App: a, srv: srv}, name: name, stop: stop, conns: c}
}

// kill ends the replica as a crash would: its background work stops, its
// listener and every connection it accepted are cut with a reset (no
// WebSocket close, no drain), and its connection to the broker is closed
// without draining.
func (r *replica) kill() {
	r.stop()
	r.srv.Listener.Close()
	r.conns.mu.Lock()
	for _, c := range r.conns.open {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
	}
	r.conns.mu.Unlock()
	r.App.Close(context.Background())
}

// createMarket writes one market through the replica, from any goroutine.
func (r *replica) createMarket(id string) error {
	body := jsonString(map[string]any{"query": fmt.Sprintf(`mutation { createMarkets(input: [{id: %q, name: "Replicated"}]) { id } }`, id)})
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+editorKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var out struct{ Errors []gqlError }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return fmt.Errorf("create %s: %d: %w", id, res.StatusCode, err)
	}
	if len(out.Errors) > 0 {
		return fmt.Errorf("create %s: %+v", id, out.Errors)
	}
	return nil
}

// arrival is one change as a follower got it.
type arrival struct {
	cursor, id string
	at         time.Time
	// server is which of its servers the follower had: 0 the first, 1
	// the one it resumed on.
	server int
}

// follower is a subscriber over graphql-transport-ws that does what a
// client of several replicas should: it keeps the cursor of the last
// change it got and, when its server goes away, subscribes on the next one
// from there.
type follower struct {
	name    string
	servers []*replica
	ids     []string
	mu      sync.Mutex
	got     []arrival
	// arrived is signalled on every arrival.
	arrived chan struct{}
}

func newFollower(name string, ids []string, servers ...*replica) *follower {
	return &follower{name: name, servers: servers, ids: ids, arrived: make(chan struct{}, 1)}
}

func (f *follower) arrivals() []arrival {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// follow subscribes from after on each server in turn, moving on when one
// goes away, until ctx ends.
func (f *follower) follow(ctx context.Context, after string) error {
	var err error
	for i, r := range f.servers {
		if last := f.arrivals(); len(last) > 0 {
			after = last[len(last)-1].cursor
		}
		err = f.session(ctx, r, i, after)
		if ctx.Err() != nil {
			return nil
		}
	}
	return fmt.Errorf("%s: the last server went away: %w", f.name, err)
}

// session is one subscription on r, until the connection ends.
func (f *follower) session(ctx context.Context, r *replica, server int, after string) error {
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.srv.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	send := func(m wsMessage) error {
		raw, _ := json.Marshal(m)
		return conn.Write(ctx, websocket.MessageText, raw)
	}
	if err := send(wsMessage{Type: "connection_init", Payload: json.RawMessage(`{}`)}); err != nil {
		return err
	}
	payload, _ := json.Marshal(map[string]any{
		"query":     `subscription($ids: [ID!], $after: String) { changes(ids: $ids, after: $after) { cursor id } }`,
		"variables": map[string]any{"ids": f.ids, "after": after},
	})
	subscribed := false
	for {
		_, raw, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		var m wsMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
		switch m.Type {
		case "connection_ack":
			if !subscribed {
				subscribed = true
				if err := send(wsMessage{ID: "s", Type: "subscribe", Payload: payload}); err != nil {
					return err
				}
			}
		case "ping":
			if err := send(wsMessage{Type: "pong"}); err != nil {
				return err
			}
		case "next":
			now := time.Now()
			var p struct {
				Data   struct{ Changes change }
				Errors []gqlError
			}
			if err := json.Unmarshal(m.Payload, &p); err != nil {
				return err
			}
			if len(p.Errors) > 0 {
				return fmt.Errorf("%s: %+v", f.name, p.Errors)
			}
			f.mu.Lock()
			f.got = append(f.got, arrival{cursor: p.Data.Changes.Cursor, id: p.Data.Changes.ID, at: now, server: server})
			f.mu.Unlock()
			select {
			case f.arrived <- struct{}{}:
			default:
			}
		case "error", "complete":
			return fmt.Errorf("%s: subscription ended: %s %s", f.name, m.Type, m.Payload)
		}
	}
}

// await waits until the follower's last change has cursor, for at most
// the time left to ctx.
func (f *follower) await(ctx context.Context, cursor string) error {
	for {
		if got := f.arrivals(); len(got) > 0 && cursorOrder(got[len(got)-1].cursor) >= cursorOrder(cursor) {
			return nil
		}
		select {
		case <-f.arrived:
		case <-ctx.Done():
			got := f.arrivals()
			return fmt.Errorf("%s: %d changes, not yet %s: %w", f.name, len(got), cursor, ctx.Err())
		}
	}
}

func cursorOrder(c string) int64 {
	var n int64
	fmt.Sscan(c, &n)
	return n
}

// allFeed is every change of ids after cursor, page by page.
func (a *api) allFeed(t *testing.T, after string, ids []string) []change {
	t.Helper()
	var all []change
	for {
		page, end := a.feed(t, after, ids...)
		all = append(all, page...)
		if len(page) == 0 {
			return all
		}
		after = end
	}
}

// percentiles formats the 50th and 99th percentiles of ds (nearest rank).
func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[max(0, int(math.Ceil(q*float64(len(ds))))-1)] }
	return fmt.Sprintf("p50 %v p99 %v (n=%d)", at(0.5).Round(10*time.Microsecond), at(0.99).Round(10*time.Microsecond), len(ds))
}

// Three replicas over one Neo4j and one NATS: 1,000 writes through the
// first while clients follow on the second and third; the third is killed
// half-way and its clients resume on the second from their last cursor.
// Every client gets every change exactly once, in the outbox's order.
func TestReplicasShareChangesAcrossAKill(t *testing.T) {
	const writes, writers = 1000, 8
	testBegan := time.Now()
	broker := natstest.Start(t)
	cfg := replicaConfig(t, broker.URL())
	r1, r2, r3 := startReplica(t, "1", cfg), startReplica(t, "2", cfg), startReplica(t, "3", cfg)
	prefix := fmt.Sprintf("rep-%d-", time.Now().UnixNano())
	t.Cleanup(func() {
		r1.postAs(t, adminKey, fmt.Sprintf(`mutation { deleteMarkets(where: {id: {startsWith: %q}}) { nodesDeleted } }`, prefix), nil).ok(t)
	})
	ids := make([]string, writes+1)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	start := r1.head(t)
	t.Logf("three replicas up in %v", time.Since(testBegan).Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	followers := []*follower{
		newFollower("2a", ids, r2), newFollower("2b", ids, r2),
		newFollower("3a", ids, r3, r2), newFollower("3b", ids, r3, r2),
	}
	failed := make(chan error, len(followers))
	var following sync.WaitGroup
	for _, f := range followers {
		following.Add(1)
		go func() {
			defer following.Done()
			if err := f.follow(ctx, start); err != nil {
				failed <- err
			}
		}()
	}
	defer func() { cancel(); following.Wait() }()

	// A first change that every follower gets live says each subscription
	// is in place before the measured writes begin.
	if err := r1.createMarket(ids[0]); err != nil {
		t.Fatal(err)
	}
	for _, f := range followers {
		warm, stop := context.WithTimeout(ctx, 30*time.Second)
		err := f.await(warm, "1")
		stop()
		if err != nil {
			t.Fatal(err)
		}
	}

	returned := make([]time.Time, writes+1)
	var done atomic.Int64
	half := make(chan struct{})
	var killedAt time.Time
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		select {
		case <-half:
		case <-ctx.Done():
			return
		}
		killedAt = time.Now()
		r3.kill()
	}()
	began := time.Now()
	var writing sync.WaitGroup
	writeErrs := make(chan error, writers)
	for w := range writers {
		writing.Add(1)
		go func() {
			defer writing.Done()
			for i := 1 + w; i <= writes; i += writers {
				if err := r1.createMarket(ids[i]); err != nil {
					writeErrs <- err
					return
				}
				returned[i] = time.Now()
				if done.Add(1) == writes/2 {
					close(half)
				}
			}
		}()
	}
	writing.Wait()
	took := time.Since(began)
	<-killed
	close(writeErrs)
	for err := range writeErrs {
		t.Fatal(err)
	}

	t.Logf("writes done at %v", time.Since(testBegan).Round(time.Millisecond))
	want := r1.allFeed(t, start, ids)
	if len(want) != writes+1 {
		t.Fatalf("the outbox has %d changes of the test's markets, want %d", len(want), writes+1)
	}
	last := want[len(want)-1].Cursor
	for _, f := range followers {
		wait, stop := context.WithTimeout(ctx, 60*time.Second)
		err := f.await(wait, last)
		stop()
		if err != nil {
			select {
			case ferr := <-failed:
				t.Fatalf("%v (%v)", err, ferr)
			default:
				t.Fatal(err)
			}
		}
	}

	t.Logf("every follower caught up at %v", time.Since(testBegan).Round(time.Millisecond))
	byID := map[string]int{}
	for i, id := range ids {
		byID[id] = i
	}
	var live2, live3, resumed []time.Duration
	for _, f := range followers {
		got := f.arrivals()
		seen := map[string]int{}
		var lost, dups []string
		for _, a := range got {
			seen[a.cursor]++
			if seen[a.cursor] == 2 {
				dups = append(dups, a.cursor)
			}
		}
		for _, w := range want {
			if seen[w.Cursor] == 0 {
				lost = append(lost, w.Cursor)
			}
		}
		inOrder := len(got) == len(want)
		for i := 0; inOrder && i < len(got); i++ {
			inOrder = got[i].cursor == want[i].Cursor && got[i].id == want[i].ID
		}
		if len(lost) > 0 || len(dups) > 0 || !inOrder {
			t.Errorf("follower %s: %d changes for %d: lost %v, duplicated %v, in order %t", f.name, len(got), len(want), lost, dups, inOrder)
		}
		resumes := 0
		for i, a := range got {
			if i > 0 && a.server != got[i-1].server {
				resumes++
			}
			n := byID[a.id]
			if n == 0 || returned[n].IsZero() {
				continue
			}
			lat := a.at.Sub(returned[n])
			switch {
			case a.server == 1:
				resumed = append(resumed, lat)
			case f.servers[0] == r2:
				live2 = append(live2, lat)
			default:
				live3 = append(live3, lat)
			}
		}
		if len(f.servers) > 1 && resumes != 1 {
			t.Errorf("follower %s resumed %d times, want once", f.name, resumes)
		}
	}
	t.Logf("%d writes through replica 1 by %d writers in %v (%.0f/s); replica 3 killed after %d, %v in",
		writes, writers, took.Round(time.Millisecond), float64(writes)/took.Seconds(), writes/2, killedAt.Sub(began).Round(time.Millisecond))
	t.Logf("write-to-delivery latency (the writer's response to the subscriber's event; negative when the event came first):")
	t.Logf("  replica 2, live:                      %s", percentiles(live2))
	t.Logf("  replica 3, live until killed:         %s", percentiles(live3))
	t.Logf("  replica 3's clients, resumed on 2:    %s (those missed while reconnecting come from the outbox)", percentiles(resumed))
	t.Logf("  all live:                             %s", percentiles(append(live2, live3...)))
}

// A process that dies between its COMMIT and its publish leaves a change
// the bus never carried. Simulated by a replica without a broker, whose
// writes reach the outbox and no bus: the sweepers of the others publish
// it, and a subscriber on another replica gets it.
func TestSweeperPublishesWhatAProcessNeverDid(t *testing.T) {
	broker := natstest.Start(t)
	cfg := replicaConfig(t, broker.URL())
	a, b := startReplica(t, "a", cfg), startReplica(t, "b", cfg)
	alone := cfg
	alone.NATSURL = ""
	dead := startReplica(t, "dead", alone)
	prefix := fmt.Sprintf("sweep-%d-", time.Now().UnixNano())
	t.Cleanup(func() {
		a.postAs(t, adminKey, fmt.Sprintf(`mutation { deleteMarkets(where: {id: {startsWith: %q}}) { nodesDeleted } }`, prefix), nil).ok(t)
	})
	ids := []string{prefix + "warm", prefix + "lost"}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A change committed before a sweeper's first look is not its to
	// repair, so the write waits until both have looked.
	for _, r := range []*replica{a, b} {
		for r.Changes.Heard() == 0 {
			select {
			case <-ctx.Done():
				t.Fatalf("replica %s has not swept", r.name)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	f := newFollower("a", ids, a)
	// The cursor is read before the write, so the subscriber gets the
	// warm change however late its subscription starts.
	start := a.head(t)
	var following sync.WaitGroup
	following.Add(1)
	go func() {
		defer following.Done()
		f.follow(ctx, start)
	}()
	defer func() { cancel(); following.Wait() }()
	if err := b.createMarket(ids[0]); err != nil {
		t.Fatal(err)
	}
	warm, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	for len(f.arrivals()) == 0 {
		select {
		case <-f.arrived:
		case <-warm.Done():
			t.Fatal("the subscriber on a did not get a change written through b")
		}
	}

	began := time.Now()
	if err := dead.createMarket(ids[1]); err != nil {
		t.Fatal(err)
	}
	lost := dead.allFeed(t, f.arrivals()[0].cursor, ids)
	if len(lost) != 1 {
		t.Fatalf("the outbox has %d changes after the warm one, want 1", len(lost))
	}
	wait, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	if err := f.await(wait, lost[0].Cursor); err != nil {
		t.Fatal(err)
	}
	got := f.arrivals()
	if len(got) != 2 || got[1].id != ids[1] || got[1].cursor != lost[0].Cursor {
		t.Fatalf("the subscriber got %+v", got)
	}
	// A sweeper counts what it republished once the bus has taken it,
	// which may be after the subscriber got it: the count is awaited.
	republished := func() float64 {
		return testutil.ToFloat64(a.Metrics.ChangesRepublished) + testutil.ToFloat64(b.Metrics.ChangesRepublished)
	}
	counted, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	for republished() < 1 {
		select {
		case <-counted.Done():
			t.Fatalf("no sweeper counted a republished change")
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Logf("the change no process published reached a subscriber on another replica %v after its commit (sweep every %v, grace %v); %v republished",
		got[1].at.Sub(began).Round(time.Millisecond), cfg.SweepEvery, cfg.SweepGrace, republished())
}

// A broker that is down fails no write: the writer's subscribers get the
// change at once, the other replica's once the broker is back, and
// /readyz stays ready and says what is degraded.
func TestBrokerDownWritesGoOn(t *testing.T) {
	broker := natstest.Start(t)
	cfg := replicaConfig(t, broker.URL())
	a, b := startReplica(t, "a", cfg), startReplica(t, "b", cfg)
	prefix := fmt.Sprintf("down-%d-", time.Now().UnixNano())
	t.Cleanup(func() {
		a.postAs(t, adminKey, fmt.Sprintf(`mutation { deleteMarkets(where: {id: {startsWith: %q}}) { nodesDeleted } }`, prefix), nil).ok(t)
	})
	ids := []string{prefix + "up", prefix + "down"}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := a.head(t)
	onA, onB := newFollower("a", ids, a), newFollower("b", ids, b)
	var following sync.WaitGroup
	for _, f := range []*follower{onA, onB} {
		following.Add(1)
		go func() {
			defer following.Done()
			f.follow(ctx, start)
		}()
	}
	defer func() { cancel(); following.Wait() }()
	if err := a.createMarket(ids[0]); err != nil {
		t.Fatal(err)
	}
	up := a.allFeed(t, start, ids)
	for _, f := range []*follower{onA, onB} {
		wait, stop := context.WithTimeout(ctx, 30*time.Second)
		err := f.await(wait, up[0].Cursor)
		stop()
		if err != nil {
			t.Fatal(err)
		}
	}

	broker.Stop()
	for a.Degraded()["broker"] == "" {
		select {
		case <-ctx.Done():
			t.Fatal("replica a does not notice the broker is gone")
		case <-time.After(10 * time.Millisecond):
		}
	}
	res, err := http.Get(a.srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"broker"`) {
		t.Errorf("/readyz while the broker is down: %d %s", res.StatusCode, body)
	}
	if err := a.createMarket(ids[1]); err != nil {
		t.Fatalf("a write while the broker is down: %v", err)
	}
	down := a.allFeed(t, up[0].Cursor, ids)
	if len(down) != 1 {
		t.Fatalf("the outbox has %d changes of the write, want 1", len(down))
	}
	wait, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	if err := onA.await(wait, down[0].Cursor); err != nil {
		t.Fatalf("the writer's own subscriber, while the broker is down: %v", err)
	}
	if n := testutil.ToFloat64(a.Metrics.BusPublishFailures); n < 1 {
		t.Errorf("failed publishes counted: %v", n)
	}

	broker.Restart()
	if err := onB.await(wait, down[0].Cursor); err != nil {
		t.Fatalf("the other replica's subscriber, once the broker is back: %v", err)
	}
	for _, f := range []*follower{onA, onB} {
		if got := f.arrivals(); len(got) != 2 || got[0].id != ids[0] || got[1].id != ids[1] {
			t.Errorf("follower %s got %+v", f.name, got)
		}
	}
	// b may have republished the change before a reconnected.
	for a.Degraded() != nil {
		select {
		case <-ctx.Done():
			t.Fatalf("replica a still degraded after the broker came back: %v", a.Degraded())
		case <-time.After(10 * time.Millisecond):
		}
	}
}
