package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(Config) bool
		wantErr string
	}{
		{name: "defaults", check: func(c Config) bool {
			return c.Addr == "127.0.0.1:8080" && c.Neo4jURI == "neo4j://127.0.0.1:7687" && c.Neo4jDatabase == "neo4j" &&
				c.QueryTimeout == 10*time.Second && c.LoadSeed && c.Playground && len(c.CORSOrigins) == 1 && c.CORSOrigins[0] == "*"
		}},
		{name: "env", env: map[string]string{"NEO4J_URI": "bolt://db:7687", "COMPANYGRAPH_CORS_ORIGINS": "https://a.example, https://b.example", "COMPANYGRAPH_LOAD_SEED": "false"},
			check: func(c Config) bool {
				return c.Neo4jURI == "bolt://db:7687" && len(c.CORSOrigins) == 2 && c.CORSOrigins[1] == "https://b.example" && !c.LoadSeed
			}},
		{name: "flag beats env", args: []string{"-addr", ":9999"}, env: map[string]string{"COMPANYGRAPH_ADDR": ":1"},
			check: func(c Config) bool { return c.Addr == ":9999" }},
		{name: "bad scheme", env: map[string]string{"NEO4J_URI": "http://x:7474"}, wantErr: "scheme"},
		{name: "bad timeout", args: []string{"-query-timeout", "soon"}, wantErr: "query-timeout"},
		{name: "bad bool", env: map[string]string{"COMPANYGRAPH_LOAD_SEED": "maybe"}, wantErr: "load-seed"},
		{name: "unknown flag", args: []string{"-nope"}, wantErr: "not defined"},
		{name: "no broker by default", check: func(c Config) bool {
			return c.NATSURL == "" && c.SweepEvery == time.Second && c.SweepGrace == 2*time.Second
		}},
		{name: "broker", args: []string{"-sweep-grace", "500ms"}, env: map[string]string{"COMPANYGRAPH_NATS_URL": "nats://a:4222,nats://b:4222", "COMPANYGRAPH_SWEEP_INTERVAL": "250ms"},
			check: func(c Config) bool {
				return c.NATSURL == "nats://a:4222,nats://b:4222" && c.SweepEvery == 250*time.Millisecond && c.SweepGrace == 500*time.Millisecond
			}},
		{name: "bad broker", args: []string{"-nats-url", "4222"}, wantErr: "nats-url"},
		{name: "bad sweep", env: map[string]string{"COMPANYGRAPH_SWEEP_INTERVAL": "0s"}, wantErr: "sweep-interval"},
		{name: "articles of one batch", env: map[string]string{"COMPANYGRAPH_MAX_ARTICLES": "3"},
			check: func(c Config) bool { return c.MaxArticles == 3 }},
		{name: "ten articles by default", check: func(c Config) bool { return c.MaxArticles == 10 }},
		{name: "no articles", args: []string{"-max-articles", "0"}, wantErr: "max-articles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("unexpected config: %s", c)
			}
		})
	}
}

func TestStringMasksPassword(t *testing.T) {
	c, err := Load(nil, func(k string) string {
		if k == "NEO4J_PASSWORD" {
			return "s3cret-value"
		}
		return ""
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.String(); strings.Contains(s, "s3cret") || !strings.Contains(s, "password=****") {
		t.Errorf("password not masked: %s", s)
	}
	c, err = Load([]string{"-nats-url", "nats://app:n4ts-secret@broker:4222"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.String(); strings.Contains(s, "n4ts-secret") || !strings.Contains(s, "nats-url=nats://app:xxxxx@broker:4222") {
		t.Errorf("the NATS password is not masked: %s", s)
	}
}
