package server

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestSentBookmarks(t *testing.T) {
	header := func(values ...string) http.Header { return http.Header{BookmarkHeader: values} }
	tests := []struct {
		name   string
		header http.Header
		ext    map[string]any
		want   []string
		bad    bool
	}{
		{"none", nil, nil, nil, false},
		{"one", header("FB:a"), nil, []string{"FB:a"}, false},
		{"a list, spaced, with an empty element", header(" FB:a ,, FB:b "), nil, []string{"FB:a", "FB:b"}, false},
		{"repeated headers", header("FB:a", "FB:b"), nil, []string{"FB:a", "FB:b"}, false},
		{"header and extension", header("FB:a"), map[string]any{"bookmark": "FB:b,FB:c"}, []string{"FB:a", "FB:b", "FB:c"}, false},
		{"extension list", nil, map[string]any{"bookmark": []any{"FB:a", "FB:b"}}, []string{"FB:a", "FB:b"}, false},
		{"other extensions only", nil, map[string]any{"cost": true}, nil, false},
		{"a space inside", header("FB:a b"), nil, nil, true},
		{"not ASCII", header("FB:ä"), nil, nil, true},
		{"too long", header("FB:" + strings.Repeat("a", maxBookmarkLength)), nil, nil, true},
		{"too many", header(strings.Repeat("FB:a,", maxBookmarks+1)), nil, nil, true},
		{"extension of a number", nil, map[string]any{"bookmark": 1}, nil, true},
		{"extension list with a number", nil, map[string]any{"bookmark": []any{"FB:a", 1}}, nil, true},
		{"extension list with a comma", nil, map[string]any{"bookmark": []any{"FB:a,FB:b"}}, nil, true},
	}
	for _, tt := range tests {
		got, err := sentBookmarks(tt.header, tt.ext)
		if (err != nil) != tt.bad || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, %v", tt.name, got, err)
		}
		if err != nil && err.Code != "BAD_REQUEST" {
			t.Errorf("%s: code %s", tt.name, err.Code)
		}
	}
}
