package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Media types of the GraphQL-over-HTTP specification.
const (
	mediaJSON        = "application/json"
	mediaGraphQLJSON = "application/graphql-response+json"
)

// httpTransport serves GraphQL over HTTP as the GraphQL-over-HTTP
// specification says, in place of gqlgen's GET and POST transports:
//
//   - POST takes application/json only. Form, multipart and text/plain
//     bodies are refused with 415 and never executed: a browser sends them
//     cross-origin without a CORS preflight.
//   - GET runs queries only; a mutation is 405.
//   - Responses are application/graphql-response+json or application/json,
//     as the Accept header prefers. A request that fails before execution
//     (parse, validation, a limit) has no data entry, and is 400 with
//     application/graphql-response+json, 200 with application/json.
//   - A body over the limit is 413 before it is read, and no refusal ever
//     echoes the body back (gqlgen's POST does, on malformed JSON).
//   - A JSON array is a batch of operations, answered with an array; the
//     batch may hold at most Limits.MaxOperations.
type httpTransport struct {
	limits Limits
}

var _ graphql.Transport = httpTransport{}

// Supports takes every request but WebSocket upgrades, so that a wrong
// method or media type gets this transport's answer rather than gqlgen's
// "transport not supported".
func (httpTransport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") == "" }

func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := negotiate(r.Header.Values("Accept"))
	if !ok {
		fail(w, mediaJSON, http.StatusNotAcceptable, apierror.New(apierror.BadRequest,
			"responses are %s or %s; the Accept header allows neither", mediaGraphQLJSON, mediaJSON))
		return
	}
	switch r.Method {
	case http.MethodGet:
		t.get(w, r, exec, media)
	case http.MethodPost:
		t.post(w, r, exec, media)
	default:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		fail(w, media, http.StatusMethodNotAllowed, apierror.New(apierror.BadRequest, "GraphQL is served by GET and POST"))
	}
}

// params is one GraphQL-over-HTTP request as JSON. Pointers and raw
// messages tell a missing or null parameter from a wrong one.
type params struct {
	Query         *string         `json:"query"`
	OperationName *string         `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

func (t httpTransport) post(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string) {
	start := graphql.Now()
	ct, args, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != mediaJSON || (args["charset"] != "" && !strings.EqualFold(args["charset"], "utf-8")) {
		fail(w, media, http.StatusUnsupportedMediaType, apierror.New(apierror.BadRequest,
			"a POST body must be %s (UTF-8)", mediaJSON))
		return
	}
	limit := t.limits.MaxBodyBytes
	if limit > 0 && r.ContentLength > limit {
		fail(w, media, http.StatusRequestEntityTooLarge, bodyTooLarge(limit))
		return
	}
	body := io.Reader(r.Body)
	if limit > 0 {
		body = http.MaxBytesReader(w, r.Body, limit)
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			fail(w, media, http.StatusRequestEntityTooLarge, bodyTooLarge(limit))
			return
		}
		fail(w, media, http.StatusBadRequest, apierror.New(apierror.BadRequest, "the request body could not be read"))
		return
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		t.batch(w, r, exec, media, raw, start)
		return
	}
	var p params
	if err := decodeStrict(raw, &p); err != nil {
		fail(w, media, http.StatusBadRequest, err)
		return
	}
	rp, perr := t.rawParams(p, r, start)
	if perr != nil {
		fail(w, media, perr.status, perr.err)
		return
	}
	out, status := t.execute(r.Context(), exec, rp, media, false, w.Header())
	writeBody(w, media, status, out)
}

// batch runs a JSON array of requests one after the other and answers an
// array of their results, each as it would be alone.
func (t httpTransport) batch(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string, raw []byte, start time.Time) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		fail(w, media, http.StatusBadRequest, apierror.New(apierror.BadRequest, "the request body is not valid JSON"))
		return
	}
	if len(list) == 0 {
		fail(w, media, http.StatusBadRequest, apierror.New(apierror.BadRequest, "a batch needs at least one operation"))
		return
	}
	if max := t.limits.MaxOperations; max > 0 && len(list) > max {
		fail(w, media, http.StatusBadRequest, limitError("operations", max, len(list)))
		return
	}
	out := make([]any, len(list))
	for i, item := range list {
		var p params
		if err := decodeStrict(item, &p); err != nil {
			out[i] = errorBody(err)
			continue
		}
		rp, perr := t.rawParams(p, r, start)
		if perr != nil {
			out[i] = errorBody(perr.err)
			continue
		}
		out[i], _ = t.execute(r.Context(), exec, rp, media, false, w.Header())
	}
	writeBody(w, media, http.StatusOK, out)
}

func (t httpTransport) get(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string) {
	start := graphql.Now()
	q := r.URL.Query()
	var p params
	if q.Has("query") {
		s := q.Get("query")
		p.Query = &s
	}
	if q.Has("operationName") {
		s := q.Get("operationName")
		p.OperationName = &s
	}
	p.Variables = json.RawMessage(q.Get("variables"))
	p.Extensions = json.RawMessage(q.Get("extensions"))
	rp, perr := t.rawParams(p, r, start)
	if perr != nil {
		fail(w, media, perr.status, perr.err)
		return
	}
	out, status := t.execute(r.Context(), exec, rp, media, true, w.Header())
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", "POST")
	}
	writeBody(w, media, status, out)
}

type paramsError struct {
	status int
	err    *apierror.Error
}

// rawParams checks one request's parameters and decodes its variables and
// extensions, with numbers kept as json.Number as gqlgen expects.
func (t httpTransport) rawParams(p params, r *http.Request, start time.Time) (*graphql.RawParams, *paramsError) {
	bad := func(format string, args ...any) *paramsError {
		return &paramsError{http.StatusBadRequest, apierror.New(apierror.BadRequest, format, args...)}
	}
	rp := &graphql.RawParams{Headers: r.Header}
	if p.OperationName != nil {
		rp.OperationName = *p.OperationName
	}
	if max := t.limits.MaxVariablesBytes; max > 0 && int64(len(p.Variables)) > max {
		e := apierror.New(apierror.LimitExceeded, "the variables are larger than %d bytes", max)
		e.Fields = map[string]any{"limit": "variablesBytes", "max": max}
		return nil, &paramsError{http.StatusRequestEntityTooLarge, e}
	}
	var err error
	if rp.Variables, err = jsonObject(p.Variables); err != nil {
		return nil, bad("variables must be a JSON object")
	}
	if rp.Extensions, err = jsonObject(p.Extensions); err != nil {
		return nil, bad("extensions must be a JSON object")
	}
	if p.Query != nil {
		rp.Query = *p.Query
	}
	// A persisted query may come as its hash alone.
	if rp.Query == "" && rp.Extensions["persistedQuery"] == nil {
		return nil, bad("the query parameter is required")
	}
	rp.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	return rp, nil
}

// execute runs one operation. A request that fails before execution has
// only errors (and extensions): the specification leaves data out then.
// get refuses anything but a query with 405. The bookmarks of what the
// operation committed go to header too, where a client reads them without
// parsing the body; each operation of a batch adds its own.
func (t httpTransport) execute(ctx context.Context, exec graphql.GraphExecutor, rp *graphql.RawParams, media string, get bool, header http.Header) (any, int) {
	oc, errs := exec.CreateOperationContext(ctx, rp)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		status := http.StatusOK
		if media == mediaGraphQLJSON {
			status = http.StatusBadRequest
		}
		return requestError{Errors: resp.Errors, Extensions: resp.Extensions}, status
	}
	if oc.Operation.Operation == ast.Subscription {
		// Answering it here would wait for its first event and end there.
		return errorBody(apierror.New(apierror.BadRequest, "a subscription is followed over WebSocket (graphql-transport-ws) or SSE (Accept: text/event-stream)")), http.StatusBadRequest
	}
	if get && oc.Operation.Operation != ast.Query {
		return errorBody(apierror.New(apierror.BadRequest, "a %s is sent by POST, not GET", oc.Operation.Operation)), http.StatusMethodNotAllowed
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	resp := responses(ctx)
	if resp != nil {
		if b, ok := resp.Extensions[bookmarkExtension].(string); ok {
			header.Add(BookmarkHeader, b)
		}
	}
	return resp, http.StatusOK
}

// requestError is the answer to a request that failed before execution.
type requestError struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// errorBody is the answer to a request refused before GraphQL saw it.
func errorBody(e *apierror.Error) requestError {
	ext := map[string]any{"code": string(e.Code)}
	for k, v := range e.Fields {
		ext[k] = v
	}
	return requestError{Errors: gqlerror.List{{Message: e.Message, Extensions: ext}}}
}

// fail answers an HTTP-level refusal. Only our own message is written:
// never the body, which may be large or hostile.
func fail(w http.ResponseWriter, media string, status int, e *apierror.Error) {
	writeBody(w, media, status, errorBody(e))
}

func writeBody(w http.ResponseWriter, media string, status int, v any) {
	raw, err := marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		raw = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

func bodyTooLarge(limit int64) *apierror.Error {
	e := apierror.New(apierror.LimitExceeded, "the request body is larger than %d bytes", limit)
	e.Fields = map[string]any{"limit": "bodyBytes", "max": limit}
	return e
}

// marshal encodes a response as json.Marshal does, except that the data of
// a *graphql.Response is copied as it is: the engine wrote it as compact
// JSON already, and json.Marshal would scan all of it again to check and
// compact it.
func marshal(v any) ([]byte, error) {
	r, ok := v.(*graphql.Response)
	if !ok || r.Label != "" || r.Path != nil || r.HasNext != nil {
		return json.Marshal(v)
	}
	buf := append(make([]byte, 0, len(r.Data)+64), '{')
	if len(r.Errors) > 0 {
		errs, err := json.Marshal(r.Errors)
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, `"errors":`...), errs...), ',')
	}
	buf = append(buf, `"data":`...)
	if len(r.Data) == 0 {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, r.Data...)
	}
	if len(r.Extensions) > 0 {
		ext, err := json.Marshal(r.Extensions)
		if err != nil {
			return nil, err
		}
		buf = append(append(buf, `,"extensions":`...), ext...)
	}
	return append(buf, '}'), nil
}

// decodeStrict decodes one JSON value into v and refuses trailing data.
func decodeStrict(raw []byte, v any) *apierror.Error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return apierror.New(apierror.BadRequest, "the %s parameter has the wrong type", typeErr.Field)
		}
		return apierror.New(apierror.BadRequest, "the request body is not a JSON object")
	}
	if dec.More() {
		return apierror.New(apierror.BadRequest, "the request body has data after its JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return apierror.New(apierror.BadRequest, "the request body has data after its JSON value")
	}
	return nil
}

// jsonObject decodes an optional JSON object; absent or null is nil.
func jsonObject(raw json.RawMessage) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, fmt.Errorf("not an object")
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the object")
	}
	return m, nil
}

// negotiate picks the response's media type from the Accept headers, in
// the client's order: application/graphql-response+json, or
// application/json for it, */* and application/* and when there is no
// Accept header at all, as the specification asks of servers while
// clients move to the new type. ok is false when nothing acceptable is
// offered.
func negotiate(accept []string) (media string, ok bool) {
	if len(accept) == 0 {
		return mediaJSON, true
	}
	for _, h := range accept {
		for part := range strings.SplitSeq(h, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || params["q"] == "0" {
				continue
			}
			switch mt {
			case mediaGraphQLJSON:
				return mediaGraphQLJSON, true
			case mediaJSON, "application/*", "*/*":
				return mediaJSON, true
			}
		}
	}
	return "", false
}
