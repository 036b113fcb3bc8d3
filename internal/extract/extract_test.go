package extract

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"
)

func TestExtract(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   Result
		err    bool
	}{
		{"facts", 200, `{"english": 1.0, "facts": [
			{"company": {"id": "acme", "name": "Acme", "aliases": []}, "sentences": ["Acme sells robots."], "confidence": 0.85, "rule": "named organisation"},
			{"event": {"id": "acme-raises", "kind": "FUNDING", "amountUsd": 20000000.0, "unitsSold": 3}, "sentences": ["s"], "confidence": 0.7, "rule": "fundraising"},
			{"relationship": {"type": "WORKS_FOR", "from": "a", "to": "b"}, "sentences": ["s"], "confidence": 0.8, "rule": "title", "fromType": "Executive", "toType": "Company"}]}`,
			Result{English: 1, Facts: []Fact{
				{Input: map[string]any{"company": map[string]any{"id": "acme", "name": "Acme", "aliases": []any{}}, "sentences": []any{"Acme sells robots."}}, Confidence: 0.85, Rule: "named organisation"},
				{Input: map[string]any{"event": map[string]any{"id": "acme-raises", "kind": "FUNDING", "amountUsd": 2e7, "unitsSold": int64(3)}, "sentences": []any{"s"}}, Confidence: 0.7, Rule: "fundraising"},
				{Input: map[string]any{"relationship": map[string]any{"type": "WORKS_FOR", "from": "a", "to": "b"}, "sentences": []any{"s"}}, Confidence: 0.8, Rule: "title", FromType: "Executive", ToType: "Company"},
			}}, false},
		{"no facts", 200, `{"english": 0.2, "facts": []}`, Result{English: 0.2, Facts: []Fact{}}, false},
		{"refused", 413, `{"error": "too big"}`, Result{}, true},
		{"failed", 500, `oops`, Result{}, true},
		{"not JSON", 200, `<html>`, Result{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/extract" || r.Method != http.MethodPost {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			got, err := New(srv.URL, time.Second).Extract(context.Background(), "text", "title")
			if tt.err {
				if !errors.Is(err, ErrUnavailable) {
					t.Fatalf("error %v, want ErrUnavailable", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
	t.Run("nothing listening", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		if _, err := New(url, time.Second).Extract(context.Background(), "t", ""); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("error %v, want ErrUnavailable", err)
		}
	})
}
