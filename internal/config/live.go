package config

import (
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Live is the configuration of the change feed and its subscriptions.
type Live struct {
	// ChangesRetention is how long the graph keeps its changes; a cursor
	// older than that is CURSOR_EXPIRED.
	ChangesRetention time.Duration
	// SubscriptionBuffer is how many changes a subscriber may fall behind
	// before its subscription ends with SLOW_CONSUMER.
	SubscriptionBuffer int
	// MaxSubscriptions bounds the live subscriptions of one process, and
	// MaxSubscriptionsPerConnection those of one WebSocket.
	MaxSubscriptions, MaxSubscriptionsPerConnection int
	// KeepAlive is the interval of the pings on idle subscriptions.
	KeepAlive time.Duration
	// RecordChanges keeps the changes of every write; off, writes skip
	// the outbox and the feed stands still.
	RecordChanges bool
	// NATSURL is the NATS server (JetStream) through which the processes
	// serving one graph share its changes; empty for one process alone,
	// whose subscribers hear its own writes only.
	NATSURL string
	// SweepEvery is how often a process compares the outbox with what it
	// has heard on the bus, and SweepGrace how long a committed change may
	// go unheard before it is published again.
	SweepEvery, SweepGrace time.Duration
}

// liveFlags defines the flags of l on fs; the returned function, called
// after fs.Parse, checks them.
func liveFlags(fs *flag.FlagSet, getenv func(string) string, env func(name, def string) string, l *Live) func() error {
	retention := fs.String("changes-retention", env("COMPANYGRAPH_CHANGES_RETENTION", "168h"), "how long changes are kept for the feed and for resuming subscriptions (COMPANYGRAPH_CHANGES_RETENTION)")
	keepAlive := fs.String("keep-alive", env("COMPANYGRAPH_KEEP_ALIVE", "15s"), "interval of the pings on idle WebSocket and SSE subscriptions (COMPANYGRAPH_KEEP_ALIVE)")
	fs.IntVar(&l.SubscriptionBuffer, "subscription-buffer", envInt(getenv, "COMPANYGRAPH_SUBSCRIPTION_BUFFER", 1000), "changes a subscriber may fall behind before SLOW_CONSUMER (COMPANYGRAPH_SUBSCRIPTION_BUFFER)")
	fs.IntVar(&l.MaxSubscriptions, "max-subscriptions", envInt(getenv, "COMPANYGRAPH_MAX_SUBSCRIPTIONS", 10000), "live subscriptions one process serves (COMPANYGRAPH_MAX_SUBSCRIPTIONS)")
	fs.StringVar(&l.NATSURL, "nats-url", env("COMPANYGRAPH_NATS_URL", ""), "NATS server with JetStream through which several processes share changes, e.g. nats://127.0.0.1:4222; empty for one process alone (COMPANYGRAPH_NATS_URL)")
	sweepEvery := fs.String("sweep-interval", env("COMPANYGRAPH_SWEEP_INTERVAL", "1s"), "how often the outbox is compared with what the bus has brought (COMPANYGRAPH_SWEEP_INTERVAL)")
	sweepGrace := fs.String("sweep-grace", env("COMPANYGRAPH_SWEEP_GRACE", "2s"), "how long a committed change may go unheard on the bus before it is published again (COMPANYGRAPH_SWEEP_GRACE)")
	fs.IntVar(&l.MaxSubscriptionsPerConnection, "max-subscriptions-per-connection", envInt(getenv, "COMPANYGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION", 50), "subscriptions one WebSocket connection holds (COMPANYGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION)")
	record := fs.String("record-changes", env("COMPANYGRAPH_RECORD_CHANGES", "true"), "record every write's changes for the feed and subscriptions (COMPANYGRAPH_RECORD_CHANGES)")
	return func() error {
		var err error
		if l.RecordChanges, err = parseBool("record-changes", *record); err != nil {
			return err
		}
		if l.ChangesRetention, err = time.ParseDuration(*retention); err != nil || l.ChangesRetention <= 0 {
			return fmt.Errorf("changes-retention %q: want a positive duration such as 168h", *retention)
		}
		if l.KeepAlive, err = time.ParseDuration(*keepAlive); err != nil || l.KeepAlive <= 0 {
			return fmt.Errorf("keep-alive %q: want a positive duration such as 15s", *keepAlive)
		}
		if l.SweepEvery, err = time.ParseDuration(*sweepEvery); err != nil || l.SweepEvery <= 0 {
			return fmt.Errorf("sweep-interval %q: want a positive duration such as 1s", *sweepEvery)
		}
		if l.SweepGrace, err = time.ParseDuration(*sweepGrace); err != nil || l.SweepGrace <= 0 {
			return fmt.Errorf("sweep-grace %q: want a positive duration such as 2s", *sweepGrace)
		}
		if l.NATSURL != "" {
			for _, u := range strings.Split(l.NATSURL, ",") {
				u = strings.TrimSpace(u)
				if p, err := url.Parse(u); err != nil || p.Host == "" {
					return fmt.Errorf("nats-url %q: want URLs such as nats://127.0.0.1:4222, comma-separated", redactURL(u))
				}
			}
		}
		if l.SubscriptionBuffer < 1 || l.MaxSubscriptions < 1 || l.MaxSubscriptionsPerConnection < 1 {
			return fmt.Errorf("subscription-buffer, max-subscriptions and max-subscriptions-per-connection must be positive")
		}
		return nil
	}
}

func (l Live) String() string {
	var urls []string
	for _, u := range strings.Split(l.NATSURL, ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, redactURL(u))
		}
	}
	return fmt.Sprintf("record-changes=%t changes-retention=%s keep-alive=%s subscription-buffer=%d max-subscriptions=%d max-subscriptions-per-connection=%d nats-url=%s sweep-interval=%s sweep-grace=%s",
		l.RecordChanges, l.ChangesRetention, l.KeepAlive, l.SubscriptionBuffer, l.MaxSubscriptions, l.MaxSubscriptionsPerConnection,
		strings.Join(urls, ","), l.SweepEvery, l.SweepGrace)
}

// redactURL masks the password a NATS URL may carry (nats://user:pass@host).
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		if i := strings.LastIndex(u, "@"); i >= 0 {
			return "****" + u[i:]
		}
		return u
	}
	return p.Redacted()
}
