package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/server"
)

// dbHitsSlack is how much more the compiled statement of a benchmark
// query may cost the database than the hand-written one.
const dbHitsSlack = 1.1

// DBHits is what the first requests of an operation cost the database, as
// PROFILE counts it: the statements companygraph compiled, and the
// hand-written one. Unlike times, the count does not depend on the
// machine's load.
type DBHits struct {
	Compiled, Hand int64
}

// Ratio is the compiled statements' db hits over the hand-written ones'.
func (d DBHits) Ratio() float64 { return float64(d.Compiled) / float64(max(d.Hand, 1)) }

// costClient asks companygraph, as an admin, for each request's cost
// (server.CostHeader).
type costClient struct {
	url, key string
}

// ask sends doc and returns its data, the db hits of all its statements
// and how many statements it sent.
func (c costClient) ask(ctx context.Context, doc string, vars map[string]any) (json.RawMessage, int64, int, error) {
	body, err := json.Marshal(map[string]any{"query": doc, "variables": vars})
	if err != nil {
		return nil, 0, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set(server.CostHeader, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Data       json.RawMessage `json:"data"`
		Errors     []any           `json:"errors"`
		Extensions struct {
			Cost struct {
				DBHits     int64 `json:"dbHits"`
				Statements []any `json:"statements"`
			} `json:"cost"`
		} `json:"extensions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, 0, 0, fmt.Errorf("cost of %s: %w", short(doc), err)
	}
	if len(out.Errors) > 0 {
		return nil, 0, 0, fmt.Errorf("cost of %s: %v", short(doc), out.Errors)
	}
	return out.Data, out.Extensions.Cost.DBHits, len(out.Extensions.Cost.Statements), nil
}

// rawHits runs the hand-written statement under PROFILE.
func rawHits(ctx context.Context, client *neo4j.Client, cypher string, params map[string]any) (int64, error) {
	ctx, p := neo4j.WithProfile(ctx)
	if _, err := client.ReadOne(ctx, cypher, params); err != nil {
		return 0, fmt.Errorf("%s: %w", short(cypher), err)
	}
	return p.DBHits(), nil
}

// measureDBHits PROFILEs the first requests of every read operation, on
// companygraph and by hand.
//
// The write is left out: ingest runs one statement per step in one
// transaction (ids of other types, resolution by id and by name or alias,
// the source, one UNWIND per label and kind of relationship) and records
// who wrote what, which the hand-written MERGE by id does not, so their
// ratio says nothing about the compiler. TestDBHits shows instead that
// an ingest costs the same on a label ten times bigger.
func measureDBHits(ctx context.Context, ops []*Op, cg costClient, client *neo4j.Client, requests int) (map[string]DBHits, error) {
	out := map[string]DBHits{}
	for _, op := range ops {
		doc := cgDoc(op)
		if doc == "" || op.Writes {
			continue
		}
		var d DBHits
		for _, p := range op.Params[:min(requests, len(op.Params))] {
			_, hits, n, err := cg.ask(ctx, doc, p.CG)
			if err != nil {
				return nil, err
			}
			if n != 1 {
				return nil, fmt.Errorf("%s: %d statements for one request", op.Key, n)
			}
			raw, err := rawHits(ctx, client, op.Cypher, p.Raw)
			if err != nil {
				return nil, err
			}
			d.Compiled += hits
			d.Hand += raw
		}
		out[op.Key] = d
	}
	return out, nil
}

// cgDoc is the document companygraph is sent for op.
func cgDoc(op *Op) string {
	if op.CG == "" && op.Key == "path" {
		return fmt.Sprintf(pathField, pathSelection)
	}
	return op.CG
}
