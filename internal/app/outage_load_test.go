package app_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// load is a few clients sending reads and two-fact writes, closed-loop,
// until stopped: the traffic an outage falls into.
type load struct {
	stop    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	done    *sync.Cond     // broadcast after every request
	writes  []int          // every write sent, by number
	codes   map[string]int // outcome of every request: "ok" or the error code
	slowest time.Duration
}

func startLoad(t *testing.T, a *api, clients int) *load {
	t.Helper()
	l := &load{stop: make(chan struct{}), codes: map[string]int{}}
	l.done = sync.NewCond(&l.mu)
	for c := range clients {
		l.wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				n := c*100_000 + i
				begin := time.Now()
				var r response
				if i%2 == 0 {
					r = a.post(t, `{ markets(limit: 5) { id companies(limit: 5) { company { name } } } }`, nil)
				} else {
					l.mu.Lock()
					l.writes = append(l.writes, n)
					l.mu.Unlock()
					r = a.postAs(t, editorKey, fmt.Sprintf(`mutation { ingest(
					  source: { id: "outage-s-%[1]d", title: "Outage %[1]d", text: "Acme entered Market %[1]d. Acme works with Partner %[1]d." }
					  facts: [
					    { market: { id: "outage-m-%[1]d", name: "Market %[1]d" }, sentences: ["Acme entered Market %[1]d."] }
					    { partner: { id: "outage-p-%[1]d", name: "Partner %[1]d" }, sentences: ["Acme works with Partner %[1]d."] }
					  ]) { created } }`, n), nil)
				}
				took := time.Since(begin)
				outcome := "ok"
				if len(r.Errors) > 0 {
					outcome, _ = r.Errors[0].Extensions["code"].(string)
				}
				l.mu.Lock()
				l.codes[outcome]++
				l.slowest = max(l.slowest, took)
				l.done.Broadcast()
				l.mu.Unlock()
			}
		})
	}
	return l
}

// await returns once n more requests than so far have had outcome ("ok"
// or an error code). The clients run closed-loop, so it is woken after
// every request; a load that stopped answering fails it at the deadline.
func (l *load) await(t *testing.T, outcome string, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	// Wakes the wait at the deadline even if no request ends.
	wake := time.AfterFunc(time.Until(deadline), func() {
		l.mu.Lock()
		l.done.Broadcast()
		l.mu.Unlock()
	})
	defer wake.Stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	want := l.codes[outcome] + n
	for l.codes[outcome] < want {
		if !time.Now().Before(deadline) {
			t.Fatalf("%d requests with outcome %s, want %d: %v", l.codes[outcome], outcome, want, l.codes)
		}
		l.done.Wait()
	}
}

// finish stops the load and checks it: no request hung, every failure was
// the database's absence, and every write is all there or not at all.
func (l *load) finish(t *testing.T, a *api) {
	t.Helper()
	close(l.stop)
	l.wg.Wait()
	t.Logf("requests during the outage's load: %v; slowest %v; %d writes", l.codes, l.slowest.Round(time.Millisecond), len(l.writes))
	if l.slowest > 15*time.Second {
		t.Errorf("a request took %v: requests must fail fast while Neo4j is down", l.slowest)
	}
	for code := range l.codes {
		switch code {
		case "ok", "DATABASE_UNAVAILABLE", "TIMEOUT":
		default:
			t.Errorf("%d requests failed with %s", l.codes[code], code)
		}
	}
	if l.codes["DATABASE_UNAVAILABLE"] == 0 {
		t.Errorf("no request saw the outage: %v", l.codes)
	}
	if l.codes["ok"] == 0 {
		t.Errorf("no request succeeded: %v", l.codes)
	}
	var half []string
	for _, n := range l.writes {
		got := a.count(t, fmt.Sprintf(`OPTIONAL MATCH (s:Source {id: "outage-s-%[1]d"}) OPTIONAL MATCH (m:Market {id: "outage-m-%[1]d"})
		  OPTIONAL MATCH (p:Partner {id: "outage-p-%[1]d"}) RETURN count(s) + count(m) + count(p)`, n))
		if got != 0 && got != 3 {
			half = append(half, fmt.Sprintf("write %d: %d of 3 nodes", n, got))
		}
	}
	if len(half) > 0 {
		t.Errorf("half-applied writes: %s", strings.Join(half, "; "))
	}
}
