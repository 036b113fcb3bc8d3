package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"regexp"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Hardening is what the HTTP layer does against abusive requests and how
// much of the schema it shows.
type Hardening struct {
	Limits Limits
	// Introspection answers __schema and __type, serves /schema.graphql and
	// lets validation errors suggest names. Off, the schema cannot be
	// learnt from the API.
	Introspection bool
	// APQCacheSize bounds the automatic persisted queries kept; 0 is off.
	APQCacheSize int
	// PersistedQueries, when not nil, is the allow-list: the only
	// operations that run, by the hex SHA-256 of their text.
	PersistedQueries map[string]string
}

// queryCacheSize is how many parsed and validated documents gqlgen keeps,
// so that a client repeating its queries pays for validation once.
const queryCacheSize = 1000

// maxParsedQuery bounds the text of a query the guard keeps parsed, and so
// the memory its cache may hold; a longer query is parsed every time.
const maxParsedQuery = 16 << 10

// harden gives gql its transports and the extensions that guard it.
func harden(gql *handler.Server, o Options) {
	h := o.Hardening
	gql.AddTransport(transport.Options{})
	gql.AddTransport(httpTransport{limits: h.Limits})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](queryCacheSize))
	if h.Introspection {
		gql.Use(extension.Introspection{})
	} else {
		gql.SetDisableSuggestion(true)
	}
	g := &guard{limits: h.Limits, introspection: h.Introspection, allow: h.PersistedQueries, log: o.Logger,
		parsed: lru.New[parsed](queryCacheSize)}
	if h.APQCacheSize > 0 && h.PersistedQueries == nil {
		g.apq = &extension.AutomaticPersistedQuery{Cache: lru.New[string](h.APQCacheSize)}
	}
	gql.Use(g)
}

// guard runs before gqlgen parses an operation: it resolves a persisted
// query (from the allow-list, or from the automatic persisted queries'
// bounded cache) and refuses the operation if it is over a limit.
type guard struct {
	limits Limits
	// introspection off refuses __schema and __type as validation does
	// an unknown field, instead of gqlgen's uncoded "introspection
	// disabled" at execution, which the presenter would mask as INTERNAL.
	introspection bool
	es            graphql.ExecutableSchema
	apq           *extension.AutomaticPersistedQuery
	allow         map[string]string
	log           *slog.Logger
	// parsed keeps the token counts and documents of the queries seen
	// last, which the limits read from their text alone.
	parsed *lru.LRU[parsed]
}

var _ interface {
	graphql.OperationParameterMutator
	graphql.HandlerExtension
} = &guard{}

func (g *guard) ExtensionName() string { return "Guard" }

func (g *guard) Validate(es graphql.ExecutableSchema) error {
	g.es = es
	return nil
}

func (g *guard) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	hash, hashed := persistedHash(p.Extensions)
	store := false
	switch {
	case g.allow != nil:
		q, ok := g.allowed(p.Query, hash, hashed)
		if !ok {
			g.log.Info("operation refused: not in the persisted queries")
			return gqlError(apierror.New(apierror.PersistedQueryNotInList, "only registered operations run on this server"))
		}
		p.Query = q
	case hashed && g.apq == nil:
		if p.Query == "" {
			return gqlError(apierror.New(apierror.PersistedQueryNotFound, "persisted query not found; send the query"))
		}
	case hashed && p.Query == "":
		if err := g.apq.MutateOperationParameters(ctx, p); err != nil {
			return apqError(err)
		}
	case hashed:
		// Kept only once it is known to be within the limits, so that the
		// cache holds no query that would be refused.
		store = true
	}
	doc, ok := g.parsed.Get(ctx, p.Query)
	if !ok {
		doc = g.limits.parse(p.Query)
		if doc.doc != nil && len(p.Query) <= maxParsedQuery {
			g.parsed.Add(ctx, p.Query, doc)
		}
	}
	shape, err := g.limits.checkParsed(ctx, g.es, doc, p.OperationName, p.Variables)
	if err != nil {
		g.log.Info("operation refused", "limit", err.Fields["limit"], "shape", shape.String())
		return gqlError(err)
	}
	if shape.Introspection && !g.introspection {
		e := gqlerror.Errorf("introspection is turned off on this server")
		errcode.Set(e, errcode.ValidationFailed)
		return e
	}
	if store {
		if err := g.apq.MutateOperationParameters(ctx, p); err != nil {
			return apqError(err)
		}
	}
	return nil
}

// allowed resolves a request against the allow-list: by the hash it
// gives, or by the hash of the text it sends.
func (g *guard) allowed(query, hash string, hashed bool) (string, bool) {
	if !hashed {
		hash = sha256Hex(query)
	}
	q, ok := g.allow[hash]
	if !ok || (query != "" && query != q) {
		return "", false
	}
	return q, true
}

// persistedHash reads extensions.persistedQuery.sha256Hash (Apollo's
// automatic persisted queries).
func persistedHash(ext map[string]any) (string, bool) {
	pq, ok := ext["persistedQuery"].(map[string]any)
	if !ok {
		return "", false
	}
	h, ok := pq["sha256Hash"].(string)
	return h, ok
}

// apqError gives gqlgen's APQ errors a code: PERSISTED_QUERY_NOT_FOUND
// has one, the others (a bad version, a hash that does not match) are the
// client's mistake.
func apqError(err *gqlerror.Error) *gqlerror.Error {
	if _, ok := err.Extensions["code"]; ok {
		return err
	}
	return gqlError(apierror.New(apierror.BadInput, "%s", err.Message))
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// ReadPersistedQueries reads an allow-list: a JSON object whose keys are
// the hex SHA-256 of the query texts they map to, the form Relay and
// graphql-codegen write ("persisted documents") and the hash Apollo's
// clients send.
func ReadPersistedQueries(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("persisted queries: %w", err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("persisted queries %s: want a JSON object of sha256 -> query: %w", path, err)
	}
	for id, q := range m {
		if sha256Hex(q) != id {
			return nil, fmt.Errorf("persisted queries %s: %q is not the SHA-256 of its query", path, id)
		}
	}
	return m, nil
}

// suggestion is the "Did you mean ...?" that gqlparser's validation rules
// add to a message, naming fields, arguments, types and enum values.
var suggestion = regexp.MustCompile(` Did you mean [^?]*\?`)

// withoutSuggestions strips suggestions from what present shows, when
// introspection is off: gqlgen's SetDisableSuggestion covers unknown
// fields only, not arguments, types, input fields or enum values.
func withoutSuggestions(off bool, present graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	if !off {
		return present
	}
	return func(ctx context.Context, err error) *gqlerror.Error {
		e := present(ctx, err)
		e.Message = suggestion.ReplaceAllString(e.Message, "")
		return e
	}
}

// crossOrigin refuses cross-origin browser requests that change state
// (POST) unless they come from an allowed origin, with Go's
// CrossOriginProtection: defence in depth behind the transport, which
// never executes the form and text bodies a browser sends cross-origin
// without a preflight. With CORS open to any origin ("*"), a request that
// needed a preflight (a JSON body, an Authorization header) already had
// CORS's consent, so only the others are checked.
func crossOrigin(origins []string, log *slog.Logger, next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	anyOrigin := len(origins) == 1 && origins[0] == "*"
	if !anyOrigin {
		for _, o := range origins {
			if err := cop.AddTrustedOrigin(o); err != nil {
				log.Warn("CORS origin not usable for cross-origin protection", "origin", o, "err", err)
			}
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if anyOrigin && preflighted(r) {
			next.ServeHTTP(w, r)
			return
		}
		if err := cop.Check(r); err != nil {
			writeJSON(w, http.StatusForbidden, errorBody(apierror.New(apierror.Forbidden, "cross-origin request refused")))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// preflighted says whether a browser would have asked CORS before sending
// r: any method but GET, HEAD and POST, a Content-Type other than the
// three a form can send, or an Authorization header.
func preflighted(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		return true
	}
	if r.Header.Get("Authorization") != "" {
		return true
	}
	// A missing or malformed type is taken as a simple request: checked.
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return false
	}
	switch ct {
	case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
		return false
	}
	return true
}
