package mutation

import (
	"cmp"
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
	// given and givenID are an entity's type key and id as the extractor
	// gave them, before the graph renames or retypes it: relationships
	// name their ends so.
	given, givenID string
	// endTypes are the types the extractor read a relationship's ends as
	// ("Executive"), empty when it did not say; ends are the entity facts
	// the ends are, -1 for a node of the graph.
	endTypes [2]string
	ends     [2]int
	// held are the types of the graph's node that has an entity's id
	// when the entity did not match it: a node it cannot be.
	held      labels
	matchedBy string // ID, NAME or ALIAS: how an entity was found in the graph
	skipped   string // why the fact is not written
}

// id is the id an entity fact is written with.
func (f *articleFact) id() string {
	body, _ := f.input[f.key].(map[string]any)
	id, _ := body["id"].(string)
	return id
}

// dryRunDone ends a dry run's transaction, which is rolled back, with its answer.
type dryRunDone struct{ answer query.ByName }

func (dryRunDone) Error() string { return "dry run" }

// article reads the facts of an article (src, a SourceInput) with the
// extractor, resolves them against the graph and writes them as ingest
// does, in one transaction; dryRun rolls it back and answers the same. A
// fact the graph refuses (a relationship the schema has not, a figure of
// the wrong type, an id another fact or node holds as a type the fact
// cannot join) is left out, with the reason, along with the
// relationships that hang on it, and the others are written.
func (r *request) article(ctx context.Context, src map[string]any, dryRun bool) (query.ByName, error) {
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
	// The Source records what text it was read from, so ingestArticles
	// answers an article it holds already without reading it again.
	src[textHashProperty] = textHash(text)
	// The extractor's time is its own (the client's timeout); the write
	// has the deadline of any other.
	ctx, cancel := context.WithTimeout(ctx, r.w.o.Timeout)
	defer cancel()
	var out any
	for attempt := 0; ; attempt++ {
		out, err = r.w.log.Write(ctx, r.who, func(tx neo4j.Tx, rec *changes.Recorder) (any, error) {
			// Built again at each attempt: resolving changes the facts.
			return r.writeArticle(ctx, tx, rec, src, dryRun, r.articleFacts(res))
		})
		// A node of another type that a concurrent transaction wrote
		// with an id of the article's, after it was looked for, breaks
		// the uniqueness of ids, which ends the transaction: it wrote
		// nothing, and the next attempt finds the node and skips the fact.
		if e, ok := apierror.As(err); ok && e.Code == apierror.Conflict && attempt == 0 && ctx.Err() == nil {
			continue
		}
		break
	}
	var done dryRunDone
	if errors.As(err, &done) {
		return done.answer, nil
	}
	if err != nil {
		return nil, err
	}
	return out.(query.ByName), nil
}

// articleFacts turns the extractor's answer into facts to write, each
// coerced as a FactInput; one that is not one is skipped with the reason.
func (r *request) articleFacts(res extract.Result) []*articleFact {
	facts := make([]*articleFact, len(res.Facts))
	factInput := &ast.Type{NamedType: "FactInput", NonNull: true}
	for i, f := range res.Facts {
		a := &articleFact{input: f.Input, confidence: f.Confidence, rule: f.Rule, endTypes: [2]string{f.FromType, f.ToType}, ends: [2]int{-1, -1}}
		for k := range f.Input {
			if k != "sentences" && k != "method" && k != "confidence" {
				a.key = k
			}
		}
		if a.key != "relationship" {
			body, _ := f.Input[a.key].(map[string]any)
			a.given = a.key
			a.givenID, _ = body["id"].(string)
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
	return facts
}

// writeArticle resolves the facts of an article and writes those the
// graph takes, in tx, in rounds: a round whose facts the graph refuses
// writes nothing, and the next leaves those out.
func (r *request) writeArticle(ctx context.Context, tx neo4j.Tx, rec *changes.Recorder, src map[string]any, dryRun bool, facts []*articleFact) (query.ByName, error) {
	if err := r.match(ctx, tx, facts); err != nil {
		return nil, err
	}
	sourceID, _ := src["id"].(string)
	r.conflicts(facts, sourceID)
	r.link(facts)
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
			if err != nil && round < maxArticleRounds && skip(facts, at, err) {
				r.hang(facts)
				continue
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
}

// skip marks the facts that err, a refusal of ingestFacts, names as
// skipped, and reports whether it marked any: a problem of the source, or
// of no fact, is the request's. err is the invalid facts of a batch (at
// maps its positions to facts), or the CONFLICT of an id that a node of
// another type holds, which the graph gained after it was looked for.
func skip(facts []*articleFact, at []int, err error) bool {
	var bad invalid
	if errors.As(err, &bad) {
		dropped := false
		for _, e := range bad {
			i, ok := e.Fields["index"].(int)
			if !ok || i < 0 || i >= len(at) {
				return false
			}
			if f := facts[at[i]]; f.skipped == "" {
				// The path names the fact by its place in the article.
				reason := e.Message
				if p := fmt.Sprintf("facts[%d]", i); strings.HasPrefix(reason, p) {
					reason = fmt.Sprintf("facts[%d]", at[i]) + reason[len(p):]
				}
				f.skipped = reason
				dropped = true
			}
		}
		return dropped
	}
	e, ok := apierror.As(err)
	if !ok || e.Code != apierror.Conflict {
		return false
	}
	// The facts left with one id can all be one node (conflicts), so the
	// node that refuses one refuses each.
	id, _ := e.Fields["id"].(string)
	dropped := false
	for _, f := range facts {
		if f.skipped == "" && f.key != "relationship" && id != "" && f.id() == id {
			f.skipped = e.Message
			dropped = true
		}
	}
	return dropped
}

// conflicts skips the entity facts whose id cannot be theirs: the
// article's source's, one a node of the graph holds as a type they cannot
// join (they did not match it), or one another fact of the article holds
// as such a type (an executive and a company of one id). Of two facts of
// one id, the one the extractor is surer of keeps it, the first of equals;
// the reason names the other.
func (r *request) conflicts(facts []*articleFact, sourceID string) {
	var order []int
	for i, f := range facts {
		if f.skipped == "" && f.key != "relationship" {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(facts[b].confidence, facts[a].confidence) })
	holders := map[string]int{} // id -> the fact that keeps it
	for _, i := range order {
		f := facts[i]
		id, typeName := f.id(), r.typeOfKey(f.key)
		h, taken := holders[id]
		switch {
		case id == sourceID:
			f.skipped = fmt.Sprintf("id %q is this article's source", id)
		case len(f.held) > 0:
			f.skipped = fmt.Sprintf("id %q is already %s in the graph", id, aOrAn(f.held.String()))
		case !taken:
			holders[id] = i
		case !r.oneNode(typeName, r.typeOfKey(facts[h].key)):
			f.skipped = fmt.Sprintf("id %q is already %s in this article (fact %d)", id, aOrAn(r.typeOfKey(facts[h].key)), h)
		}
	}
}

// oneNode reports whether one node can be of both types: of one type, or
// of two of one group (a Company that is a Partner).
func (r *request) oneNode(a, b string) bool {
	if a == b {
		return true
	}
	la, _ := r.w.m.Label(a)
	lb, _ := r.w.m.Label(b)
	return r.w.m.SameGroup(la, lb)
}

// link points each relationship's ends at the entity facts they name, by
// the type the extractor read the end as and its id, else by the id alone
// (a fact that is not skipped first); an end takes the id its entity is
// written with. An end that names no fact of the article is a node of the
// graph. The relationships that hang on a skipped entity are skipped.
func (r *request) link(facts []*articleFact) {
	byType := map[[2]string]int{} // given key and id -> fact
	byID := map[string][]int{}
	for i, f := range facts {
		if f.givenID == "" {
			continue
		}
		if _, ok := byType[[2]string{f.given, f.givenID}]; !ok {
			byType[[2]string{f.given, f.givenID}] = i
		}
		byID[f.givenID] = append(byID[f.givenID], i)
	}
	for _, f := range facts {
		if f.key != "relationship" || f.skipped != "" {
			continue
		}
		body := f.input[f.key].(map[string]any)
		for j, end := range []string{"from", "to"} {
			id, _ := body[end].(string)
			k, typed := byType[[2]string{lowerFirst(f.endTypes[j]), id}]
			if !typed {
				k = -1
				for _, i := range byID[id] {
					if k < 0 || facts[k].skipped != "" && facts[i].skipped == "" {
						k = i
					}
				}
			}
			f.ends[j] = k
			if k >= 0 && facts[k].skipped == "" {
				body[end] = facts[k].id()
			}
		}
	}
	r.hang(facts)
}

// hang skips the relationships an end of which is a skipped entity fact,
// saying which and why.
func (r *request) hang(facts []*articleFact) {
	for _, f := range facts {
		if f.key != "relationship" || f.skipped != "" {
			continue
		}
		for j, k := range f.ends {
			if k >= 0 && facts[k].skipped != "" {
				e := facts[k]
				f.skipped = fmt.Sprintf("%s: the %s %q (fact %d) is skipped: %s", []string{"from", "to"}[j], r.typeOfKey(e.given), e.givenID, k, e.skipped)
				break
			}
		}
	}
}

// aOrAn is s after the indefinite article it takes.
func aOrAn(s string) string {
	if s != "" && strings.ContainsRune("AEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
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
// the node's id, which the relationships that name the fact follow (link).
// A person is found by a name of one word (a surname) only when one
// person alone in the graph has it, and a person's full name never
// matches another person by a surname they share. An entity that matched
// nothing learns the types of the node that has its id, if one does.
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
	// One statement finds each entity in the graph, and the node that has
	// its id when that is a node it cannot be (conflicts skips it). Of the
	// union's two branches, the one that does not apply still answers a
	// row (an aggregate over none): the rows of a probe are collected.
	node := "`" + query.NodeLabel + "`"
	recs, err := tx.Run(ctx, `UNWIND $probes AS p
OPTIONAL MATCH (held:`+node+` {id: p.id})
CALL (p, held) {
  WITH p, CASE WHEN any(l IN labels(held) WHERE l IN p.labels) THEN held END AS byId
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
WITH p.index AS index, held, collect(CASE WHEN n IS NOT NULL AND (NOT p.surname OR found = 1) THEN {n: n, how: how} END) AS hits
WITH index, hits[0].n AS n, hits[0].how AS how, CASE WHEN size(hits) = 0 THEN held END AS held
WHERE n IS NOT NULL OR held IS NOT NULL
RETURN index, n.id AS id, labels(n) AS labels, how, labels(held) AS held`, map[string]any{"probes": probes, "index": query.SearchIndex})
	if err != nil {
		return fmt.Errorf("match the article's entities: %w", err)
	}
	for _, rec := range recs {
		f := facts[int(rec.Values[0].(int64))]
		id, matched := rec.Values[1].(string)
		if !matched {
			for _, l := range asList(rec.Values[4]) {
				if t := r.typeOfLabel(l.(string)); t != "" {
					f.held = append(f.held, t)
				}
			}
			continue
		}
		how, _ := rec.Values[3].(string)
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
