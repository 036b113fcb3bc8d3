package config

import (
	"io"
	"strings"
	"testing"
)

func TestHardeningDefaults(t *testing.T) {
	c, err := Load(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := Hardening{
		MaxDepth: 10, MaxComplexity: 250_000, MaxAliases: 15, MaxRootFields: 10, MaxFields: 200, MaxTokens: 2000,
		MaxOperations: 1, MaxBodyBytes: 1 << 20, MaxVariablesBytes: 512 << 10, Introspection: true, APQCacheSize: 1000,
	}
	if c.Hardening != want {
		t.Errorf("defaults:\n got %+v\nwant %+v", c.Hardening, want)
	}
	if !strings.Contains(c.String(), "max-depth=10") || !strings.Contains(c.String(), "introspection=true") {
		t.Errorf("String: %s", c)
	}
}

func TestHardeningSettings(t *testing.T) {
	env := map[string]string{"COMPANYGRAPH_MAX_DEPTH": "7", "COMPANYGRAPH_INTROSPECTION": "false", "COMPANYGRAPH_APQ_CACHE_SIZE": "0",
		"COMPANYGRAPH_PERSISTED_QUERIES": "/etc/queries.json"}
	c, err := Load([]string{"-max-aliases", "30"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxDepth != 7 || c.MaxAliases != 30 || c.Introspection || c.APQCacheSize != 0 || c.PersistedQueries != "/etc/queries.json" {
		t.Errorf("%+v", c.Hardening)
	}
	for _, bad := range [][]string{{"-max-depth", "0"}, {"-max-body-bytes", "-1"}, {"-introspection", "perhaps"}, {"-max-tokens", "many"}} {
		if _, err := Load(bad, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
