package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/neo4jtest"
)

type httpResult struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, u string) httpResult {
	t.Helper()
	return send(t, http.MethodGet, u, nil)
}

func send(t *testing.T, method, u string, header map[string]string) httpResult {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return httpResult{status: res.StatusCode, header: res.Header, body: string(body)}
}

func TestGETQuery(t *testing.T) {
	a := seeded(t)
	q := url.Values{"query": {`query($id: ID!) { executive(id: $id) { name } }`}, "variables": {`{"id":"hugo-barra"}`}}
	res := get(t, a.srv.URL+"/graphql?"+q.Encode())
	if res.status != http.StatusOK || !strings.Contains(res.body, `{"data":{"executive":{"name":"Hugo Barra"}}}`) {
		t.Errorf("GET: %d %s", res.status, res.body)
	}
}

func TestCORS(t *testing.T) {
	a := seeded(t)
	pre := send(t, http.MethodOptions, a.srv.URL+"/graphql", map[string]string{
		"Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "companygraph-bookmark,content-type,traceparent,tracestate",
	})
	allowed := strings.ToLower(pre.header.Get("Access-Control-Allow-Headers"))
	if pre.status != http.StatusNoContent || pre.header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(allowed, "content-type") || !strings.Contains(allowed, "companygraph-bookmark") || !strings.Contains(allowed, "traceparent") {
		t.Errorf("preflight: %d %v", pre.status, pre.header)
	}
	// A script reads the bookmark of a write only if the header is exposed.
	actual := send(t, http.MethodGet, a.srv.URL+"/healthz", map[string]string{"Origin": "https://app.example"})
	if !strings.Contains(strings.ToLower(actual.header.Get("Access-Control-Expose-Headers")), "companygraph-bookmark") {
		t.Errorf("exposed headers: %v", actual.header)
	}

	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.CORSOrigins = []string{"https://app.example"}
	strict := start(t, cfg, false)
	ok := send(t, http.MethodGet, strict.srv.URL+"/healthz", map[string]string{"Origin": "https://app.example"})
	if ok.header.Get("Access-Control-Allow-Origin") != "https://app.example" || ok.header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("listed origin: %v", ok.header)
	}
	other := send(t, http.MethodGet, strict.srv.URL+"/healthz", map[string]string{"Origin": "https://evil.example"})
	if other.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("unlisted origin allowed: %v", other.header)
	}
}

func TestProbesAndMetrics(t *testing.T) {
	a := seeded(t)
	if res := get(t, a.srv.URL+"/healthz"); res.status != http.StatusOK {
		t.Errorf("healthz: %d", res.status)
	}
	if res := get(t, a.srv.URL+"/readyz"); res.status != http.StatusOK || !strings.Contains(res.body, `"ready"`) {
		t.Errorf("readyz: %d %s", res.status, res.body)
	}
	a.post(t, `{ markets { id } }`, nil)
	a.post(t, `{ nope }`, nil)
	m := get(t, a.srv.URL+"/metrics").body
	for _, want := range []string{
		`companygraph_graphql_requests_total{operation="query",outcome="ok"} 1`,
		`companygraph_graphql_requests_total{operation="unknown",outcome="error"} 1`,
		"companygraph_cypher_queries_total ",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// Loading the seed and the schema again changes nothing.
func TestSeedAndSchemaAreIdempotent(t *testing.T) {
	a := seeded(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	count := func() string {
		var parts []string
		for _, q := range []string{
			// The changes of the first load are not the graph's.
			`MATCH (n) WHERE NOT n:Change AND NOT n:ChangeLog RETURN count(n) AS nodes`,
			`MATCH ()-[r]->() RETURN count(r) AS rels, sum(size(r.sentences)) AS sentences, count(DISTINCT type(r)) AS types`,
			`MATCH (n) WHERE NOT n:Change AND NOT n:ChangeLog UNWIND keys(n) AS k RETURN count(k) AS properties`,
			`SHOW CONSTRAINTS YIELD name RETURN count(name) AS constraints`,
		} {
			recs, err := a.Client.ReadOne(ctx, q, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, k := range recs[0].Keys {
				parts = append(parts, fmt.Sprintf("%s=%v", k, recs[0].Values[i]))
			}
		}
		return strings.Join(parts, " ")
	}
	before := count()
	prepareApp(t, a.App)
	if after := count(); after != before {
		t.Errorf("a second load changed the graph:\nbefore %s\nafter  %s", before, after)
	}
	// 22 entities and the source; 45 relationships plus one mention per entity.
	if want := "nodes=23 rels=67 "; !strings.HasPrefix(before, want) {
		t.Errorf("graph: %s, want it to start with %s", before, want)
	}
}
