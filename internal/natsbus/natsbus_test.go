package natsbus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/companygraph/companygraph/internal/changes"
	"github.com/companygraph/companygraph/internal/kg"
	"github.com/companygraph/companygraph/internal/natsbus"
	"github.com/companygraph/companygraph/internal/natstest"
)

func open(t *testing.T, url string) *natsbus.Bus {
	t.Helper()
	b, err := natsbus.Open(natsbus.Options{URL: url, Name: t.Name(), PublishTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// heard collects what a listener hears.
type heard chan changes.Change

func listen(t *testing.T, b *natsbus.Bus) heard {
	t.Helper()
	h := make(heard, 100)
	stop, err := b.Listen(func(cs []changes.Change) {
		for _, c := range cs {
			h <- c
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return h
}

// next waits for the next change heard, for at most a while.
func (h heard) next(t *testing.T) changes.Change {
	t.Helper()
	select {
	case c := <-h:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("nothing heard within 10s")
		return changes.Change{}
	}
}

func change(seq int64, id string) changes.Change {
	src := "src-" + id
	return changes.Change{
		Seq: seq, Op: changes.Updated, Type: "Market", ID: id, At: "2026-01-02T03:04:05Z", By: "ed", Source: &src,
		Node: &kg.Node{ID: id, Type: "Market", Labels: []string{"Market"}, Name: "M " + id, Properties: map[string]any{"name": "M " + id}},
	}
}

// eventually polls cond until it holds, for at most 10s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// streamMessages is how many messages the changes stream holds.
func streamMessages(t *testing.T, url string) uint64 {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(context.Background(), "COMPANYGRAPH_CHANGES")
	if err != nil {
		t.Fatal(err)
	}
	return s.CachedInfo().State.Msgs
}

// What one process publishes every process hears, its own included, in
// order and as it was sent; a change published again with its number is
// dropped by the server.
func TestPublishListenAndDeduplicate(t *testing.T) {
	srv := natstest.Start(t)
	a, b := open(t, srv.URL()), open(t, srv.URL())
	onA, onB := listen(t, a), listen(t, b)
	ctx := context.Background()

	sent := []changes.Change{change(1, "m1"), change(2, "m2"), change(3, "m3")}
	sent[1].Node, sent[1].Edge = nil, &kg.Edge{ID: "a|WORKS_FOR|b", Type: "WORKS_FOR", From: "a", To: "b",
		Properties: map[string]any{"title": "CEO"}, Evidence: []kg.Citation{{Sentence: "A runs B.", SourceID: "s"}}}
	sent[1].Type, sent[1].ID, sent[1].Source = "WORKS_FOR", "a|WORKS_FOR|b", nil
	if err := a.Publish(ctx, sent); err != nil {
		t.Fatal(err)
	}
	for _, h := range []heard{onA, onB} {
		for _, want := range sent {
			got := h.next(t)
			if got.Seq != want.Seq || got.ID != want.ID || got.Type != want.Type || got.Op != want.Op || got.At != want.At || got.By != want.By {
				t.Fatalf("heard %+v, want %+v", got, want)
			}
			if (want.Node == nil) != (got.Node == nil) || want.Node != nil && got.Node.Name != want.Node.Name {
				t.Errorf("change %d: node %+v, want %+v", got.Seq, got.Node, want.Node)
			}
			if want.Edge != nil && (got.Edge == nil || got.Edge.Evidence[0].Sentence != "A runs B." || got.Edge.Properties["title"] != "CEO") {
				t.Errorf("change %d: edge %+v", got.Seq, got.Edge)
			}
			if (want.Source == nil) != (got.Source == nil) || want.Source != nil && *got.Source != *want.Source {
				t.Errorf("change %d: source %v, want %v", got.Seq, got.Source, want.Source)
			}
		}
	}

	// 2 again, from the other process (as a sweeper would), then 4: the
	// stream holds one message per number, and 4 is the next one heard.
	if err := b.Publish(ctx, []changes.Change{change(2, "m2"), change(4, "m4")}); err != nil {
		t.Fatal(err)
	}
	for _, h := range []heard{onA, onB} {
		if got := h.next(t); got.Seq != 4 {
			t.Errorf("after a republished 2, heard %d, want 4", got.Seq)
		}
	}
	if n := streamMessages(t, srv.URL()); n != 4 {
		t.Errorf("the stream holds %d messages, want 4", n)
	}
}

// While the server is down Publish fails at once, and the listeners
// follow the stream again once it is back, from where they were.
func TestServerDownAndBack(t *testing.T) {
	srv := natstest.Start(t)
	a, b := open(t, srv.URL()), open(t, srv.URL())
	onB := listen(t, b)
	ctx := context.Background()
	if err := a.Publish(ctx, []changes.Change{change(1, "m1")}); err != nil {
		t.Fatal(err)
	}
	if got := onB.next(t); got.Seq != 1 {
		t.Fatalf("heard %d", got.Seq)
	}

	srv.Stop()
	eventually(t, "a notices the server is gone", func() bool { return a.Check() != nil })
	begin := time.Now()
	err := a.Publish(ctx, []changes.Change{change(2, "m2")})
	if !errors.Is(err, natsbus.ErrUnavailable) {
		t.Fatalf("publish while down: %v, want ErrUnavailable", err)
	}
	t.Logf("a publish while the server is down failed in %v: %v", time.Since(begin), err)

	srv.Restart()
	eventually(t, "a is connected again", func() bool { return a.Check() == nil })
	eventually(t, "b is connected again", func() bool { return b.Check() == nil })
	if err := a.Publish(ctx, []changes.Change{change(2, "m2"), change(3, "m3")}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []int64{2, 3} {
		if got := onB.next(t); got.Seq != want {
			t.Fatalf("after the restart heard %d, want %d", got.Seq, want)
		}
	}
}

// A server that comes back without its stream gets it made anew, and the
// listeners follow the new one from its first message.
func TestStreamMadeAnew(t *testing.T) {
	srv := natstest.Start(t)
	a, b := open(t, srv.URL()), open(t, srv.URL())
	onB := listen(t, b)
	ctx := context.Background()
	if err := a.Publish(ctx, []changes.Change{change(1, "m1"), change(2, "m2"), change(3, "m3")}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		onB.next(t)
	}
	srv.Stop()
	eventually(t, "a notices the server is gone", func() bool { return a.Check() != nil })
	srv.RestartEmpty()
	eventually(t, "both have the stream again", func() bool { return a.Check() == nil && b.Check() == nil })
	if err := a.Publish(ctx, []changes.Change{change(4, "m4")}); err != nil {
		t.Fatal(err)
	}
	if got := onB.next(t); got.Seq != 4 {
		t.Fatalf("heard %d on the new stream, want 4", got.Seq)
	}
}
