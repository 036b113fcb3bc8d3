package difftest

import (
	"testing"
	"time"
)

// The reference writes a change's time as Cypher's toString does.
func TestNeo4jString(t *testing.T) {
	at := func(ns int) time.Time { return time.Date(2026, 12, 1, 17, 59, 16, ns, time.UTC) }
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{at(770_000_000), "2026-12-01T17:59:16.77Z"},
		{at(123_456_000), "2026-12-01T17:59:16.123456Z"},
		{at(100_000_000), "2026-12-01T17:59:16.1Z"},
		{at(123_456_789), "2026-12-01T17:59:16.123456789Z"},
		{at(0), "2026-12-01T17:59:16Z"},
	} {
		if got := neo4jString(tt.t); got != tt.want {
			t.Errorf("%v: %v, want %s", tt.t, got, tt.want)
		}
	}
}
