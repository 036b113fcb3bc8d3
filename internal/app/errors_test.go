package app_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/neo4jtest"
)

func TestBadInputGetsCodedErrors(t *testing.T) {
	a := seeded(t)
	tests := []struct {
		name, query string
		vars        map[string]any
		code        string
		status      int
	}{
		// A request error is 200 with application/json, as the GraphQL-over-HTTP
		// specification asks (400 with application/graphql-response+json:
		// hardening_test.go).
		{"syntax error", `{ company(id: "xiaomi") { name `, nil, "GRAPHQL_PARSE_FAILED", http.StatusOK},
		{"unknown field", `{ company(id: "xiaomi") { revenue } }`, nil, "GRAPHQL_VALIDATION_FAILED", http.StatusOK},
		{"missing argument", `{ company { name } }`, nil, "GRAPHQL_VALIDATION_FAILED", http.StatusOK},
		{"wrong variable type", `query($id: ID!) { company(id: $id) { name } }`, map[string]any{"id": []int{1}}, "GRAPHQL_VALIDATION_FAILED", http.StatusOK},
		{"unknown id", `{ company(id: "no-such-company") { name } }`, nil, "NOT_FOUND", http.StatusOK},
		{"id of another type", `{ company(id: "hugo-barra") { name } }`, nil, "NOT_FOUND", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.post(t, tt.query, tt.vars)
			if code := r.code(t); code != tt.code {
				t.Errorf("code %q, want %q: %s", code, tt.code, r.raw)
			}
			if r.status != tt.status {
				t.Errorf("status %d, want %d", r.status, tt.status)
			}
		})
	}
}

// An unknown id fails only its own field; the rest of the request is answered.
func TestUnknownIDFailsOnlyItsField(t *testing.T) {
	a := seeded(t)
	r := a.post(t, `{ nope: company(id: "nope") { name } xiaomi: company(id: "xiaomi") { name } }`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "NOT_FOUND" || r.Errors[0].Path[0] != "nope" {
		t.Fatalf("errors: %s", r.raw)
	}
	if !strings.Contains(r.Errors[0].Message, `no Company with id "nope"`) {
		t.Errorf("message: %q", r.Errors[0].Message)
	}
	if !strings.Contains(string(r.Data), `"nope":null`) || !strings.Contains(string(r.Data), `"xiaomi":{"name":"Xiaomi"}`) {
		t.Errorf("data: %s", r.Data)
	}
}

// closedPort is an address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestNeo4jUnreachable(t *testing.T) {
	a := start(t, testConfig(t, neo4jtest.Conn{URI: "bolt://" + closedPort(t)}), false)
	begin := time.Now()
	r := a.post(t, `{ companies { name } }`, nil)
	if code := r.code(t); code != "DATABASE_UNAVAILABLE" {
		t.Errorf("code %q: %s", code, r.raw)
	}
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("took %v to fail; want it to fail fast", took)
	}
	for _, leak := range []string{"Neo4jError", "ConnectivityError", "connection refused", "bolt://", "MATCH", ".go:"} {
		if strings.Contains(r.raw, leak) {
			t.Errorf("response leaks %q: %s", leak, r.raw)
		}
	}
	ready := get(t, a.srv.URL+"/readyz")
	if ready.status != http.StatusServiceUnavailable || !strings.Contains(ready.body, "database is unavailable") {
		t.Errorf("readyz: %d %s", ready.status, ready.body)
	}
	health := get(t, a.srv.URL+"/healthz")
	if health.status != http.StatusOK {
		t.Errorf("healthz: %d", health.status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Prepare(ctx); err == nil {
		t.Error("Prepare succeeded without a database")
	}
}

func TestWrongPasswordIsUnavailable(t *testing.T) {
	conn := neo4jtest.Shared(t)
	if conn.Password == "" {
		t.Skip("the shared Neo4j runs without auth")
	}
	conn.Password = "not-the-password"
	a := start(t, testConfig(t, conn), false)
	r := a.post(t, `{ markets { id } }`, nil)
	if code := r.code(t); code != "DATABASE_UNAVAILABLE" {
		t.Errorf("code %q: %s", code, r.raw)
	}
	if strings.Contains(r.raw, "not-the-password") || strings.Contains(r.raw, "Security") {
		t.Errorf("response leaks detail: %s", r.raw)
	}
}
