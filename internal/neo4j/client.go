// Package neo4j owns the connection to Neo4j: one driver per process,
// managed read and write transactions, the count of every statement sent,
// schema migrations, and the translation of driver failures into the
// API's error kinds. It knows nothing of GraphQL.
package neo4j

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	neo4jconfig "github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Options says where Neo4j is and how long to try.
type Options struct {
	URI, Username, Password, Database string
	// RetryTime bounds the driver's retries of one transaction.
	RetryTime time.Duration
	// OnStatement is called once for every statement sent.
	OnStatement func()
}

// Client runs Cypher against one database.
type Client struct {
	driver      neo4j.DriverWithContext
	database    string
	onStatement func()
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
	return &Client{driver: driver, database: o.Database, onStatement: count}, nil
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
func (t Tx) Run(ctx context.Context, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	t.client.onStatement()
	res, err := t.tx.Run(ctx, cypher, params)
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

// ReadOne runs a single statement in a read transaction.
func (c *Client) ReadOne(ctx context.Context, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	out, err := c.Read(ctx, func(tx Tx) (any, error) { return tx.Run(ctx, cypher, params) })
	if err != nil {
		return nil, err
	}
	return out.([]*neo4j.Record), nil
}

func (c *Client) execute(ctx context.Context, mode neo4j.AccessMode, work func(Tx) (any, error)) (any, error) {
	session := c.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: c.database, AccessMode: mode})
	defer session.Close(context.WithoutCancel(ctx))
	fn := func(tx neo4j.ManagedTransaction) (any, error) { return work(Tx{tx: tx, client: c}) }
	var opts []func(*neo4j.TransactionConfig)
	// The request's deadline becomes the transaction's timeout, so Neo4j
	// stops the work too when the client has stopped waiting.
	if deadline, ok := ctx.Deadline(); ok {
		if left := time.Until(deadline); left > 0 {
			opts = append(opts, neo4j.WithTxTimeout(left))
		}
	}
	var out any
	var err error
	if mode == neo4j.AccessModeRead {
		out, err = session.ExecuteRead(ctx, fn, opts...)
	} else {
		out, err = session.ExecuteWrite(ctx, fn, opts...)
	}
	if err != nil {
		// The driver reports a deadline reached while it waits on the
		// network as a ConnectivityError that does not unwrap to it; the
		// request's own context says which it was.
		switch ctx.Err() {
		case context.DeadlineExceeded:
			return nil, apierror.Wrap(apierror.Timeout, err, "the request took longer than its deadline")
		case context.Canceled:
			return nil, apierror.Wrap(apierror.Timeout, err, "the request was cancelled")
		}
		return nil, translate(err)
	}
	return out, nil
}

// translate gives a driver failure its API kind, keeping the detail.
func translate(err error) error {
	if _, ok := apierror.As(err); ok {
		return err
	}
	var neoErr *neo4j.Neo4jError
	var connErr *neo4j.ConnectivityError
	var limit *neo4j.TransactionExecutionLimit
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return apierror.Wrap(apierror.Timeout, err, "the request took longer than its deadline")
	case errors.As(err, &neoErr):
		switch {
		case strings.Contains(neoErr.Code, "TransactionTimedOut"):
			return apierror.Wrap(apierror.Timeout, err, "the request took longer than its deadline")
		case strings.HasPrefix(neoErr.Code, "Neo.TransientError."),
			strings.HasPrefix(neoErr.Code, "Neo.ClientError.Security."),
			strings.HasPrefix(neoErr.Code, "Neo.ClientError.Database.DatabaseNotFound"):
			return apierror.Wrap(apierror.Unavailable, err, "the database is unavailable")
		}
		return fmt.Errorf("neo4j: %w", err)
	case errors.As(err, &connErr), errors.As(err, &limit):
		return apierror.Wrap(apierror.Unavailable, err, "the database is unavailable")
	}
	// Dial and pool failures surface as plain errors from the driver.
	if neo4j.IsRetryable(err) || strings.Contains(err.Error(), "connect") {
		return apierror.Wrap(apierror.Unavailable, err, "the database is unavailable")
	}
	return fmt.Errorf("neo4j: %w", err)
}
