package changes

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/companygraph/companygraph/internal/apierror"
)

// hub fans the changes published in this process out to its listeners.
// Publishing never waits for a listener: one whose buffer is full is
// dropped, its channel closed, and its subscription ends.
type hub struct {
	mu   sync.Mutex
	subs map[*listener]struct{}
	// drained: the process is stopping, and a new listener ends at once.
	drained bool
}

type listener struct {
	c chan Change
	// ended says why the hub closed c: a full buffer, or a drain.
	ended atomic.Value // of end
}

type end int

const (
	overflowed end = iota + 1
	drained
)

func (h *hub) listen(buffer int) *listener {
	l := &listener{c: make(chan Change, buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.drained {
		l.ended.Store(drained)
		close(l.c)
		return l
	}
	h.subs[l] = struct{}{}
	return l
}

func (h *hub) drop(l *listener) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[l]; ok {
		delete(h.subs, l)
		close(l.c)
	}
}

func (h *hub) publish(cs []Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for l := range h.subs {
		for _, c := range cs {
			select {
			case l.c <- c:
				continue
			default:
			}
			l.ended.Store(overflowed)
			delete(h.subs, l)
			close(l.c)
			break
		}
	}
}

// drain ends every listener, as the process is about to stop.
func (h *hub) drain() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drained = true
	for l := range h.subs {
		l.ended.Store(drained)
		delete(h.subs, l)
		close(l.c)
	}
}

// Drain ends every subscription of this process, and any that starts
// after, with an error that says to resume elsewhere from the last cursor:
// for a graceful stop, before the server stops serving.
func (l *Log) Drain() { l.hub.drain() }

// Deliver hands changes heard from the bus to this process's subscribers,
// and tells the sweeper they were heard.
func (l *Log) Deliver(cs []Change) {
	l.heard.hear(cs)
	l.hub.publish(cs)
}

// Subscribe returns the changes the filter takes as they commit, in
// order. With after, it first returns every change after that cursor
// (an error if retention has dropped some of them), then the live ones,
// with no gap and no duplicate; without, it starts from the newest. The
// channel closes when ctx ends or the subscription fails; the failure is
// passed to fail first.
func (l *Log) Subscribe(ctx context.Context, f Filter, after *string, fail func(error)) (<-chan *Change, error) {
	if err := l.check(f); err != nil {
		return nil, err
	}
	if err := l.admit(ctx); err != nil {
		return nil, err
	}
	release := func() {
		l.live.Add(-1)
		if c := connectionOf(ctx); c != nil {
			c.Add(-1)
		}
	}
	// Listening starts before the outbox is read, so a change that
	// commits meanwhile is either read or heard, or both.
	sub := l.hub.listen(l.o.Buffer)
	var last int64
	var err error
	if after != nil {
		last, err = parseCursor(*after)
		if err == nil {
			// Checks the cursor now, so an expired one fails the
			// subscription instead of its first event.
			_, _, err = l.readUpTo(ctx, last, last, 1, Filter{}, true)
		}
	} else {
		_, last, err = l.read(ctx, 0, 0, Filter{}, false)
	}
	if err != nil {
		l.hub.drop(sub)
		release()
		return nil, err
	}
	out := make(chan *Change)
	go func() {
		defer close(out)
		defer release()
		defer l.hub.drop(sub)
		s := stream{l: l, ctx: ctx, f: f, out: out, last: last}
		if err := s.catchUp(-1); err != nil {
			fail(err)
			return
		}
		for {
			select {
			case <-ctx.Done():
				return
			case c, ok := <-sub.c:
				if !ok {
					cursor := (&Change{Seq: s.last}).Cursor()
					var e *apierror.Error
					switch sub.ended.Load() {
					case overflowed:
						e = apierror.New(apierror.SlowConsumer, "the subscriber fell %d changes behind; subscribe again with after: %q", l.o.Buffer, cursor)
					case drained:
						e = apierror.New(apierror.Unavailable, "the server is stopping; subscribe again, here or on another server, with after: %q", cursor)
					default:
						return
					}
					e.Fields = map[string]any{"after": cursor}
					fail(e)
					return
				}
				if err := s.take(c); err != nil {
					fail(err)
					return
				}
			}
		}
	}()
	return out, nil
}

// admit counts a new subscription against the limits of the process and
// of its connection.
func (l *Log) admit(ctx context.Context) error {
	if n := l.live.Add(1); l.o.MaxSubscriptions > 0 && n > int64(l.o.MaxSubscriptions) {
		l.live.Add(-1)
		e := apierror.New(apierror.LimitExceeded, "the server has its %d live subscriptions", l.o.MaxSubscriptions)
		e.Fields = map[string]any{"limit": "subscriptions", "max": l.o.MaxSubscriptions}
		return e
	}
	if c := connectionOf(ctx); c != nil {
		if n := c.Add(1); l.o.MaxPerConnection > 0 && n > int64(l.o.MaxPerConnection) {
			c.Add(-1)
			l.live.Add(-1)
			e := apierror.New(apierror.LimitExceeded, "a connection may hold %d subscriptions", l.o.MaxPerConnection)
			e.Fields = map[string]any{"limit": "subscriptionsPerConnection", "max": l.o.MaxPerConnection}
			return e
		}
	}
	return nil
}

// stream is one subscription's delivery: last is the number of the last
// change it has passed, delivered or filtered out.
type stream struct {
	l    *Log
	ctx  context.Context
	f    Filter
	out  chan<- *Change
	last int64
}

// take passes a live change: one already passed is a duplicate, and one
// past the next number means the ones between were missed, so they are
// read from the outbox first.
func (s *stream) take(c Change) error {
	if c.Seq <= s.last {
		return nil
	}
	if c.Seq > s.last+1 {
		if err := s.catchUp(c.Seq - 1); err != nil {
			return err
		}
	}
	return s.send(c)
}

// catchUp delivers the changes in the outbox after last, up to upTo (all
// when -1), a page at a time.
func (s *stream) catchUp(upTo int64) error {
	for {
		page, _, err := s.l.readUpTo(s.ctx, s.last, upTo, catchUpPage, Filter{}, true)
		if err != nil {
			return err
		}
		for _, c := range page {
			if err := s.send(c); err != nil {
				return err
			}
		}
		if len(page) < catchUpPage {
			return nil
		}
	}
}

// catchUpPage is how many changes one read of the outbox returns.
const catchUpPage = 500

func (s *stream) send(c Change) error {
	if c.Seq <= s.last {
		return nil
	}
	s.last = c.Seq
	if !s.f.match(&c) {
		return nil
	}
	select {
	case s.out <- &c:
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

// Live answers Subscription.changes: the subscriptions of a Log.
type Live struct{ Log *Log }

// Changes follows the changes of the given types and ids live, from after
// (a cursor) when given; see Log.Subscribe.
func (v Live) Changes(ctx context.Context, types []string, ids []string, after *string) (<-chan *Change, error) {
	return v.Log.Subscribe(ctx, Filter{Types: types, IDs: ids}, after, func(err error) {
		if v.Log.o.Fail != nil {
			v.Log.o.Fail(ctx, err)
		}
	})
}

type connectionKey struct{}

// WithConnection marks ctx as one connection's, whose subscriptions
// MaxPerConnection bounds.
func WithConnection(ctx context.Context) context.Context {
	return context.WithValue(ctx, connectionKey{}, new(atomic.Int64))
}

func connectionOf(ctx context.Context) *atomic.Int64 {
	c, _ := ctx.Value(connectionKey{}).(*atomic.Int64)
	return c
}
