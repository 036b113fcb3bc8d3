// Package apierror is the API's one error vocabulary: a small set of kinds,
// each with the code a client sees in a GraphQL error's extensions. Lower
// layers wrap failures in these kinds; the server presents them.
package apierror

import (
	"errors"
	"fmt"
)

// Code is what a client sees in extensions.code.
type Code string

const (
	// BadInput: the request is well-formed GraphQL but asks for something invalid.
	BadInput Code = "BAD_USER_INPUT"
	// NotFound: no entity has the given ID.
	NotFound Code = "NOT_FOUND"
	// Conflict: a write would break a uniqueness rule, e.g. an id in use.
	Conflict Code = "CONFLICT"
	// Unauthenticated: no valid credentials for something that needs them.
	Unauthenticated Code = "UNAUTHENTICATED"
	// Forbidden: valid credentials whose role does not allow the operation.
	Forbidden Code = "FORBIDDEN"
	// Unavailable: Neo4j cannot be reached or refuses work for now.
	Unavailable Code = "DATABASE_UNAVAILABLE"
	// Timeout: the request ran past its deadline.
	Timeout Code = "TIMEOUT"
	// InvalidStoredValue: a value in the database does not have its
	// field's type (a float in an Int property); only that field fails.
	InvalidStoredValue Code = "INVALID_STORED_VALUE"
	// Internal: anything else; its detail is logged, never shown.
	Internal Code = "INTERNAL"
	// LimitExceeded: the request is larger, deeper or costlier than the
	// configured limits allow; extensions.limit names the limit.
	LimitExceeded Code = "LIMIT_EXCEEDED"
	// BadRequest: not a GraphQL-over-HTTP request the server takes (a body
	// that is not JSON, an unsupported media type or method).
	BadRequest Code = "BAD_REQUEST"
	// PersistedQueryNotFound: a persisted query's hash is not known (yet);
	// the client sends the query with its hash (Apollo's APQ protocol).
	PersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"
	// PersistedQueryNotInList: the server runs only registered operations
	// and this is not one of them.
	PersistedQueryNotInList Code = "PERSISTED_QUERY_NOT_IN_LIST"
	// CursorExpired: a change feed's cursor is older than the changes it
	// keeps; the client starts again from the graph as it is now.
	CursorExpired Code = "CURSOR_EXPIRED"
	// SlowConsumer: a subscriber fell further behind than its buffer
	// allows; it resubscribes with the last cursor it saw.
	SlowConsumer Code = "SLOW_CONSUMER"
	// ExtractorUnavailable: reading an article needs the extractor
	// service, which is not configured, not running or failed.
	ExtractorUnavailable Code = "EXTRACTOR_UNAVAILABLE"
	// UnsupportedLanguage: an article is not in a language the extractor
	// reads (English).
	UnsupportedLanguage Code = "UNSUPPORTED_LANGUAGE"
)

// Error is a failure a client may be told about. Message is safe to show;
// Err carries the detail for the log.
type Error struct {
	Code    Code
	Message string
	Err     error
	// Fields are shown in extensions beside the code, e.g. the index and
	// field of an invalid item in a batch.
	Fields map[string]any
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind with a message for the client.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of the given kind that keeps err for the log.
func Wrap(code Code, err error, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// As finds the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// CodeOf returns err's kind, Internal when it has none.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}
