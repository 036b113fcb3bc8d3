package mutation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/query"
)

// textHashProperty is the property of a Source read as an article that
// holds the sha256 of its text, in hex: what ingestArticles compares to
// tell an article it holds already.
const textHashProperty = "textSha256"

func textHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// articles reads a batch of articles, each as article does, in its own
// transaction, one after the other: an article that fails is answered
// with its error, in its place, and never takes the others along. An
// article whose Source already records the hash of the same text is
// answered as ingested already, without reading or writing it again.
// The batch is bounded by MaxArticles, and by time.
func (r *request) articles(ctx context.Context) (any, error) {
	sources, _ := r.args["sources"].([]any)
	dryRun, _ := r.args["dryRun"].(bool)
	switch {
	case len(sources) == 0:
		return nil, apierror.New(apierror.BadInput, "sources: give 1 to %d articles", r.w.o.MaxArticles)
	case len(sources) > r.w.o.MaxArticles:
		e := apierror.New(apierror.LimitExceeded, "sources: at most %d articles in one ingestArticles, got %d", r.w.o.MaxArticles, len(sources))
		e.Fields = map[string]any{"limit": "articles", "max": r.w.o.MaxArticles}
		return nil, e
	}
	done, err := r.ingested(ctx, sources)
	if err != nil {
		return nil, err
	}
	// The server gives up writing an answer COMPANYGRAPH_QUERY_TIMEOUT
	// and 10 s after the request came (cmd/companygraph): no article
	// starts after the first of those, and those left answer TIMEOUT, to
	// be sent again.
	last := time.Now().Add(r.w.o.Timeout)
	out := make([]any, len(sources))
	for i, s := range sources {
		src, _ := s.(map[string]any)
		id, _ := src["id"].(string)
		text, _ := src["text"].(string)
		o := query.ByName{"index": int64(i), "source": id, "alreadyIngested": false, "article": nil}
		out[i] = o
		key := id + "\x00" + textHash(text)
		switch {
		case done[key]:
			o["alreadyIngested"] = true
		case ctx.Err() != nil || time.Now().After(last):
			o["article"] = apierror.New(apierror.Timeout, "not read: the batch ran out of time before this article; send it again")
		default:
			// An error goes in the article's place: the engine reports it
			// at that path, with its code, and answers the others.
			v, err := r.article(ctx, src, dryRun)
			if err != nil {
				o["article"] = err
				continue
			}
			o["article"] = v
			if !dryRun {
				// The same article twice in one batch is read once.
				done[key] = true
			}
		}
	}
	return out, nil
}

// ingested returns, as "id\x00hash", the articles of sources whose Source
// already records the hash of their text: one read for the batch.
func (r *request) ingested(ctx context.Context, sources []any) (map[string]bool, error) {
	done := map[string]bool{}
	var rows []any
	for _, s := range sources {
		src, _ := s.(map[string]any)
		id, _ := src["id"].(string)
		if text, _ := src["text"].(string); id != "" && text != "" {
			rows = append(rows, map[string]any{"id": id, "hash": textHash(text)})
		}
	}
	if len(rows) == 0 {
		return done, nil
	}
	if r.w.o.Reads == nil {
		return nil, fmt.Errorf("ingestArticles without a database to read")
	}
	label, _ := r.w.m.Label("Source")
	ctx, cancel := context.WithTimeout(ctx, r.w.o.Timeout)
	defer cancel()
	recs, err := r.w.o.Reads.ReadOne(ctx, "UNWIND $rows AS row MATCH (s:`"+label+"` {id: row.id}) WHERE s."+textHashProperty+" = row.hash RETURN row.id, row.hash",
		map[string]any{"rows": rows})
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		id, _ := rec.Values[0].(string)
		hash, _ := rec.Values[1].(string)
		done[id+"\x00"+hash] = true
	}
	return done, nil
}
