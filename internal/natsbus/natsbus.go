// Package natsbus carries the graph's changes between the processes that
// serve it, over NATS JetStream: it is the changes.Bus of a deployment of
// several replicas. Each process publishes what its writes commit to one
// stream, one message per change whose message id is the change's number,
// and follows the stream from where it joined. JetStream drops a message
// whose id it has seen within the stream's duplicate window, so the
// sweepers of internal/changes may publish again whatever they did not
// hear.
//
// It is not where changes are kept: the outbox in Neo4j is, and the stream
// holds only a short history, enough for a listener that reconnects to
// resume. A subscriber that falls further behind reads the outbox.
package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/companygraph/companygraph/internal/changes"
	"github.com/companygraph/companygraph/internal/kg"
)

// Options configure a Bus. Zero values take the defaults in their comments.
type Options struct {
	// URL is the NATS server, e.g. nats://127.0.0.1:4222; several may be
	// given, comma-separated.
	URL string
	// Name names the connection on the server, for its monitoring.
	Name string
	// Stream is the JetStream stream (COMPANYGRAPH_CHANGES), and Subject
	// the prefix of its subjects (companygraph.changes): a change is
	// published on Subject.<its type>.
	Stream, Subject string
	// Duplicates is the stream's de-duplication window (2m): a change
	// republished within it is dropped by the server.
	Duplicates time.Duration
	// MaxAge (1h) and MaxBytes (256 MiB) bound the stream; the oldest
	// messages go first.
	MaxAge   time.Duration
	MaxBytes int64
	// PublishTimeout bounds one Publish (2s): a write waits for it after
	// its commit.
	PublishTimeout time.Duration
	// Logger tells of the connection coming and going; nil logs nothing.
	Logger *slog.Logger
}

// Bus is a changes.Bus over one NATS connection.
type Bus struct {
	o   Options
	log *slog.Logger
	nc  *nats.Conn
	js  jetstream.JetStream
	// reconnected wakes the keeper, which puts the stream in place again
	// (the server may be a new one).
	reconnected chan struct{}
	done        chan struct{}
	closeOnce   sync.Once
	keeping     sync.WaitGroup

	mu sync.Mutex
	// stream says the stream is in place; created is when the server made
	// it, which changes when the stream was lost and made again; renewed
	// is closed then, to restart the listeners.
	stream  bool
	created time.Time
	renewed chan struct{}
}

// ErrUnavailable is a Publish while the connection to the server is down.
var ErrUnavailable = errors.New("the NATS server is not connected")

// Open connects to the server and puts the stream in place. A server that
// is down is not an error: the connection and the stream follow it in the
// background, and Publish fails fast meanwhile.
func Open(o Options) (*Bus, error) {
	if o.Stream == "" {
		o.Stream = "COMPANYGRAPH_CHANGES"
	}
	if o.Subject == "" {
		o.Subject = "companygraph.changes"
	}
	if o.Duplicates <= 0 {
		o.Duplicates = 2 * time.Minute
	}
	if o.MaxAge <= 0 {
		o.MaxAge = time.Hour
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 256 << 20
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	b := &Bus{o: o, log: o.Logger, reconnected: make(chan struct{}, 1), done: make(chan struct{}), renewed: make(chan struct{})}
	nc, err := nats.Connect(o.URL,
		nats.Name(o.Name),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		// No buffering while reconnecting: a write's Publish fails at once
		// and the write goes on, rather than its changes waiting in a
		// buffer the process may die with.
		nats.ReconnectBufSize(-1),
		// Close is ours: it is not the server going away.
		nats.NoCallbacksAfterClientClose(),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			b.log.Warn("lost the NATS server; writes go on, and their changes reach the other processes once it is back", "err", err)
			b.setStream(false)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("connected to the NATS server", "url", nc.ConnectedUrlRedacted())
			select {
			case b.reconnected <- struct{}{}:
			default:
			}
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("nats %s: %w", redact(o.URL), err)
	}
	b.nc = nc
	if b.js, err = jetstream.New(nc, jetstream.WithPublishAsyncTimeout(o.PublishTimeout)); err != nil {
		nc.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if nc.IsConnected() {
		b.log.Info("connected to the NATS server", "url", nc.ConnectedUrlRedacted())
		// Synchronously when the server is there, so that a Listen right
		// after Open finds the stream; the keeper logs a failure.
		_ = b.ensureStream()
	} else {
		b.log.Warn("the NATS server is not reachable yet; connecting in the background, and writes go on meanwhile", "url", redact(o.URL))
	}
	b.keeping.Add(1)
	go b.keep()
	return b, nil
}

// redact hides the password of a URL for the log.
func redact(urls string) string {
	var out []string
	for _, u := range strings.Split(urls, ",") {
		if i := strings.LastIndex(u, "@"); i >= 0 {
			if j := strings.Index(u, "://"); j >= 0 && j < i {
				u = u[:j+3] + "****" + u[i:]
			}
		}
		out = append(out, u)
	}
	return strings.Join(out, ",")
}

// keep puts the stream in place, again after every reconnection, until
// Close.
func (b *Bus) keep() {
	defer b.keeping.Done()
	failing := false
	for {
		if b.nc.IsConnected() {
			err := b.ensureStream()
			if err != nil && !failing {
				b.log.Warn("the changes stream is not in place yet; retrying every second", "stream", b.o.Stream, "err", err)
			}
			failing = err != nil
		}
		wait := time.Hour
		if !b.streamReady() {
			wait = time.Second
		}
		select {
		case <-b.done:
			return
		case <-b.reconnected:
		case <-time.After(wait):
		}
	}
}

func (b *Bus) ensureStream() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        b.o.Stream,
		Description: "companygraph: every committed change of the graph, one message per change, its number the message id",
		Subjects:    []string{b.o.Subject + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		Duplicates:  b.o.Duplicates,
		MaxAge:      b.o.MaxAge,
		MaxBytes:    b.o.MaxBytes,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", b.o.Stream, err)
	}
	created := s.CachedInfo().Created
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.created.IsZero() && !created.Equal(b.created) {
		// The server lost the stream and it was made anew, its message
		// numbers from 1 again: listeners resuming from their old place
		// would wait for numbers long past, so they start over from its
		// first message (all of it is new to them).
		b.log.Warn("the changes stream was made anew; listeners follow it from its start", "stream", b.o.Stream)
		close(b.renewed)
		b.renewed = make(chan struct{})
	}
	b.created, b.stream = created, true
	return nil
}

func (b *Bus) setStream(ok bool) {
	b.mu.Lock()
	b.stream = ok
	b.mu.Unlock()
}

func (b *Bus) streamReady() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stream
}

// Check says whether the bus works: nil when the server is connected and
// the stream is in place. Its messages name no host, so /readyz may show
// them.
func (b *Bus) Check() error {
	switch {
	case b.nc.IsClosed():
		return errors.New("closed")
	case !b.nc.IsConnected():
		return errors.New("the NATS server is not connected")
	case !b.streamReady():
		return errors.New("connected, the changes stream is not in place yet")
	}
	return nil
}

// Close stops the keeper and closes the connection at once, without
// draining: what was not acknowledged is the sweepers' to repair.
func (b *Bus) Close() {
	b.closeOnce.Do(func() {
		close(b.done)
		b.nc.Close()
		b.keeping.Wait()
	})
}

// message is a change on the wire: the fields of changes.Change, the node
// or relationship as the outbox keeps it (its JSON).
type message struct {
	Seq    int64      `json:"seq"`
	Op     changes.Op `json:"op"`
	Type   string     `json:"type"`
	ID     string     `json:"id"`
	At     string     `json:"at"`
	By     string     `json:"by"`
	Source *string    `json:"source,omitempty"`
	Node   *kg.Node   `json:"node,omitempty"`
	Edge   *kg.Edge   `json:"edge,omitempty"`
}

func encode(c changes.Change) ([]byte, error) {
	return json.Marshal(message{Seq: c.Seq, Op: c.Op, Type: c.Type, ID: c.ID, At: c.At, By: c.By, Source: c.Source, Node: c.Node, Edge: c.Edge})
}

func decode(data []byte) (changes.Change, error) {
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		return changes.Change{}, err
	}
	if m.Seq <= 0 {
		return changes.Change{}, fmt.Errorf("a change without a number")
	}
	return changes.Change{Seq: m.Seq, Op: m.Op, Type: m.Type, ID: m.ID, At: m.At, By: m.By, Source: m.Source, Node: m.Node, Edge: m.Edge}, nil
}

// subject is where a change goes: under the prefix, by its type, so that
// a consumer outside the API may take only some types.
func (b *Bus) subject(c changes.Change) string {
	t := c.Type
	if t == "" || strings.ContainsAny(t, ".*> \t\r\n") {
		// Not a subject token; the API's types are GraphQL names and
		// relationship types, which always are.
		t = "_"
	}
	return b.o.Subject + "." + t
}

// publishWindow is how many changes one Publish has in flight at once,
// under the client's limit of pending asynchronous publishes (4000).
const publishWindow = 1000

// Publish sends the changes, each with its number as the message id, and
// waits until the server has stored them all, for at most PublishTimeout.
func (b *Bus) Publish(ctx context.Context, cs []changes.Change) error {
	if len(cs) == 0 {
		return nil
	}
	if !b.nc.IsConnected() {
		return fmt.Errorf("publish changes %d to %d: %w", cs[0].Seq, cs[len(cs)-1].Seq, ErrUnavailable)
	}
	ctx, cancel := context.WithTimeout(ctx, b.o.PublishTimeout)
	defer cancel()
	for start := 0; start < len(cs); start += publishWindow {
		window := cs[start:min(start+publishWindow, len(cs))]
		acks := make([]jetstream.PubAckFuture, 0, len(window))
		for _, c := range window {
			data, err := encode(c)
			if err != nil {
				return fmt.Errorf("publish change %d: %w", c.Seq, err)
			}
			ack, err := b.js.PublishMsgAsync(&nats.Msg{Subject: b.subject(c), Data: data},
				jetstream.WithMsgID(strconv.FormatInt(c.Seq, 10)), jetstream.WithExpectStream(b.o.Stream))
			if err != nil {
				return fmt.Errorf("publish change %d: %w", c.Seq, err)
			}
			acks = append(acks, ack)
		}
		for i, ack := range acks {
			select {
			case <-ack.Ok():
			case err := <-ack.Err():
				return fmt.Errorf("publish change %d: %w", window[i].Seq, err)
			case <-ctx.Done():
				return fmt.Errorf("publish change %d: not acknowledged: %w", window[i].Seq, ctx.Err())
			}
		}
	}
	return nil
}

// Listen follows the stream from its next message on, handing every
// change to deliver, until stop. It returns at once: while the server or
// the stream is not there it keeps trying, and the ordered consumer it
// follows with resumes by itself after the connection comes back.
func (b *Bus) Listen(deliver func([]changes.Change)) (stop func(), err error) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{b: b, deliver: deliver}
	var first jetstream.ConsumeContext
	if b.streamReady() {
		// Synchronously when it can, so that what is published once Listen
		// has returned is heard.
		first, _ = f.consume(ctx)
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		f.follow(ctx, first)
	}()
	return func() { cancel(); <-stopped }, nil
}

// follower is one Listen's consuming of the stream.
type follower struct {
	b       *Bus
	deliver func([]changes.Change)
	mu      sync.Mutex
	// last is the stream sequence of the last message delivered: a
	// consumer made again starts after it, so that no message is missed
	// or repeated across the gap.
	last uint64
	// fromStart says the stream was made anew: the next consumer starts
	// at its first message.
	fromStart bool
	// renewed is the Bus's renewed when the current consumer was made.
	renewed chan struct{}
}

// follow consumes the stream until ctx ends or the connection is closed,
// making its consumer again whenever it stops; cc is the first one, if
// Listen could make it.
func (f *follower) follow(ctx context.Context, cc jetstream.ConsumeContext) {
	failing := false
	for {
		if cc == nil {
			var err error
			if cc, err = f.consume(ctx); err != nil {
				if !failing && ctx.Err() == nil && !f.b.nc.IsClosed() {
					f.b.log.Warn("cannot follow the changes stream yet; retrying", "err", err)
				}
				failing = true
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Second):
				}
				if f.b.nc.IsClosed() {
					return
				}
				continue
			}
			if failing {
				f.b.log.Info("following the changes stream")
			}
			failing = false
		}
		f.mu.Lock()
		renewed := f.renewed
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			cc.Stop()
			<-cc.Closed()
			return
		case <-renewed:
			cc.Stop()
			<-cc.Closed()
			f.mu.Lock()
			f.last, f.fromStart = 0, true
			f.mu.Unlock()
		case <-cc.Closed():
		}
		cc = nil
		if f.b.nc.IsClosed() {
			return
		}
	}
}

// consume makes an ordered consumer from the next message on (after last,
// if any) and consumes it.
func (f *follower) consume(ctx context.Context) (jetstream.ConsumeContext, error) {
	f.b.mu.Lock()
	renewed := f.b.renewed
	f.b.mu.Unlock()
	f.mu.Lock()
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy}
	switch {
	case f.fromStart:
		cfg.DeliverPolicy = jetstream.DeliverAllPolicy
	case f.last > 0:
		cfg = jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: f.last + 1}
	}
	f.renewed = renewed
	f.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cons, err := f.b.js.OrderedConsumer(ctx, f.b.o.Stream, cfg)
	if err != nil {
		return nil, fmt.Errorf("ordered consumer on %s: %w", f.b.o.Stream, err)
	}
	cc, err := cons.Consume(f.handle, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		f.b.log.Debug("following the changes stream", "err", err)
	}))
	if err != nil {
		return nil, fmt.Errorf("consume %s: %w", f.b.o.Stream, err)
	}
	return cc, nil
}

func (f *follower) handle(m jetstream.Msg) {
	c, err := decode(m.Data())
	if err != nil {
		f.b.log.Warn("a message on the changes stream is not a change; skipped", "subject", m.Subject(), "err", err)
	} else {
		f.deliver([]changes.Change{c})
	}
	if md, err := m.Metadata(); err == nil {
		f.mu.Lock()
		f.last, f.fromStart = md.Sequence.Stream, false
		f.mu.Unlock()
	}
}
