package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// change is a Change as the tests select it.
type change struct {
	Cursor, Op, Type, ID, By string
	At                       string
	Source                   *string
	Node                     *struct {
		ID, Name   string
		Properties map[string]any
	}
	Edge *struct {
		From, To string
		Evidence []struct{ Sentence string }
	}
}

const changeFields = `cursor op type id at by source node { id name properties } edge { from to evidence { sentence } }`

// live is the API with editor, admin and reader keys, its settings for
// subscriptions changed by tune.
func live(t *testing.T, tune func(*config.Config)) *api {
	t.Helper()
	cfg := testConfig(t, neo4jtest.Shared(t))
	cfg.APIKeys = "ed:editor:" + auth.HashKey(editorKey) + ",admin:admin:" + auth.HashKey(adminKey) + ",reader:reader:" + auth.HashKey(readerKey)
	if tune != nil {
		tune(&cfg)
	}
	return start(t, cfg, true)
}

// feed reads the changes after cursor of the nodes ids.
func (a *api) feed(t *testing.T, after string, ids ...string) ([]change, string) {
	t.Helper()
	var got struct {
		Changes struct {
			Edges    []struct{ Node change }
			PageInfo struct{ EndCursor string }
		}
	}
	a.postAs(t, readerKey, `query($after: String, $ids: [ID!]) { changes(after: $after, ids: $ids, first: 1000) { edges { node { `+changeFields+` } } pageInfo { endCursor } } }`,
		map[string]any{"after": after, "ids": ids}).data(t, &got)
	out := make([]change, len(got.Changes.Edges))
	for i, e := range got.Changes.Edges {
		out[i] = e.Node
	}
	return out, got.Changes.PageInfo.EndCursor
}

// head is the cursor of the newest change.
func (a *api) head(t *testing.T) string {
	t.Helper()
	var got struct {
		Changes struct{ PageInfo struct{ EndCursor string } }
	}
	a.postAs(t, readerKey, `{ changes(first: 0) { pageInfo { endCursor } } }`, nil).data(t, &got)
	return got.Changes.PageInfo.EndCursor
}

func cursorNumber(t *testing.T, c string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(c, 10, 64)
	if err != nil {
		t.Fatalf("cursor %q: %v", c, err)
	}
	return n
}

func summary(cs []change) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Op+" "+c.Type+" "+c.ID)
	}
	return strings.Join(parts, "; ")
}

// Every write path records its changes, in order, with what it wrote.
func TestEveryWriteRecordsItsChanges(t *testing.T) {
	a := live(t, nil)
	start := a.head(t)
	a.postAs(t, editorKey, `mutation { createMarkets(input: [{id: "feed-m", name: "Feed Market"}]) { id } }`, nil).ok(t)
	a.postAs(t, editorKey, `mutation { updateMarkets(where: {id: {eq: "feed-m"}}, set: {name: "Feed Market 2"}) { id } }`, nil).ok(t)
	a.postAs(t, editorKey, `mutation { createCompanies(input: [{id: "feed-c", name: "Feed Co",
	  executives: [{id: "hugo-barra", title: "Adviser", evidence: `+evidence0+`}]}]) { id } }`, nil).ok(t)
	a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {eq: "feed-m"}}) { nodesDeleted } }`, nil).ok(t)
	a.postAs(t, editorKey, `mutation { ingest(source: {id: "feed-src", title: "Feed", text: "Feed Co sells in India."},
	  facts: [{company: {id: "feed-c", name: "Feed Co"}, sentences: ["Feed Co sells in India."]}]) { created } }`, nil).ok(t)
	t.Cleanup(func() {
		a.postAs(t, adminKey, `mutation { deleteCompanies(where: {id: {eq: "feed-c"}}) { nodesDeleted } deleteSources(where: {id: {eq: "feed-src"}}) { nodesDeleted } }`, nil).ok(t)
	})

	got, end := a.feed(t, start, "feed-m", "feed-c", "feed-src")
	want := "CREATED Market feed-m; UPDATED Market feed-m; CREATED Company feed-c; CREATED WORKS_FOR hugo-barra|WORKS_FOR|feed-c; " +
		"DELETED Market feed-m; CREATED Source feed-src; UPDATED Company feed-c"
	if s := summary(got); s != want {
		t.Fatalf("changes:\n got %s\nwant %s", s, want)
	}
	if end != got[len(got)-1].Cursor {
		t.Errorf("endCursor %s, last change %s", end, got[len(got)-1].Cursor)
	}
	for i, c := range got {
		if c.By != "ed" && c.By != "admin" || c.At == "" || c.Cursor == "" {
			t.Errorf("change %d without who, when or cursor: %+v", i, c)
		}
		if i > 0 && cursorNumber(t, c.Cursor) <= cursorNumber(t, got[i-1].Cursor) {
			t.Errorf("cursors out of order: %s after %s", c.Cursor, got[i-1].Cursor)
		}
	}
	if n := got[1].Node; n == nil || n.Name != "Feed Market 2" {
		t.Errorf("the update's node is as the write left it: %+v", n)
	}
	if n := got[4].Node; n == nil || n.Name != "Feed Market 2" {
		t.Errorf("the deletion's node is as it was: %+v", n)
	}
	if e := got[3].Edge; e == nil || e.From != "hugo-barra" || e.To != "feed-c" || len(e.Evidence) != 1 {
		t.Errorf("the relationship's change carries it with its evidence: %+v", e)
	}
	if s := got[6].Source; s == nil || *s != "feed-src" {
		t.Errorf("an ingest's change names its source: %+v", s)
	}
	// After the last cursor, nothing yet; the filter by type keeps only markets.
	if more, _ := a.feed(t, end, "feed-m", "feed-c", "feed-src"); len(more) != 0 {
		t.Errorf("after the end cursor: %s", summary(more))
	}
	var markets struct {
		Changes struct{ Edges []struct{ Node change } }
	}
	a.post(t, `query($after: String) { changes(after: $after, types: ["Market"], ids: ["feed-m", "feed-c"]) { edges { node { op id } } } }`,
		map[string]any{"after": start}).data(t, &markets)
	if len(markets.Changes.Edges) != 3 {
		t.Errorf("changes of markets: %+v", markets)
	}
	for _, bad := range []struct{ query, code string }{
		{`{ changes(after: "yesterday") { edges { cursor } } }`, "BAD_USER_INPUT"},
		{`{ changes(first: 100000) { edges { cursor } } }`, "BAD_USER_INPUT"},
		{`{ changes(types: ["company"]) { edges { cursor } } }`, "BAD_USER_INPUT"},
		{`{ changes(first: "ten") { edges { cursor } } }`, "GRAPHQL_VALIDATION_FAILED"},
	} {
		if code := a.post(t, bad.query, nil).code(t); code != bad.code {
			t.Errorf("%s: %s, want %s", bad.query, code, bad.code)
		}
	}
}

// A write that fails records nothing.
func TestAFailedWriteRecordsNothing(t *testing.T) {
	a := live(t, nil)
	start := a.head(t)
	if code := a.postAs(t, editorKey, `mutation { createMarkets(input: [{id: "feed-ok", name: "OK"}, {id: "xiaomi", name: "Taken"}]) { id } }`, nil).code(t); code != "CONFLICT" {
		t.Fatalf("a create of a used id: %s", code)
	}
	if got, _ := a.feed(t, start, "feed-ok", "xiaomi"); len(got) != 0 {
		t.Errorf("a rolled back write left changes: %s", summary(got))
	}
}

// ws is a graphql-transport-ws client, as the graphql-ws package speaks it.
type ws struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// dial opens a WebSocket to the API and sends connection_init with the
// payload; it returns the close status when the server refuses it.
func (a *api) dial(t *testing.T, payload map[string]any) (*ws, websocket.StatusCode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(a.srv.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	c := &ws{t: t, conn: conn, ctx: ctx}
	raw, _ := json.Marshal(payload)
	c.send(wsMessage{Type: "connection_init", Payload: raw})
	m, status := c.read()
	if status != -1 {
		return nil, status
	}
	if m.Type != "connection_ack" {
		t.Fatalf("connection_init answered %+v", m)
	}
	return c, -1
}

func (c *ws) send(m wsMessage) {
	c.t.Helper()
	raw, _ := json.Marshal(m)
	if err := c.conn.Write(c.ctx, websocket.MessageText, raw); err != nil {
		c.t.Fatal(err)
	}
}

// read returns the next message but pings, or the close status.
func (c *ws) read() (wsMessage, websocket.StatusCode) {
	c.t.Helper()
	for {
		_, raw, err := c.conn.Read(c.ctx)
		if err != nil {
			if s := websocket.CloseStatus(err); s != -1 {
				return wsMessage{}, s
			}
			c.t.Fatal(err)
		}
		var m wsMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			c.t.Fatal(err)
		}
		if m.Type == "ping" || m.Type == "pong" || m.Type == "ka" {
			continue
		}
		return m, -1
	}
}

func (c *ws) subscribe(id, query string, vars map[string]any) {
	raw, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	c.send(wsMessage{ID: id, Type: "subscribe", Payload: raw})
}

// next reads the next event of subscription id: its change, or its
// error's code.
func (c *ws) next(id string) (change, string) {
	c.t.Helper()
	m, status := c.read()
	for status == -1 && m.Type == "complete" && m.ID != id {
		// Another subscription ended; its end is not this one's event.
		m, status = c.read()
	}
	if status != -1 {
		c.t.Fatalf("closed with %d", status)
	}
	if m.ID != id {
		c.t.Fatalf("message for %q, want %q: %+v", m.ID, id, m)
	}
	switch m.Type {
	case "next":
		var p struct {
			Data   struct{ Changes change }
			Errors []struct{ Extensions struct{ Code string } }
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			c.t.Fatal(err)
		}
		if len(p.Errors) > 0 {
			return change{}, p.Errors[0].Extensions.Code
		}
		return p.Data.Changes, ""
	case "error":
		var errs []struct{ Extensions struct{ Code string } }
		if err := json.Unmarshal(m.Payload, &errs); err != nil || len(errs) == 0 {
			c.t.Fatalf("error message %s", m.Payload)
		}
		return change{}, errs[0].Extensions.Code
	}
	c.t.Fatalf("unexpected %+v", m)
	return change{}, ""
}

const subscription = `subscription($ids: [ID!], $after: String) { changes(ids: $ids, after: $after) { ` + changeFields + ` } }`

// A subscriber over WebSocket gets every change from its cursor on, then
// the live ones, in order and once each.
func TestSubscriptionOverWebSocketResumes(t *testing.T) {
	a := live(t, nil)
	start := a.head(t)
	create := func(id string) {
		a.postAs(t, editorKey, fmt.Sprintf(`mutation { createMarkets(input: [{id: %q, name: "Live"}]) { id } }`, id), nil).ok(t)
	}
	t.Cleanup(func() {
		a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {startsWith: "live-"}}) { nodesDeleted } }`, nil).ok(t)
	})
	create("live-1")
	create("live-2")
	ids := []string{"live-1", "live-2", "live-3", "live-4"}

	c, _ := a.dial(t, nil)
	c.subscribe("s", subscription, map[string]any{"ids": ids, "after": start})
	for _, want := range []string{"live-1", "live-2"} {
		if got, code := c.next("s"); code != "" || got.ID != want || got.Op != "CREATED" {
			t.Fatalf("backlog: %+v %s, want %s", got, code, want)
		}
	}
	create("live-3")
	got, code := c.next("s")
	if code != "" || got.ID != "live-3" || got.Node == nil || got.Node.Name != "Live" {
		t.Fatalf("live: %+v %s", got, code)
	}
	// Resuming from live-3's cursor on a new connection gives what came
	// after it, once.
	c.conn.Close(websocket.StatusNormalClosure, "")
	create("live-4")
	again, _ := a.dial(t, nil)
	again.subscribe("r", subscription, map[string]any{"ids": ids, "after": got.Cursor})
	if got, code := again.next("r"); code != "" || got.ID != "live-4" {
		t.Fatalf("resumed: %+v %s", got, code)
	}
	a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {eq: "live-4"}}) { nodesDeleted } }`, nil).ok(t)
	if got, code := again.next("r"); code != "" || got.ID != "live-4" || got.Op != "DELETED" {
		t.Fatalf("after resuming, live: %+v %s", got, code)
	}
}

// Subscriptions are bounded: per connection, and by what a subscriber
// may fall behind.
func TestSubscriptionLimits(t *testing.T) {
	a := live(t, func(c *config.Config) { c.MaxSubscriptionsPerConnection = 1; c.SubscriptionBuffer = 1 })
	t.Cleanup(func() {
		a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {startsWith: "slow-"}}) { nodesDeleted } }`, nil).ok(t)
	})
	start := a.head(t)
	a.postAs(t, editorKey, `mutation { createMarkets(input: [{id: "slow-0", name: "S"}]) { id } }`, nil).ok(t)
	c, _ := a.dial(t, nil)
	// The first subscription is running once its backlog arrives; only
	// then is the second one surely the one too many.
	c.subscribe("one", subscription, map[string]any{"ids": []string{"slow-0", "slow-1", "slow-2", "slow-3"}, "after": start})
	if got, code := c.next("one"); code != "" || got.ID != "slow-0" {
		t.Fatalf("the first subscription's backlog: %+v %q", got, code)
	}
	c.subscribe("two", subscription, nil)
	if _, code := c.next("two"); code != "LIMIT_EXCEEDED" {
		t.Errorf("a second subscription on the connection: %q", code)
	}
	// The limits of queries hold for subscriptions: here, aliases.
	var aliases strings.Builder
	for i := range 20 {
		fmt.Fprintf(&aliases, " a%d: cursor", i)
	}
	other, _ := a.dial(t, nil)
	other.subscribe("bomb", "subscription { changes {"+aliases.String()+" } }", nil)
	if _, code := other.next("bomb"); code != "LIMIT_EXCEEDED" {
		t.Errorf("a subscription with 20 aliases: %q", code)
	}
	// One write of three changes into a buffer of one: the subscriber is
	// behind at once.
	a.postAs(t, editorKey, `mutation { createMarkets(input: [{id: "slow-1", name: "S"}, {id: "slow-2", name: "S"}, {id: "slow-3", name: "S"}]) { id } }`, nil).ok(t)
	for {
		got, code := c.next("one")
		if code == "SLOW_CONSUMER" {
			break
		}
		if code != "" || !strings.HasPrefix(got.ID, "slow-") {
			t.Fatalf("before SLOW_CONSUMER: %+v %q", got, code)
		}
	}
	if code := a.post(t, `subscription { changes { cursor } }`, nil).code(t); code != "BAD_REQUEST" {
		t.Errorf("a subscription over plain POST: %s, want BAD_REQUEST", code)
	}
}

// The token of a WebSocket comes with connection_init; a refused one
// closes the connection with 4401. Over SSE it is the header, and a
// refusal is the status 401.
func TestSubscriptionAuth(t *testing.T) {
	a := live(t, func(c *config.Config) { c.ReadsNeedAuth = true })
	if _, status := a.dial(t, nil); status != 4401 {
		t.Errorf("no token: closed with %d, want 4401", status)
	}
	if _, status := a.dial(t, map[string]any{"Authorization": "Bearer wrong"}); status != 4401 {
		t.Errorf("a wrong token: closed with %d, want 4401", status)
	}
	c, status := a.dial(t, map[string]any{"Authorization": "Bearer " + readerKey})
	if c == nil {
		t.Fatalf("a reader's token: closed with %d", status)
	}
	// From the head on: a subscription without a cursor starts when the
	// server has read it, which may be after the create below.
	c.subscribe("s", subscription, map[string]any{"ids": []string{"auth-m"}, "after": a.head(t)})
	t.Cleanup(func() {
		a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {eq: "auth-m"}}) { nodesDeleted } }`, nil).ok(t)
	})
	a.postAs(t, editorKey, `mutation { createMarkets(input: [{id: "auth-m", name: "A"}]) { id } }`, nil).ok(t)
	if got, code := c.next("s"); code != "" || got.ID != "auth-m" {
		t.Errorf("a reader's subscription: %+v %q", got, code)
	}

	for token, want := range map[string]int{"": http.StatusUnauthorized, "wrong": http.StatusUnauthorized, readerKey: http.StatusOK} {
		resp := a.sse(t, token, `subscription { changes { cursor } }`, nil)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("SSE with token %q: %d, want %d", token, resp.StatusCode, want)
		}
	}
}

// sse starts a subscription over Server-Sent Events.
func (a *api) sse(t *testing.T, token, query string, vars map[string]any) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(jsonString(map[string]any{"query": query, "variables": vars})))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// Over SSE, a subscription resumes from a cursor too.
func TestSubscriptionOverSSE(t *testing.T) {
	a := live(t, nil)
	start := a.head(t)
	t.Cleanup(func() {
		a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {startsWith: "sse-"}}) { nodesDeleted } }`, nil).ok(t)
	})
	a.postAs(t, editorKey, `mutation { createMarkets(input: [{id: "sse-1", name: "S"}]) { id } }`, nil).ok(t)
	resp := a.sse(t, "", subscription, map[string]any{"ids": []string{"sse-1", "sse-2"}, "after": start})
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	events := bufio.NewScanner(resp.Body)
	next := func() change {
		t.Helper()
		for events.Scan() {
			line := events.Text()
			if !strings.HasPrefix(line, "data: ") {
				continue
			}
			var p struct{ Data struct{ Changes change } }
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &p); err != nil {
				t.Fatal(err)
			}
			return p.Data.Changes
		}
		t.Fatal(errors.Join(events.Err(), errors.New("the stream ended")))
		return change{}
	}
	if got := next(); got.ID != "sse-1" {
		t.Errorf("backlog: %+v", got)
	}
	a.postAs(t, editorKey, `mutation { createMarkets(input: [{id: "sse-2", name: "S"}]) { id } }`, nil).ok(t)
	if got := next(); got.ID != "sse-2" {
		t.Errorf("live: %+v", got)
	}
}

// Changes older than the retention are pruned, and a cursor before them
// is refused as expired, by the feed and by a subscription alike.
func TestExpiredCursors(t *testing.T) {
	a := live(t, func(c *config.Config) { c.ChangesRetention = time.Nanosecond })
	t.Cleanup(func() {
		a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {eq: "old-m"}}) { nodesDeleted } }`, nil).ok(t)
	})
	a.postAs(t, editorKey, `mutation { createMarkets(input: [{id: "old-m", name: "Old"}]) { id } }`, nil).ok(t)
	if n, err := a.Changes.Prune(context.Background()); err != nil || n == 0 {
		t.Fatalf("pruned %d: %v", n, err)
	}
	head := a.head(t)
	r := a.postAs(t, readerKey, `{ changes(after: "0") { edges { cursor } } }`, nil)
	if code := r.code(t); code != "CURSOR_EXPIRED" {
		t.Errorf("the feed after an expired cursor: %s", code)
	}
	c, _ := a.dial(t, nil)
	c.subscribe("old", subscription, map[string]any{"after": "0"})
	if _, code := c.next("old"); code != "CURSOR_EXPIRED" {
		t.Errorf("a subscription after an expired cursor: %q", code)
	}
	if got, _ := a.feed(t, head); len(got) != 0 {
		t.Errorf("after the newest cursor: %s", summary(got))
	}
}
