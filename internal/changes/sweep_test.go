package changes

import (
	"slices"
	"testing"
)

func seqs(cs []Change) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.Seq)
	}
	return out
}

func numbered(ns ...int64) []Change {
	out := make([]Change, len(ns))
	for i, n := range ns {
		out[i] = Change{Seq: n}
	}
	return out
}

// What is heard moves the mark over every number heard right after it;
// what is heard out of order waits above it, and a settle covers the rest.
func TestHeard(t *testing.T) {
	h := heard{above: map[int64]struct{}{}}
	h.hear(numbered(1, 2))
	if h.watermark() != 0 {
		t.Fatalf("heard before the sweeper started: mark %d", h.watermark())
	}
	h.start()
	h.settle(10)
	h.hear(numbered(11, 13, 14, 9))
	if got := h.watermark(); got != 11 {
		t.Errorf("after 11, 13, 14: mark %d, want 11", got)
	}
	if got := seqs(h.unheard(numbered(11, 12, 13, 14, 15))); !slices.Equal(got, []int64{12, 15}) {
		t.Errorf("unheard %v, want [12 15]", got)
	}
	h.hear(numbered(12))
	if got := h.watermark(); got != 14 {
		t.Errorf("after 12: mark %d, want 14", got)
	}
	h.hear(numbered(17))
	h.settle(15)
	if got := h.watermark(); got != 15 || len(h.above) != 1 {
		t.Errorf("settled to 15: mark %d, above %v", got, h.above)
	}
	h.hear(numbered(16))
	if got := h.watermark(); got != 17 || len(h.above) != 0 {
		t.Errorf("after 16: mark %d, above %v", got, h.above)
	}
}
