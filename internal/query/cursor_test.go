package query

import (
	"encoding/base64"
	"testing"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []Cursor{
		{Pos: 0},
		{Pos: 41},
		{Pos: 3, ID: "company-9", Keyed: true},
		{Pos: 7, ID: "a:b:c", Keyed: true},
		{Pos: 1, ID: "小米", Keyed: true},
		{Pos: 2, ID: "", Keyed: true},
		{Pos: maxPosition, ID: "x", Keyed: true},
	} {
		var got Cursor
		if err := got.UnmarshalGQL(c.String()); err != nil || got != c {
			t.Errorf("%+v: read back as %+v (%v)", c, got, err)
		}
	}
}

func TestCursorRefusesWhatTheAPINeverGave(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tt := range []struct {
		name string
		v    any
	}{
		{"a number", 3},
		{"not base64", "%%%"},
		{"no prefix", enc("3")},
		{"another prefix", enc("offset:3")},
		{"no position", enc("cursor:")},
		{"a negative position", enc("cursor:-1")},
		{"a position that is no number", enc("cursor:x:company-9")},
		{"an id that is no UTF-8", enc("cursor:3:\xff")},
		{"a position past any list", enc("cursor:9007199254740993:company-9")},
		{"a position past int64", enc("cursor:9223372036854775808")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c Cursor
			if err := c.UnmarshalGQL(tt.v); err == nil {
				t.Errorf("%v read as %+v", tt.v, c)
			}
		})
	}
}
