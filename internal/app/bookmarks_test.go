package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/neo4jtest"
	"github.com/companygraph/companygraph/internal/server"
)

// answer is a response with its header and extensions.
type answer struct {
	status     int
	header     http.Header
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
	raw        string
}

// send posts body to the API with the editor's key and the given headers,
// each name followed by its value; a name may repeat.
func (a *api) send(t *testing.T, body string, header ...string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+editorKey)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	got := answer{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("response is not JSON (%d): %s", res.StatusCode, raw)
	}
	return got
}

func (r answer) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	return code
}

const marketQuery = `query($id: ID!) { market(id: $id) { id name } }`

// A mutation through one replica of the API answers the bookmark of the
// transaction it committed, in its header and its extensions; a query
// through another replica (a second App over the same Neo4j) that sends
// it back, as a header, a comma-separated list, repeated headers or a
// request extension, reads the write. A query writes nothing and carries
// no bookmark; a malformed bookmark is refused before anything runs.
func TestReadYourWrites(t *testing.T) {
	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.APIKeys = "ed:editor:" + auth.HashKey(editorKey)
	one := start(t, cfg, true)
	two := start(t, cfg, false)
	ctx := context.Background()
	t.Cleanup(func() {
		one.Client.Write(ctx, func(tx neo4j.Tx) (any, error) {
			return tx.Run(ctx, "MATCH (n:Market) WHERE n.id IN ['ryw-1', 'ryw-2'] DETACH DELETE n", nil)
		})
	})

	create := func(id string) string {
		t.Helper()
		r := one.send(t, gqlBody(`mutation($id: ID!) { createMarkets(input: [{id: $id, name: "Read your writes"}]) { id } }`, map[string]any{"id": id}))
		if len(r.Errors) > 0 {
			t.Fatalf("create %s: %s", id, r.raw)
		}
		bm := r.header.Get(server.BookmarkHeader)
		if bm == "" || r.Extensions["bookmark"] != bm {
			t.Fatalf("create %s: header %q, extensions %v", id, bm, r.Extensions)
		}
		return bm
	}
	first, second := create("ryw-1"), create("ryw-2")
	if first == second {
		t.Errorf("two commits, one bookmark %q", first)
	}

	reads := map[string]answer{
		"header": two.send(t, gqlBody(marketQuery, map[string]any{"id": "ryw-1"}), server.BookmarkHeader, first),
		"list":   two.send(t, gqlBody(marketQuery, map[string]any{"id": "ryw-2"}), server.BookmarkHeader, first+", "+second),
		"repeated headers": two.send(t, gqlBody(marketQuery, map[string]any{"id": "ryw-2"}),
			server.BookmarkHeader, first, server.BookmarkHeader, second),
		"extension": two.send(t, jsonString(map[string]any{"query": marketQuery, "variables": map[string]any{"id": "ryw-2"},
			"extensions": map[string]any{"bookmark": second}})),
		"extension list": two.send(t, jsonString(map[string]any{"query": marketQuery, "variables": map[string]any{"id": "ryw-1"},
			"extensions": map[string]any{"bookmark": []string{first, second}}})),
	}
	for name, r := range reads {
		var got struct{ Market struct{ ID, Name string } }
		if len(r.Errors) > 0 || json.Unmarshal(r.Data, &got) != nil || got.Market.Name != "Read your writes" {
			t.Errorf("%s: %s", name, r.raw)
		}
		// A read commits nothing: no bookmark to carry.
		if r.header.Get(server.BookmarkHeader) != "" || r.Extensions["bookmark"] != nil {
			t.Errorf("%s: a query answered bookmark %q %v", name, r.header.Get(server.BookmarkHeader), r.Extensions)
		}
	}

	for name, r := range map[string]answer{
		"space":           two.send(t, gqlBody(marketQuery, map[string]any{"id": "ryw-1"}), server.BookmarkHeader, "not a bookmark"),
		"tab":             two.send(t, gqlBody(marketQuery, map[string]any{"id": "ryw-1"}), server.BookmarkHeader, first[:5]+"\t"+first[5:]),
		"not ASCII":       two.send(t, gqlBody(marketQuery, map[string]any{"id": "ryw-1"}), server.BookmarkHeader, "FB:ünicode"),
		"too long":        two.send(t, gqlBody(marketQuery, map[string]any{"id": "ryw-1"}), server.BookmarkHeader, "FB:"+strings.Repeat("A", 2000)),
		"too many":        two.send(t, gqlBody(marketQuery, map[string]any{"id": "ryw-1"}), server.BookmarkHeader, strings.Repeat(first+",", 33)),
		"number":          two.send(t, jsonString(map[string]any{"query": marketQuery, "variables": map[string]any{"id": "ryw-1"}, "extensions": map[string]any{"bookmark": 42}})),
		"list of numbers": two.send(t, jsonString(map[string]any{"query": marketQuery, "variables": map[string]any{"id": "ryw-1"}, "extensions": map[string]any{"bookmark": []int{4}}})),
	} {
		if r.code() != "BAD_REQUEST" || r.Data != nil || !strings.Contains(r.Errors[0].Message, "bookmark") {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
}

// The bookmarks a request sends reach Neo4j, from GraphQL and from GET
// /export: one it cannot decode is refused as BAD_REQUEST, and one of a
// transaction the database has not reached makes the read wait. Neo4j waits for it up to its
// db.transaction.bookmark_ready_timeout (30 s), whatever the transaction's
// timeout, and then fails with Neo.TransientError.Transaction.BookmarkTimeout;
// the request's deadline ends the wait first, with TIMEOUT.
func TestBookmarksReachNeo4j(t *testing.T) {
	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.APIKeys = "ed:editor:" + auth.HashKey(editorKey)
	one := start(t, cfg, true)
	ctx := context.Background()
	t.Cleanup(func() {
		one.Client.Write(ctx, func(tx neo4j.Tx) (any, error) {
			return tx.Run(ctx, "MATCH (n:Market {id: 'ryw-future'}) DETACH DELETE n", nil)
		})
	})
	r := one.send(t, gqlBody(`mutation { createMarkets(input: [{id: "ryw-future", name: "Future"}]) { id } }`, nil))
	bm := r.header.Get(server.BookmarkHeader)
	if len(r.Errors) > 0 || bm == "" {
		t.Fatalf("create: %s", r.raw)
	}

	// What must succeed goes through a replica with the default deadline;
	// what must wait, through one with a short deadline, so that neither
	// depends on how busy the machine is.
	replica := start(t, cfg, false)
	cfg.QueryTimeout = time.Second
	impatient := start(t, cfg, false)
	read := func(a *api, bookmark ...string) answer {
		var header []string
		for _, b := range bookmark {
			header = append(header, server.BookmarkHeader, b)
		}
		return a.send(t, gqlBody(marketQuery, map[string]any{"id": "ryw-future"}), header...)
	}
	if r := read(replica, bm); len(r.Errors) > 0 {
		t.Fatalf("with the write's bookmark: %s", r.raw)
	}
	if r := read(replica, "FB:garbage"); r.code() != "BAD_REQUEST" {
		t.Errorf("a bookmark Neo4j cannot decode: %s", r.raw)
	}
	future := futureBookmark(t, bm)
	if r := read(impatient, future); r.code() != "TIMEOUT" {
		t.Errorf("a bookmark of a transaction not reached yet: %s", r.raw)
	}
	// Repeated headers are read one by one: the second is waited for.
	if r := read(impatient, bm, future); r.code() != "TIMEOUT" {
		t.Errorf("the future bookmark as the second header: %s", r.raw)
	}

	// GET /export reads at the bookmarks of its header too.
	for _, c := range []struct {
		a        *api
		bookmark string
		status   int
		code     string
	}{
		{replica, bm, http.StatusOK, ""},
		{replica, "not a bookmark", http.StatusBadRequest, "BAD_REQUEST"},
		{replica, "FB:garbage", http.StatusBadRequest, "BAD_REQUEST"},
		{impatient, future, http.StatusGatewayTimeout, "TIMEOUT"},
	} {
		res := send(t, http.MethodGet, c.a.srv.URL+"/export?id=ryw-future", map[string]string{server.BookmarkHeader: c.bookmark})
		var body struct{ Error struct{ Code string } }
		json.Unmarshal([]byte(res.body), &body)
		if res.status != c.status || body.Error.Code != c.code {
			t.Errorf("export at %q: %d %s", c.bookmark, res.status, res.body)
		}
	}
}

// futureBookmark is bm moved a trillion transactions ahead. A Neo4j 5
// bookmark is "FB:" and the base64 of PackStream values: a list holding
// the database's UUID (16 bytes), then the id of the last transaction
// committed, then a list. Only the id is changed.
func futureBookmark(t *testing.T, bm string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(bm, "FB:"))
	head := []byte{0x91, 0xCC, 0x10}
	if err != nil || !strings.HasPrefix(bm, "FB:") || len(raw) < len(head)+16+1 || !bytes.HasPrefix(raw, head) {
		t.Fatalf("bookmark %q is not of the form Neo4j 5 gives", bm)
	}
	at := len(head) + 16
	var id int64
	var size int
	switch m := raw[at]; {
	case m < 0x80:
		id, size = int64(m), 1
	case m == 0xC8:
		id, size = int64(int8(raw[at+1])), 2
	case m == 0xC9:
		id, size = int64(int16(binary.BigEndian.Uint16(raw[at+1:]))), 3
	case m == 0xCA:
		id, size = int64(int32(binary.BigEndian.Uint32(raw[at+1:]))), 5
	case m == 0xCB:
		id, size = int64(binary.BigEndian.Uint64(raw[at+1:])), 9
	default:
		t.Fatalf("bookmark %q: no transaction id after the database's", bm)
	}
	out := append([]byte{}, raw[:at]...)
	out = append(out, 0xCB)
	out = binary.BigEndian.AppendUint64(out, uint64(id+1_000_000_000_000))
	out = append(out, raw[at+size:]...)
	return "FB:" + base64.StdEncoding.EncodeToString(out)
}
