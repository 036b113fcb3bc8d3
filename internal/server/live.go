package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Live configures subscriptions on /graphql: over WebSocket (the
// graphql-transport-ws protocol of the graphql-ws client, and the older
// graphql-ws one) and over Server-Sent Events (a POST that accepts
// text/event-stream, as the graphql-sse client sends).
type Live struct {
	// Credentials reads a WebSocket's token, which a browser sends in
	// connection_init's payload ({"Authorization": "Bearer …"}) since it
	// cannot set the header, into ctx.
	Credentials func(ctx context.Context, authorization string) context.Context
	// MayRead says whether the principal in ctx may follow changes. Its
	// error's code decides how a WebSocket closes: 4401 for
	// UNAUTHENTICATED, 4403 for FORBIDDEN; over SSE, the status 401 or 403.
	MayRead func(ctx context.Context) error
	// Connection marks the context of a new WebSocket connection, which
	// its subscriptions share (a limit per connection counts them).
	Connection func(ctx context.Context) context.Context
	// KeepAlive is the interval of the pings that keep idle connections
	// open through proxies.
	KeepAlive time.Duration
	// InitTimeout bounds the wait for connection_init.
	InitTimeout time.Duration
}

// The close codes of graphql-transport-ws for a refused connection_init.
const (
	closeUnauthorized = 4401
	closeForbidden    = 4403
)

// transports adds SSE and WebSocket to gql, before the POST transport,
// which would otherwise take an SSE request for a plain one.
func (l Live) transports(gql *handler.Server, o Options) {
	gql.AddTransport(transport.SSE{KeepAlivePingInterval: l.KeepAlive})
	accept := websocket.AcceptOptions{}
	if len(o.CORSOrigins) == 1 && o.CORSOrigins[0] == "*" {
		accept.InsecureSkipVerify = true
	} else {
		// CORS names origins; a WebSocket handshake is checked by host.
		for _, origin := range o.CORSOrigins {
			if u, err := url.Parse(origin); err == nil && u.Host != "" {
				accept.OriginPatterns = append(accept.OriginPatterns, u.Host)
			}
		}
	}
	gql.AddTransport(&transport.Websocket{
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: accept},
		InitFunc:              l.init,
		InitTimeout:           l.InitTimeout,
		KeepAlivePingInterval: l.KeepAlive,
	})
}

// init authenticates a WebSocket connection from its connection_init: a
// refused one is closed with the protocol's code and our message.
func (l Live) init(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	if l.Credentials != nil {
		ctx = l.Credentials(ctx, payload.Authorization())
	}
	if l.MayRead != nil {
		if err := l.MayRead(ctx); err != nil {
			code, msg := closeUnauthorized, "unauthorized"
			if e, ok := apierror.As(err); ok {
				msg = e.Message
				if e.Code == apierror.Forbidden {
					code = closeForbidden
				}
			}
			ctx = transport.WithWebsocketCloseCode(ctx, code)
			ctx = transport.AppendCloseReason(ctx, msg)
			return ctx, nil, err
		}
	}
	if l.Connection != nil {
		ctx = l.Connection(ctx)
	}
	return context.WithValue(ctx, webSocketKey{}, true), nil, nil
}

// webSocketKey marks the context of a WebSocket connection's operations.
type webSocketKey struct{}

// streams lets the long-lived requests of subscriptions outlive the
// server's read and write timeouts, which bound ordinary requests, and
// refuses an SSE stream the caller may not read before it starts.
func (l Live) streams(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
		sse := r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream")
		if !ws && !sse {
			next.ServeHTTP(w, r)
			return
		}
		if sse && l.MayRead != nil {
			if err := l.MayRead(r.Context()); err != nil {
				status := http.StatusUnauthorized
				if e, ok := apierror.As(err); ok && e.Code == apierror.Forbidden {
					status = http.StatusForbidden
				}
				e, _ := apierror.As(err)
				if e == nil {
					e = apierror.New(apierror.Unauthenticated, "unauthorized")
				}
				writeJSON(w, status, errorBody(e))
				return
			}
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Time{}); err != nil {
			log.Debug("subscription keeps the read deadline", "err", err)
		}
		if err := rc.SetWriteDeadline(time.Time{}); err != nil {
			log.Debug("subscription keeps the write deadline", "err", err)
		}
		next.ServeHTTP(w, r)
	})
}

// SubscriptionFailure returns what tells a WebSocket subscriber why its
// subscription ended: an error message, as the presenter shows errors.
// SSE has no such message: the stream ends, and the client resubscribes
// from its last cursor.
func SubscriptionFailure(log *slog.Logger) func(ctx context.Context, err error) {
	present := presentError(log)
	return func(ctx context.Context, err error) {
		if ctx.Value(webSocketKey{}) != nil {
			transport.AddSubscriptionError(ctx, present(ctx, err))
		}
	}
}
