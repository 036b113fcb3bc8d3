package changes

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Publishing after the commit loses the changes of a process that dies
// between the two, and a bus that is down loses what is published
// meanwhile (this process's subscribers still get it, through the local
// fallback; the other processes' do not). So every process sweeps: now
// and then it reads the outbox's head, and the changes numbered up to it
// that it has not heard on the bus a grace period after it first saw
// them committed, it reads from the outbox and publishes again. The bus
// drops a change it already holds (JetStream's de-duplication by message
// id, the change's number) and a subscriber drops one it has delivered,
// so a republish that was not needed costs a message and nothing else;
// the grace keeps those rare. Every process sweeps, so a change is
// repaired while any process is running.

// heard is what this process has heard on the bus since its sweeper
// started: low is a number every change up to which was heard,
// republished, or committed before the sweeper started (not this
// process's to repair), and above holds the numbers past it heard out of
// order. Changes arrive nearly in order, so above stays small.
type heard struct {
	mu    sync.Mutex
	on    bool
	low   int64
	above map[int64]struct{}
}

// hear records changes heard on the bus.
func (h *heard) hear(cs []Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.on {
		// Without a sweeper nothing reads what is heard: keeping it
		// would only grow.
		return
	}
	for _, c := range cs {
		if c.Seq > h.low {
			h.above[c.Seq] = struct{}{}
		}
	}
	h.advance()
}

func (h *heard) start() {
	h.mu.Lock()
	h.on = true
	h.mu.Unlock()
}

// advance moves low over the numbers heard right after it.
func (h *heard) advance() {
	for {
		if _, ok := h.above[h.low+1]; !ok {
			return
		}
		delete(h.above, h.low+1)
		h.low++
	}
}

// settle marks every change up to upTo as taken care of.
func (h *heard) settle(upTo int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if upTo <= h.low {
		return
	}
	for s := range h.above {
		if s <= upTo {
			delete(h.above, s)
		}
	}
	h.low = upTo
	h.advance()
}

func (h *heard) watermark() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.low
}

// unheard is the changes of cs not heard yet.
func (h *heard) unheard(cs []Change) []Change {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Change
	for _, c := range cs {
		if _, ok := h.above[c.Seq]; !ok && c.Seq > h.low {
			out = append(out, c)
		}
	}
	return out
}

// sweeper is the state of one process's sweeps.
type sweeper struct {
	l       *Log
	started bool
	// seen is the newest head read; marks are the heads read, oldest
	// first, whose grace has not run out yet; every change numbered up to
	// due is past its grace.
	seen, due int64
	marks     []mark
	// failing says the last sweep failed, so that a broker that stays
	// down is logged once, not every second.
	failing bool
}

// mark is a head read at a time: the changes up to it had committed then.
// The grace runs from when this process saw the head, on its own clock,
// rather than from the change's time, which Neo4j's clock wrote.
type mark struct {
	head int64
	at   time.Time
}

// headCypher reads the newest number given: every process runs it every
// sweep, so it touches the counter alone.
const headCypher = `OPTIONAL MATCH (log:ChangeLog {name: $name}) RETURN coalesce(log.seq, 0) AS head`

func (l *Log) head(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, l.o.Timeout)
	defer cancel()
	recs, err := l.client.ReadOne(ctx, headCypher, map[string]any{"name": counter})
	if err != nil {
		return 0, fmt.Errorf("read the outbox's head: %w", err)
	}
	head, _ := recs[0].Get("head")
	n, _ := head.(int64)
	return n, nil
}

// sweepPage is how many changes one read of a sweep takes from the outbox.
const sweepPage = 500

// Sweep sweeps every Options.SweepEvery until ctx ends. Without a bus it
// returns at once: the hub of one process loses nothing.
func (l *Log) Sweep(ctx context.Context) {
	if l.o.Bus == nil {
		return
	}
	s := &sweeper{l: l}
	t := time.NewTicker(l.o.SweepEvery)
	defer t.Stop()
	for {
		err := s.sweep(ctx, time.Now())
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !s.failing:
			l.o.Logger.Warn("sweeping the outbox failed; retrying every tick, logged again once it works", "err", err, "every", l.o.SweepEvery)
		case err == nil && s.failing:
			l.o.Logger.Info("sweeping the outbox again")
		}
		s.failing = err != nil
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweep reads the head and republishes what is due and unheard.
func (s *sweeper) sweep(ctx context.Context, now time.Time) error {
	h := &s.l.heard
	if !s.started {
		// Hearing starts before the head is read, so that a change
		// committed meanwhile is either at most the head or recorded.
		h.start()
	}
	head, err := s.l.head(ctx)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if !s.started {
		h.settle(head)
		s.started, s.seen, s.due = true, head, head
		return nil
	}
	if head > s.seen {
		s.marks = append(s.marks, mark{head: head, at: now})
		s.seen = head
	}
	for len(s.marks) > 0 && now.Sub(s.marks[0].at) >= s.l.o.SweepGrace {
		s.due = s.marks[0].head
		s.marks = s.marks[1:]
	}
	for {
		from := h.watermark()
		if from >= s.due {
			return nil
		}
		page, _, err := s.l.readUpTo(ctx, from, s.due, sweepPage, Filter{}, false)
		if err != nil {
			return fmt.Errorf("sweep: %w", err)
		}
		if missing := h.unheard(page); len(missing) > 0 {
			if err := s.l.o.Bus.Publish(ctx, missing); err != nil {
				return fmt.Errorf("sweep: republish changes %d to %d: %w", missing[0].Seq, missing[len(missing)-1].Seq, err)
			}
			s.l.o.Logger.Info("republished changes not heard on the bus", "count", len(missing), "first", missing[0].Seq, "last", missing[len(missing)-1].Seq)
			if s.l.o.Republished != nil {
				s.l.o.Republished(len(missing))
			}
		}
		// A full page may have more after it; a short one is all there is
		// up to due (pruned changes are simply not there).
		upTo := s.due
		if len(page) == sweepPage {
			upTo = page[len(page)-1].Seq
		}
		h.settle(upTo)
	}
}

// Heard is the number up to which every change has come to this process
// through the bus, been published again by its sweeper, or committed
// before the sweeper started; 0 until its first sweep. The outbox's head
// minus Heard is what the sweeper has still to account for.
func (l *Log) Heard() int64 { return l.heard.watermark() }
