// Package neo4j owns the connection to Neo4j: one driver per process,
// single-statement reads in one round trip, managed read and write
// transactions, a request's bookmarks (read-your-writes), the count and
// the trace span of every statement sent, schema migrations, and
// the translation of driver failures into the API's error kinds. It knows
// nothing of GraphQL.
package neo4j

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	neo4jconfig "github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
	"go.opentelemetry.io/otel/trace"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Options says where Neo4j is and how long to try.
type Options struct {
	URI, Username, Password, Database string
	// RetryTime bounds the driver's retries of one transaction.
	RetryTime time.Duration
	// OnStatement is called once for every statement sent.
	OnStatement func()
	// IndexWait bounds how long EnsureSchema waits for the indexes to come
	// online (default a minute): an index built over a large graph that
	// is already there, as after an import, takes longer.
	IndexWait time.Duration
	// TracerProvider, when set, makes a span of every statement sent,
	// under the span of the context it is sent for (internal/tracing).
	TracerProvider trace.TracerProvider
}

// Client runs Cypher against one database.
type Client struct {
	driver      neo4j.DriverWithContext
	database    string
	onStatement func()
	indexWait   time.Duration
	retryTime   time.Duration
	// tracer is nil when tracing is off.
	tracer trace.Tracer
}

// Open creates the driver. It does not connect: Neo4j may come up later.
func Open(o Options) (*Client, error) {
	auth := neo4j.NoAuth()
	if o.Password != "" {
		auth = neo4j.BasicAuth(o.Username, o.Password, "")
	}
	driver, err := neo4j.NewDriverWithContext(o.URI, auth, func(c *neo4jconfig.Config) {
		c.MaxTransactionRetryTime = o.RetryTime
		// Short connect and acquisition timeouts keep an outage from
		// holding requests: they fail fast and the next one tries again.
		c.SocketConnectTimeout = 2 * time.Second
		c.ConnectionAcquisitionTimeout = 5 * time.Second
	})
	if err != nil {
		return nil, fmt.Errorf("neo4j driver for %s: %w", o.URI, err)
	}
	count := o.OnStatement
	if count == nil {
		count = func() {}
	}
	wait := o.IndexWait
	if wait <= 0 {
		wait = time.Minute
	}
	c := &Client{driver: driver, database: o.Database, onStatement: count, indexWait: wait, retryTime: o.RetryTime}
	if o.TracerProvider != nil {
		c.tracer = o.TracerProvider.Tracer(tracerName)
	}
	return c, nil
}

// Close releases the driver's connections.
func (c *Client) Close(ctx context.Context) error { return c.driver.Close(ctx) }

// Ping checks that Neo4j answers.
func (c *Client) Ping(ctx context.Context) error {
	if err := c.driver.VerifyConnectivity(ctx); err != nil {
		return translate(err)
	}
	return nil
}

// Tx runs statements inside one managed transaction.
type Tx struct {
	tx     neo4j.ManagedTransaction
	client *Client
}

// Run sends one parameterised statement and collects its records.
func (t Tx) Run(ctx context.Context, cypher string, params map[string]any) (recs []*neo4j.Record, err error) {
	t.client.onStatement()
	ctx, span := t.client.statement(ctx, cypher)
	defer func() { endStatement(span, err) }()
	return collect(ctx, cypher, params, func(cypher string) (neo4j.ResultWithContext, error) {
		return t.tx.Run(ctx, cypher, params)
	})
}

// collect runs cypher with run and collects its records, under PROFILE
// when ctx asks for the request's cost.
func collect(ctx context.Context, cypher string, params map[string]any, run func(string) (neo4j.ResultWithContext, error)) ([]*neo4j.Record, error) {
	if p := profileFrom(ctx); p != nil {
		return runProfiled(ctx, p, run, cypher, params)
	}
	res, err := run(cypher)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// Read runs work in a read transaction, retried by the driver on transient
// failures, so work must not have side effects outside the transaction.
func (c *Client) Read(ctx context.Context, work func(Tx) (any, error)) (any, error) {
	return c.execute(ctx, neo4j.AccessModeRead, work)
}

// Write runs work in one write transaction: all of it commits or none.
func (c *Client) Write(ctx context.Context, work func(Tx) (any, error)) (any, error) {
	return c.execute(ctx, neo4j.AccessModeWrite, work)
}

// ReadOne runs a single statement as an auto-commit read: RUN and PULL
// go in one round trip, where a managed transaction adds a BEGIN and a
// COMMIT, which is a third of a small read's latency. A read has nothing
// to undo, so it is retried here on the failures the driver retries in a
// managed transaction, for as long as the driver would (RetryTime).
func (c *Client) ReadOne(ctx context.Context, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	start := time.Now()
	delay := firstRetryDelay
	for {
		recs, err := c.readOnce(ctx, cypher, params)
		if err == nil {
			return recs, nil
		}
		if !neo4j.IsRetryable(err) || time.Since(start)+delay > c.retryTime {
			return nil, c.failure(ctx, err)
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, c.failure(ctx, err)
		}
		delay *= 2
	}
}

// firstRetryDelay is the wait before ReadOne's first retry; each next
// one waits twice as long.
const firstRetryDelay = 100 * time.Millisecond

func (c *Client) readOnce(ctx context.Context, cypher string, params map[string]any) (recs []*neo4j.Record, err error) {
	session := c.driver.NewSession(ctx, c.sessionConfig(ctx, neo4j.AccessModeRead))
	defer session.Close(context.WithoutCancel(ctx))
	c.onStatement()
	ctx, span := c.statement(ctx, cypher)
	defer func() { endStatement(span, err) }()
	opts := txTimeout(ctx)
	return collect(ctx, cypher, params, func(cypher string) (neo4j.ResultWithContext, error) {
		return session.Run(ctx, cypher, params, opts...)
	})
}

// txTimeout makes the request's deadline the transaction's timeout, so
// Neo4j stops the work too when the client has stopped waiting.
func txTimeout(ctx context.Context) []func(*neo4j.TransactionConfig) {
	if deadline, ok := ctx.Deadline(); ok {
		if left := time.Until(deadline); left > 0 {
			return []func(*neo4j.TransactionConfig){neo4j.WithTxTimeout(left)}
		}
	}
	return nil
}

func (c *Client) execute(ctx context.Context, mode neo4j.AccessMode, work func(Tx) (any, error)) (any, error) {
	session := c.driver.NewSession(ctx, c.sessionConfig(ctx, mode))
	defer session.Close(context.WithoutCancel(ctx))
	fn := func(tx neo4j.ManagedTransaction) (any, error) { return work(Tx{tx: tx, client: c}) }
	opts := txTimeout(ctx)
	var out any
	var err error
	if mode == neo4j.AccessModeRead {
		out, err = session.ExecuteRead(ctx, fn, opts...)
	} else {
		out, err = session.ExecuteWrite(ctx, fn, opts...)
	}
	if err != nil {
		return nil, c.failure(ctx, err)
	}
	if mode == neo4j.AccessModeWrite {
		committed(ctx, session)
	}
	return out, nil
}

// failure is the API's error for err, a failure of work done for ctx.
func (c *Client) failure(ctx context.Context, err error) error {
	// The driver reports a deadline reached while it waits on the network
	// as a ConnectivityError that does not unwrap to it; the request's own
	// context says which it was.
	switch ctx.Err() {
	case context.DeadlineExceeded:
		return apierror.Wrap(apierror.Timeout, err, "the request took longer than its deadline")
	case context.Canceled:
		return apierror.Wrap(apierror.Timeout, err, "the request was cancelled")
	}
	return translate(err)
}

// AutoCommit runs one statement in an auto-commit transaction, which
// CALL { ... } IN TRANSACTIONS needs: it commits its own batches. The
// driver does not retry it, so the statement must be safe to repeat.
func (c *Client) AutoCommit(ctx context.Context, cypher string, params map[string]any) error {
	session := c.driver.NewSession(ctx, c.sessionConfig(ctx, neo4j.AccessModeWrite))
	defer session.Close(context.WithoutCancel(ctx))
	c.onStatement()
	ctx, span := c.statement(ctx, cypher)
	res, err := session.Run(ctx, cypher, params)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	endStatement(span, err)
	if err != nil {
		return translate(err)
	}
	committed(ctx, session)
	return nil
}

// Codes of the Neo4j errors that are not failures of the database.
const (
	codeConstraintViolated = "Neo.ClientError.Schema.ConstraintValidationFailed"
	codeDatabaseNotFound   = "Neo.ClientError.Database.DatabaseNotFound"
	codeInvalidBookmark    = "Neo.ClientError.Transaction.InvalidBookmark"
	codeBookmarkMixture    = "Neo.ClientError.Transaction.InvalidBookmarkMixture"
)

// driverUnavailable are the types of the driver's own failures to reach a
// server that it keeps in internal packages (its pool and its router), so
// they are known by their type names. They are checked along the chain of
// wrapped errors, as errors.As would.
var driverUnavailable = map[string]bool{
	"*errorutil.PoolTimeout":           true,
	"*errorutil.PoolFull":              true,
	"*errorutil.PoolOutOfServers":      true,
	"*errorutil.ReadRoutingTableError": true,
}

// translate gives a driver failure its API kind, keeping the detail for the
// log. It goes by the error's type and Neo4j's code, never by its text,
// which neither the driver nor Neo4j promise to keep.
func translate(err error) error {
	if _, ok := apierror.As(err); ok {
		return err
	}
	var neoErr *neo4j.Neo4jError
	var connErr *neo4j.ConnectivityError
	var limit *neo4j.TransactionExecutionLimit
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return apierror.Wrap(apierror.Timeout, err, "the request took longer than its deadline")
	case errors.Is(err, context.Canceled):
		return apierror.Wrap(apierror.Timeout, err, "the request was cancelled")
	case errors.As(err, &neoErr):
		return translateNeo4j(err, neoErr)
	case errors.As(err, &connErr), errors.As(err, &limit), errors.As(err, &netErr), driverError(err):
		return apierror.Wrap(apierror.Unavailable, err, "the database is unavailable")
	case neo4j.IsRetryable(err):
		return apierror.Wrap(apierror.Unavailable, err, "the database is unavailable")
	}
	return fmt.Errorf("neo4j: %w", err)
}

func translateNeo4j(err error, e *neo4j.Neo4jError) error {
	switch {
	case e.Code == codeConstraintViolated:
		// Another rule of the graph's (a uniqueness the API does not
		// define) is a conflict too, but its value is not the client's id.
		c := apierror.Wrap(apierror.Conflict, err, "the write conflicts with data already in the graph")
		if id, ok := conflictingID(e.Msg); ok {
			c.Message = fmt.Sprintf("id %q is already used by another node", id)
			c.Fields = map[string]any{"id": id}
		}
		return c
	case e.Code == codeInvalidBookmark, e.Code == codeBookmarkMixture:
		// Only a client's bookmark reaches Neo4j unchecked by the driver:
		// well-formed text that does not decode as one of Neo4j's.
		return apierror.Wrap(apierror.BadRequest, err, "a bookmark the request sent is not one this database gave")
	case e.Title() == "TransactionTimedOut", e.Title() == "TransactionTimedOutClientConfiguration":
		return apierror.Wrap(apierror.Timeout, err, "the request took longer than its deadline")
	case e.Classification() == "TransientError", e.HasSecurityCode(), e.Code == codeDatabaseNotFound, e.IsRetriable():
		// Security: the API's own credentials are refused, which a client
		// cannot fix, so it is the database being out of reach.
		return apierror.Wrap(apierror.Unavailable, err, "the database is unavailable")
	}
	return fmt.Errorf("neo4j: %w", err)
}

func driverError(err error) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		if driverUnavailable[fmt.Sprintf("%T", err)] {
			return true
		}
	}
	return false
}

// violation is how Neo4j 5 words a uniqueness violation of a node's id;
// the id is the only part of it a client sees, quoted again by us.
var violation = regexp.MustCompile("^Node\\(\\d+\\) already exists with label `[^`]+` and property `id` = '(.*)'$")

// conflictingID is the id a violation of an id's uniqueness names, when
// Neo4j's message gives it in the form it has used since 4.0. The kind of
// the error is its code; the message only lends the detail.
func conflictingID(msg string) (string, bool) {
	m := violation.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	return m[1], true
}
