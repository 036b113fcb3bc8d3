// Package export serves subgraphs for notebooks and graph tools over plain
// HTTP: the whole graph or the neighbourhood of one entity, as node-link
// JSON (the shape networkx's node_link_graph reads) or as GraphML (which
// networkx, Gephi and yEd read). The bounds are internal/kg's, the same as
// the GraphQL neighborhood field's. It is not a second query language: the
// subgraph comes from kg, and this package only writes it down.
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/kg"
)

// Formats, by the value of the format parameter.
const (
	NodeLink = "json"
	GraphML  = "graphml"
)

// Info describes the exported graph; it becomes the graph's attributes.
type Info struct {
	// Center and Depth say which neighbourhood it is; empty for the whole graph.
	Center string
	Depth  int64
	// Truncated says the bounds cut nodes or edges off.
	Truncated bool
}

// Handler serves GET /export with the parameters
//
//	format  json (default) or graphml
//	id      the entity at the centre; without it, the whole graph
//	depth   hops from id, 1 to 3 (default 1); only with id
//	limit   most nodes, 1 to 500 (default 100); edges at most four times as many
//	types   entity types to keep, comma-separated (Company,Market)
//
// A bad parameter is 400, an unknown id 404, each with a JSON body
// {"error": {"code", "message"}} in the API's error vocabulary. When the
// bounds cut the graph, the header X-Truncated is true, and so is the
// graph's truncated attribute.
//
// guard, when not nil, decides first whether the request may read at all
// (the API's authentication: GraphQL reads are guarded the same way).
func Handler(g *kg.Graph, log *slog.Logger, guard func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if guard != nil {
			if err := guard(r.Context()); err != nil {
				writeError(w, log, err)
				return
			}
		}
		format, q, err := parse(r)
		if err != nil {
			writeError(w, log, err)
			return
		}
		sg, err := g.Subgraph(r.Context(), q)
		if err != nil {
			writeError(w, log, err)
			return
		}
		info := Info{Center: q.ID, Truncated: sg.Truncated}
		if q.ID != "" {
			info.Depth = kg.DefaultDepth
			if q.Depth != nil {
				info.Depth = *q.Depth
			}
		}
		name, write := "companygraph.json", WriteNodeLink
		w.Header().Set("Content-Type", "application/json")
		if format == GraphML {
			name, write = "companygraph.graphml", WriteGraphML
			w.Header().Set("Content-Type", "application/graphml+xml; charset=utf-8")
		}
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		w.Header().Set("X-Truncated", strconv.FormatBool(sg.Truncated))
		// The body goes out as it is written, in chunks, not built whole
		// first; the status is sent before it, so a failure now can only
		// cut the body short.
		out := &flushWriter{w: bufio.NewWriterSize(w, 32<<10), rc: http.NewResponseController(w)}
		if err := write(out, sg, info); err != nil {
			log.Warn("export cut short", "err", err)
			return
		}
		if err := out.w.Flush(); err != nil {
			log.Warn("export cut short", "err", err)
		}
	})
}

func parse(r *http.Request) (string, kg.SubgraphQuery, error) {
	v := r.URL.Query()
	var q kg.SubgraphQuery
	for name := range v {
		switch name {
		case "format", "id", "depth", "limit", "types":
		default:
			return "", q, apierror.New(apierror.BadInput, "unknown parameter %q; the parameters are format, id, depth, limit and types", name)
		}
	}
	format := v.Get("format")
	switch format {
	case "":
		format = NodeLink
	case NodeLink, GraphML:
	default:
		return "", q, apierror.New(apierror.BadInput, "format %q: want json or graphml", format)
	}
	q.ID = v.Get("id")
	if _, ok := v["id"]; ok && q.ID == "" {
		return "", q, apierror.New(apierror.BadInput, "id must not be empty; leave it out for the whole graph")
	}
	for _, p := range []struct {
		name string
		dst  **int64
	}{{"depth", &q.Depth}, {"limit", &q.Limit}} {
		s, ok := v[p.name]
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(s[0], 10, 64)
		if err != nil || len(s) > 1 {
			return "", q, apierror.New(apierror.BadInput, "%s %q: want one whole number", p.name, strings.Join(s, ","))
		}
		*p.dst = &n
	}
	for _, t := range v["types"] {
		for _, name := range strings.Split(t, ",") {
			if name = strings.TrimSpace(name); name != "" {
				q.Types = append(q.Types, name)
			}
		}
	}
	return format, q, nil
}

var statusOf = map[apierror.Code]int{
	apierror.BadInput:        http.StatusBadRequest,
	apierror.BadRequest:      http.StatusBadRequest,
	apierror.Unauthenticated: http.StatusUnauthorized,
	apierror.Forbidden:       http.StatusForbidden,
	apierror.NotFound:        http.StatusNotFound,
	apierror.Unavailable:     http.StatusServiceUnavailable,
	apierror.Timeout:         http.StatusGatewayTimeout,
}

// writeError shows the client only messages written for clients, as the
// GraphQL error presenter does; anything else is logged and shown as INTERNAL.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	code, msg := apierror.Internal, "internal error"
	if e, ok := apierror.As(err); ok && e.Code != apierror.Internal {
		code, msg = e.Code, e.Message
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		log.Warn("export failed", "code", code, "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": string(code), "message": msg}})
}

// flushWriter buffers the body and pushes each full buffer to the client.
type flushWriter struct {
	w  *bufio.Writer
	rc *http.ResponseController
}

func (f *flushWriter) Write(p []byte) (int, error) {
	if f.w.Available() < len(p) {
		if err := f.w.Flush(); err != nil {
			return 0, err
		}
		// A writer that cannot flush (a wrapper without Unwrap) still
		// sends the body in chunks as its own buffer fills.
		if err := f.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return 0, err
		}
	}
	return f.w.Write(p)
}
