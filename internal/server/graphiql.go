package server

import (
	"bytes"
	"embed"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// graphiqlFiles is GraphiQL as `make web` builds it from web/: index.html
// and, under assets/, bundles named by a hash of their content. It is
// embedded so that the IDE works on a network that reaches no CDN. In a
// fresh clone the folder holds only its README; see mountGraphiQL.
//
//go:embed graphiql
var graphiqlFiles embed.FS

// graphiqlAssetsPath is where the page finds its assets; web/build.mjs
// writes the same path, relative to the page, into index.html.
const graphiqlAssetsPath = "/graphiql/"

// graphiqlCSP lets the page load scripts, styles, fonts and workers from
// this server only and talk to nothing else. Styles may be inline because
// Monaco, GraphiQL's editor, sets them at run time; fonts and images may be
// data: URIs because GraphiQL's stylesheet inlines its fonts.
const graphiqlCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"font-src 'self' data:; img-src 'self' data:; connect-src 'self'; worker-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// notBuiltPage is / in a binary built without `make web`. Falling back to
// gqlgen's CDN playground instead would hide the missing build until the
// day the page is opened on a network without internet.
const notBuiltPage = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>companygraph: GraphiQL not built</title>
<h1>GraphiQL is not built into this binary</h1>
<p>Build it with <code>make web</code> (Node.js 20 and npm) before <code>go build</code>,
or with <code>make build</code>, which does both.</p>
<p>The API works without it: send queries to <a href="graphql">/graphql</a>;
the schema is at <a href="schema.graphql">/schema.graphql</a>.</p>
</html>
`

// graphiqlBuild is graphiqlFiles seen from inside its folder, as
// mountGraphiQL wants it.
func graphiqlBuild() fs.FS {
	sub, err := fs.Sub(graphiqlFiles, "graphiql")
	if err != nil {
		// fs.Sub fails only on an invalid name, and "graphiql" is valid.
		panic(err)
	}
	return sub
}

// mountGraphiQL serves GraphiQL from fsys, laid out as web/build.mjs writes it:
// the page at / and its assets under graphiqlAssetsPath. When fsys holds
// no build, / answers 503 with a note on how to build it, and the rest of
// the API is unaffected.
func mountGraphiQL(mux *http.ServeMux, fsys fs.FS, log *slog.Logger) {
	page, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		log.Warn("GraphiQL is not built into this binary; / says how to build it", "err", err)
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
			setPageHeaders(w.Header())
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(notBuiltPage))
		})
		return
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The page names the current assets; a cached copy would name old ones.
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(page))
	})
	mux.Handle("GET "+graphiqlAssetsPath, http.StripPrefix(graphiqlAssetsPath, serveAssets(fsys)))
}

// serveAssets serves the files under fsys's assets/ by name, and nothing else: no
// directory listings and no index.html redirects, which http.FileServer
// would add. An asset's name changes with its content, so browsers may
// keep it for good. A client that takes gzip gets the precompressed copy
// that the build wrote beside the file, if there is one.
func serveAssets(fsys fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Path
		if !fs.ValidPath(name) || strings.HasSuffix(name, ".gz") {
			http.NotFound(w, r)
			return
		}
		name = path.Join("assets", name)
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		setPageHeaders(h)
		h.Set("Content-Type", contentType(name))
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			if gz, err := fs.ReadFile(fsys, name+".gz"); err == nil {
				h.Set("Content-Encoding", "gzip")
				body = gz
			}
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	})
}

// setPageHeaders sets the security headers for GraphiQL's page and assets.
func setPageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", graphiqlCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
}

// contentType names the types of the files the build writes, since the
// mime package's table depends on the host's /etc/mime.types and lacks
// fonts, and with nosniff a wrong type stops a script from running.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".ttf":
		return "font/ttf"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip,
// that is names it without q=0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, weighted := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if f, err := strconv.ParseFloat(q, 64); weighted && err == nil && f == 0 {
			return false
		}
		return true
	}
	return false
}
