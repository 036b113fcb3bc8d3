package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/neo4j"
)

// BookmarkHeader carries Neo4j bookmarks both ways: the answer to a
// mutation names the transaction it committed, and a request that sends it
// back reads at least that state, on whichever replica of the API and
// whichever member of a Neo4j cluster it lands. Several bookmarks are
// comma-separated or sent as repeated headers. The request extension
// "bookmark" (a string of the same form, or a list of strings) and the
// answer's extension "bookmark" say the same.
const BookmarkHeader = "Companygraph-Bookmark"

// bookmarkExtension is the name of the bookmark in a request's and an
// answer's extensions.
const bookmarkExtension = "bookmark"

// Bounds of what a request may send: a Neo4j 5 bookmark of one database
// is some 40 characters, one per database of a cluster is a handful.
const (
	maxBookmarks      = 32
	maxBookmarkLength = 1024
)

// readYourWrites makes every session an operation opens wait for the
// bookmarks the request sent, and adds the bookmarks of the operation's
// last commit to its answer's extensions (httpTransport copies them to the
// header).
type readYourWrites struct{}

var _ interface {
	graphql.OperationParameterMutator
	graphql.OperationInterceptor
	graphql.HandlerExtension
} = readYourWrites{}

func (readYourWrites) ExtensionName() string                   { return "ReadYourWrites" }
func (readYourWrites) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters refuses a malformed bookmark before anything
// runs, so the answer is a request error with no data.
func (readYourWrites) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	if _, err := sentBookmarks(p.Headers, p.Extensions); err != nil {
		return &gqlerror.Error{Message: err.Message, Extensions: map[string]any{"code": string(err.Code)}}
	}
	return nil
}

func (readYourWrites) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	// Checked before the operation context existed; cannot fail here.
	sent, _ := sentBookmarks(oc.Headers, oc.Extensions)
	writes := oc.Operation != nil && oc.Operation.Operation == ast.Mutation
	if len(sent) == 0 && !writes {
		// Nothing to wait for and nothing to tell: most requests.
		return next(ctx)
	}
	ctx, bookmarks := neo4j.WithBookmarks(ctx, sent)
	responses := next(ctx)
	if !writes {
		return responses
	}
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		written := bookmarks.Written()
		if resp == nil || len(written) == 0 {
			return resp
		}
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions[bookmarkExtension] = strings.Join(written, ",")
		return resp
	}
}

// atBookmarks has the reads of a plain HTTP request (GET /export) wait
// for the bookmarks in its header, as those of a GraphQL request do. A
// malformed one is refused in the error form of such a route.
func atBookmarks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent, err := sentBookmarks(r.Header, nil)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]string{"code": string(err.Code), "message": err.Message}})
			return
		}
		if len(sent) > 0 {
			ctx, _ := neo4j.WithBookmarks(r.Context(), sent)
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// sentBookmarks reads the bookmarks of a request, from its headers and its
// extensions. They are checked only for their form: what they name is for
// Neo4j to say (a well-formed bookmark it cannot decode is refused as
// BAD_REQUEST too, by internal/neo4j).
func sentBookmarks(h http.Header, ext map[string]any) ([]string, *apierror.Error) {
	var raw []string
	for _, v := range h.Values(BookmarkHeader) {
		raw = append(raw, strings.Split(v, ",")...)
	}
	switch v := ext[bookmarkExtension].(type) {
	case nil:
	case string:
		raw = append(raw, strings.Split(v, ",")...)
	case []any:
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, bookmarkError("extensions.bookmark must be a string or a list of strings")
			}
			raw = append(raw, s)
		}
	default:
		return nil, bookmarkError("extensions.bookmark must be a string or a list of strings")
	}
	var out []string
	for _, b := range raw {
		// Empty elements of a comma-separated list are allowed, as HTTP
		// allows them in any list-valued header.
		if b = strings.TrimSpace(b); b == "" {
			continue
		}
		if !wellFormed(b) {
			return nil, bookmarkError("a bookmark is sent back as an earlier answer gave it (in its %s header or extensions.bookmark): printable ASCII without spaces or commas, at most %d characters", BookmarkHeader, maxBookmarkLength)
		}
		out = append(out, b)
	}
	if len(out) > maxBookmarks {
		return nil, bookmarkError("at most %d bookmarks may be sent", maxBookmarks)
	}
	return out, nil
}

// wellFormed says whether b could be a bookmark: printable ASCII without
// spaces or commas, which Neo4j's (a prefix and base64) never hold.
func wellFormed(b string) bool {
	if len(b) > maxBookmarkLength {
		return false
	}
	for i := 0; i < len(b); i++ {
		if c := b[i]; c <= ' ' || c > '~' || c == ',' {
			return false
		}
	}
	return true
}

func bookmarkError(format string, args ...any) *apierror.Error {
	return apierror.New(apierror.BadRequest, format, args...)
}
