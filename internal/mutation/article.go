package mutation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/changes"
	"github.com/companygraph/companygraph/internal/extract"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

// minEnglish is how English an article must read (extract.Result.English)
// for the extractor's rules to read it.
const minEnglish = 0.5

// maxArticleRounds bounds the rounds of dropping facts the graph refuses:
// a dropped entity can only take the relationships to it along.
const maxArticleRounds = 5

// organisations are the types one organisation is found under: a name the
// graph already holds as one of them is that node, whichever of them the
// extractor read it as.
var organisations = []string{"Company", "Partner", "Product"}

// roles are the organisation types one node can hold at once.
var roles = map[string]bool{"Company": true, "Partner": true}

// articleFact is one fact the extractor found, on its way to ingest.
type articleFact struct {
	input      map[string]any // a FactInput
	confidence float64
	rule       string
	key        string // "company", ..., or "relationship"
	matchedBy  string // ID, NAME or ALIAS: how an entity was found in the graph
	skipped    string // why the fact is not written
}

// dryRunDone ends a dry run's transaction, which is rolled back, with its answer.
type dryRunDone struct{ answer query.ByName }

func (dryRunDone) Error() string { return "dry run" }

// article reads the facts of an article with the extractor, resolves them
// against the graph and writes them as ingest does, in one transaction;
// dryRun rolls it back and answers the same. A fact the graph refuses (a
// relationship the schema has not, a figure of the wrong type) is left
// out, with the reason, and the others are written.
func (r *request) article(ctx context.Context) (any, error) {
	src, _ := r.args["source"].(map[string]any)
	dryRun, _ := r.args["dryRun"].(bool)
	text, _ := src["text"].(string)
	title, _ := src["title"].(string)
	switch {
	case strings.TrimSpace(text) == "":
		return nil, apierror.New(apierror.BadInput, "source.text: the article's text is required")
	case len(text) > r.w.o.MaxArticleBytes:
		return nil, apierror.New(apierror.LimitExceeded, "source.text: an article of at most %d bytes, got %d", r.w.o.MaxArticleBytes, len(text))
	case r.w.o.Extractor == nil:
		return nil, apierror.New(apierror.ExtractorUnavailable, "no extractor is configured (COMPANYGRAPH_EXTRACTOR_URL)")
	}
	res, err := r.w.o.Extractor.Extract(ctx, text, title)
	if err != nil {
		return nil, apierror.Wrap(apierror.ExtractorUnavailable, err, "the extractor did not answer; try again later")
	}
	if res.English < minEnglish {
		return nil, apierror.New(apierror.UnsupportedLanguage, "source.text: the article does not read as English, the one language the extractor reads")
	}
	if len(res.Facts) > r.w.o.MaxBatch {
		return nil, apierror.New(apierror.LimitExceeded, "the article states %d facts, more than the %d of one ingest", len(res.Facts), r.w.o.MaxBatch)
	}
	// The extractor's time is its own (the client's timeout); the write
	// has the deadline of any other.
	ctx, cancel := context.WithTimeout(ctx, r.w.o.Timeout)
	defer cancel()
	facts := make([]*articleFact, len(res.Facts))
	factInput := &ast.Type{NamedType: "FactInput", NonNull: true}
	for i, f := range res.Facts {
		a := &articleFact{input: f.Input, confidence: f.Confidence, rule: f.Rule}
		for k := range f.Input {
			if k != "sentences" {
				a.key = k
			}
		}
		// Every fact written says it was extracted, and how sure the rule
		// that found it is.
		f.Input["method"], f.Input["confidence"] = "EXTRACTED", f.Confidence
		if v, err := r.w.m.Coerce(f.Input, factInput, fmt.Sprintf("facts[%d]", i)); err != nil {
			a.skipped = err.Error()
		} else {
			a.input = v.(map[string]any)
		}
		facts[i] = a
	}
	out, err := r.w.log.Write(ctx, r.who, func(tx neo4j.Tx, rec *changes.Recorder) (any, error) {
		if err := r.match(ctx, tx, facts); err != nil {
			return nil, err
		}
		for round := 0; ; round++ {
			var batch []any
			var at []int // batch position -> fact
			for i, f := range facts {
				if f.skipped == "" {
					batch = append(batch, f.input)
					at = append(at, i)
				}
			}
			var written query.ByName
			if len(batch) > 0 {
				var err error
				written, err = r.ingestFacts(ctx, tx, rec, src, batch)
				var bad invalid
				if errors.As(err, &bad) && round < maxArticleRounds {
					if dropped := skip(facts, at, bad); dropped {
						continue
					}
				}
				if err != nil {
					return nil, err
				}
			}
			answer := articleAnswer(src, dryRun, facts, at, written)
			if dryRun {
				return nil, dryRunDone{answer}
			}
			return answer, nil
		}
	})
	var done dryRunDone
	if errors.As(err, &done) {
		return done.answer, nil
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// skip marks the facts that bad names as skipped, and reports whether it
// marked any: a problem of the source, or of no fact, is the request's.
func skip(facts []*articleFact, at []int, bad invalid) bool {
	dropped := false
	for _, e := range bad {
		i, ok := e.Fields["index"].(int)
		if !ok || i < 0 || i >= len(at) {
			return false
		}
		if f := facts[at[i]]; f.skipped == "" {
			f.skipped = e.Message
			dropped = true
		}
	}
	return dropped
}

func articleAnswer(src map[string]any, dryRun bool, facts []*articleFact, at []int, written query.ByName) query.ByName {
	outcomes := map[int]query.ByName{}
	if list, ok := written["facts"].([]any); ok {
		for _, o := range list {
			o := o.(query.ByName)
			outcomes[at[int(o["index"].(int64))]] = o
		}
	}
	counts := map[string]int64{}
	list := make([]any, 0, len(facts))
	for i, f := range facts {
		entry := query.ByName{
			"index": int64(i), "fact": f.input, "confidence": f.confidence, "rule": f.rule,
			"matchedBy": nil, "reason": nil, "id": factID(f),
		}
		if o, ok := outcomes[i]; ok && f.skipped == "" {
			entry["outcome"], entry["id"] = o["outcome"], o["id"]
			if f.matchedBy != "" {
				entry["matchedBy"] = f.matchedBy
			}
		} else {
			entry["outcome"], entry["reason"] = "SKIPPED", f.skipped
		}
		counts[entry["outcome"].(string)]++
		list = append(list, entry)
	}
	return query.ByName{
		"source": src["id"], "dryRun": dryRun, "facts": list,
		"created": counts["CREATED"], "matched": counts["MATCHED"], "unchanged": counts["UNCHANGED"], "skipped": counts["SKIPPED"],
	}
}

// factID is the id a fact's answer shows before it is written: the
// entity's, or the relationship as from-TYPE->to.
func factID(f *articleFact) string {
	body, _ := f.input[f.key].(map[string]any)
	if f.key == "relationship" {
		return fmt.Sprintf("%v-%v->%v", body["from"], body["type"], body["to"])
	}
	id, _ := body["id"].(string)
	return id
}

// match finds the entity facts in the graph, by id, else by name, else by
// alias, case-insensitively and across the organisation types: an
// organisation the graph holds as a Partner is that node, which becomes a
// Company too where the article reads it as one. A fact matched so takes
// the node's id, and the relationships that name the fact's id follow it.
// A person is found by a name of one word (a surname) only when one
// person alone in the graph has it, and a person's full name never
// matches another person by a surname they share.
func (r *request) match(ctx context.Context, tx neo4j.Tx, facts []*articleFact) error {
	var probes []any
	for i, f := range facts {
		if f.skipped != "" || f.key == "relationship" {
			continue
		}
		body := f.input[f.key].(map[string]any)
		var names []string
		for _, n := range append([]any{body["name"]}, asList(body["aliases"])...) {
			if s, ok := n.(string); ok {
				names = append(names, strings.ToLower(s))
			}
		}
		typeName := r.typeOfKey(f.key)
		types := []string{typeName}
		if slices.Contains(organisations, typeName) {
			types = organisations
		}
		var labels []string
		for _, t := range types {
			if l, ok := r.w.m.Label(t); ok {
				labels = append(labels, l)
			}
		}
		// A person is found by their full name; by a surname alone only
		// when the fact names one word and one person alone has it.
		person := typeName == "Executive"
		name, _ := body["name"].(string)
		surname := person && len(strings.Fields(name)) == 1
		if person && !surname {
			names = slices.DeleteFunc(names, func(n string) bool { return len(strings.Fields(n)) < 2 })
		}
		// Each name is looked up in the full-text index; one without a
		// word the index holds has the probe compare every node's names.
		queries, unmatched := query.NameQueries(names)
		scan := len(unmatched) > 0
		probes = append(probes, map[string]any{"index": int64(i), "id": body["id"], "names": names, "labels": labels, "surname": surname, "queries": queries, "scan": scan})
	}
	if len(probes) == 0 {
		return nil
	}
	node := "`" + query.NodeLabel + "`"
	recs, err := tx.Run(ctx, `UNWIND $probes AS p
CALL (p) {
  OPTIONAL MATCH (byId:`+node+` {id: p.id}) WHERE any(l IN labels(byId) WHERE l IN p.labels)
  WITH p, byId
  CALL (p, byId) {
    WITH byId WHERE byId IS NOT NULL
    RETURN byId AS n, 'ID' AS how, 1 AS found
    UNION
    WITH p, byId WHERE byId IS NULL
    CALL (p) {
      UNWIND p.queries AS q
      CALL db.index.fulltext.queryNodes($index, q) YIELD node AS n
      RETURN n
      UNION
      WITH p WHERE p.scan
      MATCH (n:`+node+`) RETURN n
    }
    WITH p, n WHERE n:`+node+` AND any(l IN labels(n) WHERE l IN p.labels)
      AND (toLower(n.name) IN p.names OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) IN p.names)
        OR p.surname AND toLower(last(split(n.name, ' '))) IN p.names)
    WITH n, CASE WHEN toLower(n.name) IN p.names THEN 'NAME' ELSE 'ALIAS' END AS how
      ORDER BY CASE how WHEN 'NAME' THEN 0 ELSE 1 END, n.id
    WITH collect({n: n, how: how}) AS hits
    RETURN hits[0].n AS n, hits[0].how AS how, size(hits) AS found
  }
  RETURN n, how, found
}
WITH p, n, how, found WHERE n IS NOT NULL AND (NOT p.surname OR found = 1)
RETURN p.index AS index, n.id AS id, labels(n) AS labels, how`, map[string]any{"probes": probes, "index": query.SearchIndex})
	if err != nil {
		return fmt.Errorf("match the article's entities: %w", err)
	}
	renamed := map[string]string{} // fact id -> node id
	for _, rec := range recs {
		i := int(rec.Values[0].(int64))
		id, _ := rec.Values[1].(string)
		how, _ := rec.Values[3].(string)
		f := facts[i]
		typeName := r.typeOfKey(f.key)
		// A company or partner the graph holds in the other role takes this
		// one too (ingest adds it); a name the graph holds as a product, or
		// a product's name the graph holds as an organisation, is what the
		// graph says it is.
		var nodeTypes []string
		for _, l := range asList(rec.Values[2]) {
			if t := r.typeOfLabel(l.(string)); t != "" {
				nodeTypes = append(nodeTypes, t)
			}
		}
		if slices.Contains(organisations, typeName) && !slices.Contains(nodeTypes, typeName) && !(roles[typeName] && slices.ContainsFunc(nodeTypes, func(t string) bool { return roles[t] })) {
			for _, t := range organisations {
				if slices.Contains(nodeTypes, t) {
					typeName = t
					break
				}
			}
		}
		body := f.input[f.key].(map[string]any)
		if old, _ := body["id"].(string); old != id {
			renamed[old] = id
		}
		body["id"] = id
		if key := lowerFirst(typeName); key != f.key {
			delete(f.input, f.key)
			f.input[key] = r.asTypeOf(body, typeName)
			f.key = key
		}
		f.matchedBy = how
	}
	// A person's surname is not written as an alias: ingest would match
	// any other person who has it.
	for _, f := range facts {
		if f.skipped != "" || r.typeOfKey(f.key) != "Executive" {
			continue
		}
		body := f.input[f.key].(map[string]any)
		if name, _ := body["name"].(string); len(strings.Fields(name)) > 1 {
			body["aliases"] = slices.DeleteFunc(slices.Clone(asList(body["aliases"])), func(a any) bool {
				s, _ := a.(string)
				return len(strings.Fields(s)) < 2
			})
		}
	}
	for _, f := range facts {
		if f.key != "relationship" || f.skipped != "" {
			continue
		}
		body := f.input[f.key].(map[string]any)
		for _, end := range []string{"from", "to"} {
			if id, ok := renamed[body[end].(string)]; ok {
				body[end] = id
			}
		}
	}
	return nil
}

// asTypeOf keeps of an entity fact's fields those that the fact type of
// typeName has: a Company read as a Partner keeps its name and aliases.
func (r *request) asTypeOf(body map[string]any, typeName string) map[string]any {
	def := r.w.m.InputType(typeName + "Fact")
	out := map[string]any{}
	for k, v := range body {
		if def == nil || def.Fields.ForName(k) != nil {
			out[k] = v
		}
	}
	return out
}

func (r *request) typeOfKey(key string) string {
	for _, l := range r.w.m.Labels() {
		if lowerFirst(l) == key {
			return l
		}
	}
	return ""
}

func (r *request) typeOfLabel(label string) string {
	for _, t := range r.w.m.Labels() {
		if l, ok := r.w.m.Label(t); ok && l == label {
			return t
		}
	}
	return ""
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Extractor is what the article mutation asks for an article's facts.
type Extractor interface {
	Extract(ctx context.Context, text, title string) (extract.Result, error)
}
