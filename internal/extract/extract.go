// Package extract asks companygraph's extractor service (extractor/, spaCy
// and rules over its parse) for the facts an article states. The service
// knows language, not the graph: what it answers are facts in the shape of
// the ingest mutation's FactInput, with provisional ids that the mutation
// resolves against the graph.
package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Fact is one fact the extractor found: Input is a FactInput (one entity
// or relationship, and its sentences), Confidence how sure the rule that
// found it is (0 to 1) and Rule which rule it was.
type Fact struct {
	Input      map[string]any
	Confidence float64
	Rule       string
	// FromType and ToType are the types the extractor read a
	// relationship's ends as ("Executive"), empty when it did not say:
	// one id may name two entities of the article, a person and a company.
	FromType, ToType string
}

// Result is what the extractor read in an article.
type Result struct {
	Facts []Fact
	// English is how English the text reads, 0 to 1; the extractor finds
	// no facts below one half.
	English float64
}

// ErrUnavailable is the error of an extractor that cannot be reached or
// failed to answer.
var ErrUnavailable = errors.New("the extractor is unavailable")

// Client calls the extractor at one address.
type Client struct {
	url  string
	http *http.Client
}

// New returns a client of the extractor at base (e.g.
// http://127.0.0.1:8090), whose every call takes at most timeout.
func New(base string, timeout time.Duration) *Client {
	return &Client{url: strings.TrimRight(base, "/"), http: &http.Client{Timeout: timeout}}
}

// Extract returns the facts text states. A failure of the service is
// ErrUnavailable, wrapped with what went wrong.
func (c *Client) Extract(ctx context.Context, text, title string) (Result, error) {
	body, err := json.Marshal(map[string]any{"text": text, "title": title})
	if err != nil {
		return Result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/extract", bytes.NewReader(body))
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return Result{}, fmt.Errorf("%w: %s: %s", ErrUnavailable, resp.Status, bytes.TrimSpace(msg))
	}
	var out struct {
		Facts   []map[string]any `json:"facts"`
		English float64          `json:"english"`
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return Result{}, fmt.Errorf("%w: its answer: %v", ErrUnavailable, err)
	}
	res := Result{English: out.English, Facts: make([]Fact, 0, len(out.Facts))}
	for _, f := range out.Facts {
		fact := Fact{Input: map[string]any{}}
		for k, v := range f {
			switch k {
			case "confidence":
				n, _ := v.(json.Number)
				fact.Confidence, _ = n.Float64()
			case "rule":
				fact.Rule, _ = v.(string)
			case "fromType":
				fact.FromType, _ = v.(string)
			case "toType":
				fact.ToType, _ = v.(string)
			default:
				fact.Input[k] = numbers(v)
			}
		}
		res.Facts = append(res.Facts, fact)
	}
	return res, nil
}

// numbers turns the JSON numbers of v into int64 where they are whole and
// float64 otherwise, as the ingest mutation's coerced arguments are.
func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
		return x
	}
	return v
}
