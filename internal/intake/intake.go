// Package intake sends a file of articles, one JSON object a line (a
// SourceInput), to a running API's ingestArticles, batch after batch, and
// reports what became of each article: `companygraph ingest-articles`. It
// is a client of the API and knows only its GraphQL: the API reads,
// resolves and writes, and skips what it holds already, so a file sent
// again costs little and writes nothing twice.
package intake

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/companygraph/companygraph/graph/model"
)

// Options say where the articles go and how they are reported.
type Options struct {
	// URL is the API's GraphQL endpoint, APIKey a key of an editor (sent
	// as a bearer token), empty for none.
	URL, APIKey string
	// Batch is the most articles of one request; a request the API finds
	// too big (too many articles, too many bytes) is sent again in halves.
	Batch  int
	DryRun bool
	Client *http.Client
	// Out gets one JSON line per article line of the file, in its order.
	Out io.Writer
	// Progress gets "12/40 articles" after each batch: written over in
	// place when Terminal, one line each otherwise.
	Progress io.Writer
	Terminal bool
}

// Outcome is what became of one line of the file, as Out shows it.
type Outcome struct {
	Line int    `json:"line"`
	ID   string `json:"id,omitempty"`
	OK   bool   `json:"ok"`
	// AlreadyIngested: the API holds the article with the same text and
	// neither read nor wrote it again.
	AlreadyIngested bool `json:"alreadyIngested,omitempty"`
	// Article is ingestArticle's answer for it.
	Article json.RawMessage `json:"article,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// Error is why a line failed: the API's error with its code, or one of
// intake's own: MALFORMED_LINE (the line is no article, and was not
// sent) and API_UNREACHABLE (no GraphQL answer came back).
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Codes of the failures intake finds itself.
const (
	MalformedLine  = "MALFORMED_LINE"
	APIUnreachable = "API_UNREACHABLE"
)

// Summary counts the lines of a run.
type Summary struct {
	Articles, Failed int
}

// Run reads the articles of in, sends them and writes each one's outcome
// to Out as its batch comes back. A malformed line is reported with its
// number, and the others are sent all the same. The error is the
// reading's or the writing's of outcomes; the failures of articles are
// counted in the Summary.
func Run(ctx context.Context, in io.Reader, o Options) (Summary, error) {
	if o.Batch < 1 {
		o.Batch = 1
	}
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	var sum Summary
	var lines []article
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for n := 1; sc.Scan(); n++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		src, err := parse(raw)
		if err != nil {
			lines = append(lines, article{line: n, err: &Error{Code: MalformedLine, Message: fmt.Sprintf("line %d: %v", n, err)}})
			continue
		}
		lines = append(lines, article{line: n, src: src})
		sum.Articles++
	}
	if err := sc.Err(); err != nil {
		return sum, fmt.Errorf("reading the articles: %w", err)
	}
	total, sent := sum.Articles, 0
	// On a terminal the progress line is written over in place, and ends
	// before any other line is.
	midLine := false
	progress := func() {
		switch {
		case o.Progress == nil:
		case o.Terminal:
			fmt.Fprintf(o.Progress, "\r%d/%d articles", sent, total)
			if midLine = sent < total; !midLine {
				fmt.Fprintln(o.Progress)
			}
		default:
			fmt.Fprintf(o.Progress, "%d/%d articles\n", sent, total)
		}
	}
	report := func(msg string) {
		if o.Progress == nil {
			return
		}
		if midLine {
			fmt.Fprintln(o.Progress)
			midLine = false
		}
		fmt.Fprintln(o.Progress, msg)
	}
	// Outcomes go out in the order of the file: a malformed line ends
	// the batch before it.
	var batch []article
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped with %d of %d articles sent: %w", sent, total, err)
		}
		for _, out := range o.send(ctx, batch) {
			if !out.OK {
				sum.Failed++
			}
			if err := writeJSONLine(o.Out, out); err != nil {
				return err
			}
		}
		sent += len(batch)
		batch = batch[:0]
		progress()
		return nil
	}
	for _, a := range lines {
		if a.err == nil {
			if batch = append(batch, a); len(batch) < o.Batch {
				continue
			}
		}
		if err := flush(); err != nil {
			return sum, err
		}
		if a.err != nil {
			report(a.err.Message)
			sum.Failed++
			if err := writeJSONLine(o.Out, Outcome{Line: a.line, Error: a.err}); err != nil {
				return sum, err
			}
		}
	}
	if err := flush(); err != nil {
		return sum, err
	}
	if total == 0 {
		progress()
	}
	return sum, nil
}

// article is one line of the file: a source to send, or why it is none.
type article struct {
	line int
	src  model.SourceInput
	err  *Error
}

// parse reads one line as a SourceInput: a JSON object of its fields and
// no others, with an id and a title.
func parse(raw []byte) (model.SourceInput, error) {
	var src model.SourceInput
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&src); err != nil {
		return src, fmt.Errorf("not an article (a JSON object of SourceInput's fields): %v", err)
	}
	if dec.More() {
		return src, errors.New("more than one JSON value")
	}
	switch {
	case strings.TrimSpace(src.ID) == "":
		return src, errors.New("an id is required")
	case strings.TrimSpace(src.Title) == "":
		return src, errors.New("a title is required")
	}
	return src, nil
}

const mutation = `mutation IngestArticles($sources: [SourceInput!]!, $dryRun: Boolean) {
  ingestArticles(sources: $sources, dryRun: $dryRun) {
    index source alreadyIngested
    article { source dryRun created matched unchanged skipped facts { index outcome id matchedBy reason } }
  }
}`

// send sends one batch and returns the outcome of each of its articles.
// A batch the API refuses as too big goes again in halves; an article
// alone too big fails.
func (o Options) send(ctx context.Context, batch []article) []Outcome {
	res, status, err := o.post(ctx, batch)
	fail := func(e *Error) []Outcome {
		out := make([]Outcome, len(batch))
		for i, a := range batch {
			out[i] = Outcome{Line: a.line, ID: a.src.ID, Error: e}
		}
		return out
	}
	if err != nil {
		return fail(&Error{Code: APIUnreachable, Message: err.Error()})
	}
	if len(res.Data.IngestArticles) != len(batch) {
		e := &Error{Code: APIUnreachable, Message: fmt.Sprintf("the API answered %s without an outcome per article", http.StatusText(status))}
		switch {
		case len(res.Errors) > 0:
			e = res.Errors[0].coded()
		case status == http.StatusRequestEntityTooLarge:
			e = &Error{Code: "LIMIT_EXCEEDED", Message: "the request is larger than the API takes"}
		}
		// Too many articles, or too many bytes, for one request.
		if len(batch) > 1 && e.Code == "LIMIT_EXCEEDED" {
			half := len(batch) / 2
			return append(o.send(ctx, batch[:half]), o.send(ctx, batch[half:])...)
		}
		return fail(e)
	}
	// An article that failed has its error at its path.
	failed := map[int]*Error{}
	for _, e := range res.Errors {
		if len(e.Path) >= 2 {
			if i, ok := e.Path[1].(float64); ok {
				if _, seen := failed[int(i)]; !seen {
					failed[int(i)] = e.coded()
				}
			}
		}
	}
	out := make([]Outcome, len(batch))
	for i, a := range batch {
		r := res.Data.IngestArticles[i]
		out[i] = Outcome{Line: a.line, ID: a.src.ID, AlreadyIngested: r.AlreadyIngested}
		switch {
		case failed[i] != nil:
			out[i].Error = failed[i]
		case r.AlreadyIngested || len(r.Article) > 0 && string(r.Article) != "null":
			out[i].OK, out[i].Article = true, r.Article
			if string(r.Article) == "null" {
				out[i].Article = nil
			}
		default:
			out[i].Error = &Error{Code: APIUnreachable, Message: "the API answered nothing for the article"}
		}
	}
	return out
}

type response struct {
	Data struct {
		IngestArticles []struct {
			Index           int             `json:"index"`
			Source          string          `json:"source"`
			AlreadyIngested bool            `json:"alreadyIngested"`
			Article         json.RawMessage `json:"article"`
		} `json:"ingestArticles"`
	} `json:"data"`
	Errors []gqlError `json:"errors"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) coded() *Error {
	code, _ := e.Extensions["code"].(string)
	return &Error{Code: code, Message: e.Message}
}

// post sends one batch and decodes the answer, whatever its status: a
// GraphQL error comes with 200 or a 4xx alike.
func (o Options) post(ctx context.Context, batch []article) (response, int, error) {
	sources := make([]model.SourceInput, len(batch))
	for i, a := range batch {
		sources[i] = a.src
	}
	vars := map[string]any{"sources": sources}
	if o.DryRun {
		vars["dryRun"] = true
	}
	body, err := json.Marshal(map[string]any{"query": mutation, "variables": vars})
	if err != nil {
		return response{}, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(body))
	if err != nil {
		return response{}, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	if o.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+o.APIKey)
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return response{}, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, resp.StatusCode, err
	}
	var res response
	if err := json.Unmarshal(raw, &res); err != nil {
		if resp.StatusCode == http.StatusRequestEntityTooLarge {
			return res, resp.StatusCode, nil
		}
		return res, resp.StatusCode, fmt.Errorf("%s: not a GraphQL answer: %.200s", resp.Status, bytes.TrimSpace(raw))
	}
	return res, resp.StatusCode, nil
}

func writeJSONLine(w io.Writer, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(raw, '\n'))
	return err
}
