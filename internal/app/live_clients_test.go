package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/config"
)

// liveClientsDir holds the graphql-ws and graphql-sse clients, pinned by
// its package-lock; `make test` installs them with the audit suite, and
// EnvRequireAudit makes their absence a failure.
var liveClientsDir = filepath.Join("..", "..", "test", "live-clients")

// npmClient runs test/live-clients/live.mjs: one subscription over
// transport ("ws" or "sse") that stops after events changes.
type npmClient struct {
	cmd    *exec.Cmd
	out    bytes.Buffer
	stderr bytes.Buffer
}

func startNpmClient(t *testing.T, a *api, transport, token string, events int, vars map[string]any) *npmClient {
	t.Helper()
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(liveClientsDir, "node_modules", "graphql-ws")); err != nil || statErr != nil {
		why := "node or test/live-clients/node_modules is missing; `make test` installs them"
		if os.Getenv(EnvRequireAudit) != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	if token == "" {
		token = "-"
	}
	raw, _ := json.Marshal(vars)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	c := &npmClient{cmd: exec.CommandContext(ctx, node, "live.mjs", transport, a.srv.URL+"/graphql", token, fmt.Sprint(events), string(raw))}
	c.cmd.Dir = liveClientsDir
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return c
}

// lines waits for the client to end and returns what it printed.
func (c *npmClient) lines(t *testing.T) []map[string]any {
	t.Helper()
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("node live.mjs: %v\n%s\n%s", err, c.out.String(), c.stderr.String())
	}
	var out []map[string]any
	sc := bufio.NewScanner(&c.out)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("live.mjs printed %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// The clients frontends use, graphql-ws and graphql-sse, follow the
// changes: a write is seen, a cursor resumes, a wrong token is refused.
func TestSubscriptionsWithTheNpmClients(t *testing.T) {
	a := live(t, func(c *config.Config) { c.ReadsNeedAuth = true })
	t.Cleanup(func() {
		a.postAs(t, adminKey, `mutation { deleteMarkets(where: {id: {startsWith: "npm-"}}) { nodesDeleted } }`, nil).ok(t)
	})
	for _, transport := range []string{"ws", "sse"} {
		t.Run(transport, func(t *testing.T) {
			ids := []string{"npm-" + transport + "-1", "npm-" + transport + "-2"}
			start := a.head(t)
			// From a cursor, the client gets the writes whether they land
			// before or after its subscription starts.
			c := startNpmClient(t, a, transport, readerKey, 2, map[string]any{"ids": ids, "after": start})
			for _, id := range ids {
				a.postAs(t, editorKey, fmt.Sprintf(`mutation { createMarkets(input: [{id: %q, name: "N"}]) { id } }`, id), nil).ok(t)
			}
			got := c.lines(t)
			if len(got) != 2 || got[0]["id"] != ids[0] || got[1]["id"] != ids[1] || got[0]["op"] != "CREATED" {
				t.Fatalf("events: %v", got)
			}
			resumed := startNpmClient(t, a, transport, readerKey, 1, map[string]any{"ids": ids, "after": got[0]["cursor"]}).lines(t)
			if len(resumed) != 1 || resumed[0]["id"] != ids[1] {
				t.Errorf("resumed after the first: %v", resumed)
			}
			want := float64(4401)
			if transport == "sse" {
				want = 401
			}
			for _, token := range []string{"", "wrong"} {
				refused := startNpmClient(t, a, transport, token, 1, map[string]any{"ids": ids}).lines(t)
				if len(refused) != 1 || refused[0]["refused"] != want {
					t.Errorf("token %q: %v, want refused with %v", token, refused, want)
				}
			}
		})
	}
}
