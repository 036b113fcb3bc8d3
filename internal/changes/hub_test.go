package changes

import (
	"testing"

	"github.com/companygraph/companygraph/internal/kg"
)

// The hub hands every listener every change, never waits for one, and
// says why it closed a listener's channel.
func TestHub(t *testing.T) {
	h := hub{subs: map[*listener]struct{}{}}
	roomy, tight := h.listen(3), h.listen(1)
	h.publish([]Change{{Seq: 1}, {Seq: 2}})
	if got := len(roomy.c); got != 2 {
		t.Errorf("the roomy listener holds %d changes, want 2", got)
	}
	if c, ok := <-tight.c; !ok || c.Seq != 1 {
		t.Errorf("the tight listener's first change: %+v %v", c, ok)
	}
	if _, ok := <-tight.c; ok || tight.ended.Load() != overflowed {
		t.Errorf("a listener whose buffer is full is closed as overflowed: %v %v", ok, tight.ended.Load())
	}
	h.publish([]Change{{Seq: 3}})
	if got := len(roomy.c); got != 3 {
		t.Errorf("after the overflow of another, the roomy listener holds %d, want 3", got)
	}
	h.drain()
	for range roomy.c {
	}
	if roomy.ended.Load() != drained {
		t.Errorf("a drained listener ends as drained: %v", roomy.ended.Load())
	}
	// Dropping a listener the hub has closed already is harmless.
	h.drop(roomy)
	h.drop(tight)
	if late := h.listen(1); late.ended.Load() != drained {
		t.Errorf("a listener after the drain is not ended: %v", late.ended.Load())
	} else if _, ok := <-late.c; ok {
		t.Error("a listener after the drain is open")
	}
}

// A filter takes a node's changes by id and type, and a relationship's by
// either end.
func TestFilter(t *testing.T) {
	node := &Change{Type: "Market", ID: "m1"}
	edge := &Change{Type: "WORKS_FOR", ID: "e|WORKS_FOR|c"}
	edge.Edge = &kg.Edge{From: "e", To: "c"}
	for _, tt := range []struct {
		f    Filter
		c    *Change
		want bool
	}{
		{Filter{}, node, true},
		{Filter{Types: []string{"Market"}}, node, true},
		{Filter{Types: []string{"Company"}}, node, false},
		{Filter{IDs: []string{"m1"}}, node, true},
		{Filter{IDs: []string{"m2"}}, node, false},
		{Filter{IDs: []string{"c"}}, edge, true},
		{Filter{IDs: []string{"e"}, Types: []string{"WORKS_FOR"}}, edge, true},
		{Filter{IDs: []string{"x"}}, edge, false},
	} {
		if got := tt.f.match(tt.c); got != tt.want {
			t.Errorf("%+v on %s %s: %v, want %v", tt.f, tt.c.Type, tt.c.ID, got, tt.want)
		}
	}
}
