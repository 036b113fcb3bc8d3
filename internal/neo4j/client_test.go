package neo4j

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/companygraph/companygraph/internal/apierror"
)

func TestTranslate(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	neoErr := func(code, msg string) *neo4j.Neo4jError { return &neo4j.Neo4jError{Code: code, Msg: msg} }
	tests := []struct {
		name string
		err  error
		code apierror.Code
		// message, when set, is what the client is told.
		message string
	}{
		{"deadline", context.DeadlineExceeded, apierror.Timeout, ""},
		{"deadline wrapped", fmt.Errorf("read: %w", context.DeadlineExceeded), apierror.Timeout, ""},
		{"cancelled", context.Canceled, apierror.Timeout, "the request was cancelled"},
		{"uniqueness", neoErr("Neo.ClientError.Schema.ConstraintValidationFailed", "Node(7) already exists with label `Node` and property `id` = 'acme'"),
			apierror.Conflict, `id "acme" is already used by another node`},
		{"uniqueness of an id with quotes", fmt.Errorf("create Company: %w", neoErr("Neo.ClientError.Schema.ConstraintValidationFailed", "Node(7) already exists with label `Company` and property `id` = 'it's'")),
			apierror.Conflict, `id "it's" is already used by another node`},
		{"uniqueness worded otherwise", neoErr("Neo.ClientError.Schema.ConstraintValidationFailed", "something new"),
			apierror.Conflict, "the write conflicts with data already in the graph"},
		// A rule the API does not define: its value is not shown.
		{"uniqueness of another property", neoErr("Neo.ClientError.Schema.ConstraintValidationFailed", "Node(7) already exists with label `Market` and property `name` = 'Twin'"),
			apierror.Conflict, "the write conflicts with data already in the graph"},
		{"transaction timed out", neoErr("Neo.ClientError.Transaction.TransactionTimedOut", "x"), apierror.Timeout, ""},
		{"transaction timed out by the client's config", neoErr("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration", "x"), apierror.Timeout, ""},
		{"deadlock", neoErr("Neo.TransientError.Transaction.DeadlockDetected", "x"), apierror.Unavailable, ""},
		{"database unavailable", neoErr("Neo.TransientError.General.DatabaseUnavailable", "x"), apierror.Unavailable, ""},
		{"wrong password", neoErr("Neo.ClientError.Security.Unauthorized", "x"), apierror.Unavailable, ""},
		{"no such database", neoErr("Neo.ClientError.Database.DatabaseNotFound", "x"), apierror.Unavailable, ""},
		{"not a leader", neoErr("Neo.ClientError.Cluster.NotALeader", "x"), apierror.Unavailable, ""},
		{"bookmark Neo4j cannot decode", neoErr("Neo.ClientError.Transaction.InvalidBookmark", "Parsing of supplied bookmarks failed"), apierror.BadRequest, "a bookmark the request sent is not one this database gave"},
		{"bookmarks of several databases", neoErr("Neo.ClientError.Transaction.InvalidBookmarkMixture", "x"), apierror.BadRequest, ""},
		{"syntax error", neoErr("Neo.ClientError.Statement.SyntaxError", "connect failed"), apierror.Internal, ""},
		{"type error", neoErr("Neo.ClientError.Statement.TypeError", "x"), apierror.Internal, ""},
		{"connectivity", &neo4j.ConnectivityError{Inner: errors.New("reset")}, apierror.Unavailable, ""},
		{"connectivity wrapped", fmt.Errorf("look up ids: %w", &neo4j.ConnectivityError{Inner: dial}), apierror.Unavailable, ""},
		{"retries exhausted", &neo4j.TransactionExecutionLimit{Cause: "timeout", Errors: []error{neoErr("Neo.TransientError.Transaction.DeadlockDetected", "x")}}, apierror.Unavailable, ""},
		{"dial", dial, apierror.Unavailable, ""},
		{"dns", &net.DNSError{Err: "no such host", Name: "neo4j"}, apierror.Unavailable, ""},
		{"usage", &neo4j.UsageError{Message: "cannot connect"}, apierror.Internal, ""},
		// The text used to decide; now only types and codes do.
		{"plain error that says connect", errors.New("could not connect"), apierror.Internal, ""},
		{"already an API error", apierror.New(apierror.BadInput, "bad"), apierror.BadInput, "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate(tt.err)
			if c := apierror.CodeOf(got); c != tt.code {
				t.Fatalf("code %s, want %s (%v)", c, tt.code, got)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("the detail is lost: %v", got)
			}
			e, ok := apierror.As(got)
			if tt.message != "" && (!ok || e.Message != tt.message) {
				t.Errorf("message %q, want %q", e.Message, tt.message)
			}
			// A client never reads the driver's words.
			if ok && tt.code != apierror.BadInput && (e.Message == tt.err.Error() || containsAny(e.Message, "Neo4jError", "Node(7)", "ConnectivityError")) {
				t.Errorf("message shows the driver's text: %q", e.Message)
			}
		})
	}
	if got := translate(neoErr("Neo.ClientError.Schema.ConstraintValidationFailed", "Node(7) already exists with label `Node` and property `id` = 'acme'")); got.(*apierror.Error).Fields["id"] != "acme" {
		t.Errorf("the conflicting id is not in the fields: %+v", got)
	}
}

// TestTranslateDriverErrors checks the errors the driver itself returns when
// nothing listens, with pool and router in the way: no Neo4j needed.
func TestTranslateDriverErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, scheme := range []string{"bolt", "neo4j"} {
		t.Run(scheme, func(t *testing.T) {
			c, err := Open(Options{URI: scheme + "://" + addr, Database: "neo4j", RetryTime: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(context.Background())
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := c.Ping(ctx); apierror.CodeOf(err) != apierror.Unavailable {
				t.Errorf("ping: %s (%T %v)", apierror.CodeOf(err), errors.Unwrap(err), err)
			}
			_, err = c.ReadOne(ctx, "RETURN 1", nil)
			if apierror.CodeOf(err) != apierror.Unavailable {
				t.Errorf("read: %s (%T %v)", apierror.CodeOf(err), errors.Unwrap(err), err)
			}
			if err := c.AutoCommit(ctx, "RETURN 1", nil); apierror.CodeOf(err) != apierror.Unavailable {
				t.Errorf("auto-commit: %s (%v)", apierror.CodeOf(err), err)
			}
		})
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
