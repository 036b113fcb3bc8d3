package query

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/neo4j"
)

// SearchIndex is the full-text index over what people type about an
// entity, over every node label.
const SearchIndex = "entity_search"

// SearchProperties are the properties SearchIndex covers: names and
// titles, places, kinds, the names of founders, tickers and industries.
var SearchProperties = []string{"name", "aliases", "title", "headquarters", "country", "place", "kind", "founder", "ticker", "industries"}

// EvidenceIndex is the full-text index over the sentences of every
// relationship that carries evidence.
const EvidenceIndex = "evidence_search"

// WordHits is how many of its best matches each word of a search looks
// at: it bounds the work of a word that matches much of the graph.
const WordHits = 1000

const maxSearchTerms = 16

// FullTextIndexes are the full-text indexes search and searchEvidence
// query, for EnsureSchema to create.
func (m *Mapping) FullTextIndexes() []neo4j.FullText {
	types := map[string]bool{MentionedIn: true}
	for k := range m.RelationshipKinds() {
		types[k[1]] = true
	}
	var rels []string
	for t := range types {
		rels = append(rels, t)
	}
	slices.Sort(rels)
	return []neo4j.FullText{
		{Name: SearchIndex, Tokens: m.Labels(), Properties: SearchProperties},
		{Name: EvidenceIndex, Relationships: true, Tokens: rels, Properties: []string{EvidenceSentences}},
	}
}

// Word is one word a person typed to search for: as text, in lower case
// and without the punctuation around it, and as the Lucene query that
// finds it.
type Word struct {
	Text   string
	Lucene string
}

// SearchWords splits what a person types into the words to search for,
// each once. Each character Lucene treats as syntax is escaped, so input
// can only ever name words to look for: `"AT&T"`, `C++` or `a OR` are
// text. A word matches exactly (boosted), as a prefix, or, from four
// letters, within one edit.
func SearchWords(text string) ([]Word, error) {
	var words []Word
	seen := map[string]bool{}
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if !hasWord(w) || seen[w] {
			continue
		}
		seen[w] = true
		plain := strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		e := luceneEscaper.Replace(w)
		fuzzy := ""
		// Short words would match too much at an edit distance.
		if len([]rune(e)) >= 4 {
			fuzzy = " OR " + e + "~1"
		}
		words = append(words, Word{Text: plain, Lucene: fmt.Sprintf("(%s^4 OR %s*^2%s)", e, e, fuzzy)})
	}
	if len(words) == 0 {
		return nil, apierror.New(apierror.BadInput, "search needs at least one word")
	}
	if len(words) > maxSearchTerms {
		return nil, apierror.New(apierror.BadInput, "search takes at most %d words", maxSearchTerms)
	}
	return words, nil
}

// NameQueries are the Lucene queries over SearchIndex that, together,
// find every node whose name, or one of whose aliases, is one of names in
// any case: the phrase of each name's words in either property, which the
// index holds lower-cased, at most NamesPerQuery names a query, within
// Lucene's bound on clauses. They find others too (a name that holds a
// phrase among more words), so the caller compares the names they yield.
// unmatched are the names without a letter or digit, so without a word
// the index could hold.
func NameQueries(names []string) (queries, unmatched []string) {
	var clauses []string
	for _, name := range names {
		if !hasWord(name) {
			unmatched = append(unmatched, name)
			continue
		}
		phrase := `"` + phraseEscaper.Replace(name) + `"`
		clauses = append(clauses, "name:"+phrase+" OR aliases:"+phrase)
	}
	for len(clauses) > 0 {
		n := min(len(clauses), NamesPerQuery)
		queries = append(queries, strings.Join(clauses[:n], " OR "))
		clauses = clauses[n:]
	}
	return queries, unmatched
}

// NamesPerQuery bounds the names of one of NameQueries' queries: two
// clauses each, far below the 1,024 Lucene takes.
const NamesPerQuery = 200

// hasWord reports whether s holds a letter or digit, which the index's
// analyzer keeps as part of a word; the rest it drops.
func hasWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// phraseEscaper escapes what ends or escapes a Lucene phrase; the rest of
// a phrase is text.
var phraseEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

var luceneEscaper = func() *strings.Replacer {
	var pairs []string
	for _, r := range `\+-&|!(){}[]^"~*?:/` {
		pairs = append(pairs, string(r), `\`+string(r))
	}
	return strings.NewReplacer(pairs...)
}()

// searchArgs reads the arguments both searches take.
func (c *compiler) searchArgs(f *Field) ([]Word, int64, error) {
	text, _ := f.Args["query"].(string)
	words, err := SearchWords(text)
	if err != nil {
		return nil, 0, err
	}
	first, ok := f.Args["first"].(int64)
	if !ok {
		first = 10
	}
	if first < 1 || first > int64(c.limits.MaxPageSize) {
		return nil, 0, apierror.New(apierror.BadInput, "first must be between 1 and %d, got %d", c.limits.MaxPageSize, first)
	}
	return words, first, nil
}

func luceneOf(words []Word) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w.Lucene
	}
	return out
}

// search answers the full-text search over entities. Each word is one
// query of the index; a hit's matched is how many of them found it and its
// score the sum of theirs, so hits that match more of the words come
// first without every word being required.
func (c *compiler) search(f *Field) (string, error) {
	if f.Def.Type.Name() == "EvidenceHit" {
		return c.searchEvidence(f)
	}
	words, first, err := c.searchArgs(f)
	if err != nil {
		return "", err
	}
	var labels []string
	types, _ := f.Args["types"].([]any)
	for _, t := range types {
		name, _ := t.(string)
		n := c.m.nodes[name]
		if n == nil {
			return "", apierror.New(apierror.BadInput, "search cannot return %s", name)
		}
		labels = append(labels, n.label)
	}
	if len(types) == 0 {
		for _, n := range c.implementers() {
			labels = append(labels, n.label)
		}
	}
	w, node, score, matched, id, label := c.newVar("w"), c.newVar("node"), c.newVar("score"), c.newVar("matched"), c.newVar("id"), c.newVar("label")
	// The id the hits are ordered by is read once, for the order and the
	// projection both, and a hit's type once.
	c.bind(node+".id", id)
	c.bind(c.label(node), label)
	hitType := f.Def.Type.Name()
	fields, err := c.collect(f.sel, hitType)
	if err != nil {
		return "", err
	}
	f.Sub = &Selection{Type: hitType, Fields: fields}
	var items []string
	for _, hf := range fields {
		switch hf.Name {
		case "score":
			items = append(items, entry(hf.Key, score))
		case "matched":
			items = append(items, entry(hf.Key, matched))
		case "node":
			proj, sub, err := c.polymorphic(node, hf.sel, hf.Def.Type.Name())
			if err != nil {
				return "", err
			}
			hf.Sub = sub
			items = append(items, entry(hf.Key, proj))
		}
	}
	// The index holds every node of the API; only a search for some types
	// needs to look at the labels of its hits. The hits are ordered and
	// cut before they are projected, so only the page's are read.
	filter := ""
	if len(types) > 0 || len(labels) < len(c.m.nodes) {
		filter = fmt.Sprintf(" WHERE any(l IN labels(%s) WHERE l IN %s)", node, c.param(labels))
	}
	return fmt.Sprintf("COLLECT { UNWIND %[1]s AS %[2]s CALL db.index.fulltext.queryNodes('%[3]s', %[2]s, {limit: %[4]d}) YIELD node AS %[5]s, score AS %[6]s%[7]s"+
		" WITH %[5]s, count(*) AS %[8]s, sum(%[6]s) AS %[6]s"+
		" WITH %[5]s, %[8]s, %[6]s, %[5]s.id AS %[9]s ORDER BY %[8]s DESC, %[6]s DESC, %[9]s LIMIT %[10]s"+
		" WITH %[5]s, %[8]s, %[6]s, %[9]s, %[11]s AS %[12]s RETURN %[13]s }",
		c.param(luceneOf(words)), w, SearchIndex, WordHits, node, score, filter,
		matched, id, c.param(first), c.label(node), label, object(items)), nil
}

// searchEvidence answers the full-text search over the sentences of
// relationships, ranked as search ranks. The sentences it gives are those
// that contain one of the words as typed, ignoring case; a relationship
// that only a near spelling or a prefix Lucene expands found has none, and
// gives all of its own.
func (c *compiler) searchEvidence(f *Field) (string, error) {
	words, first, err := c.searchArgs(f)
	if err != nil {
		return "", err
	}
	known := map[string]bool{}
	for _, t := range c.m.FullTextIndexes()[1].Tokens {
		known[t] = true
	}
	var types []string
	raw, _ := f.Args["types"].([]any)
	for _, t := range raw {
		name, _ := t.(string)
		if !known[name] {
			return "", apierror.New(apierror.BadInput, "no relationship type %q carries evidence", name)
		}
		types = append(types, name)
	}
	w, r, score, matched := c.newVar("w"), c.newVar("r"), c.newVar("score"), c.newVar("matched")
	a, b, aid, bid, la, lb, hit := c.newVar("a"), c.newVar("b"), c.newVar("id"), c.newVar("id"), c.newVar("label"), c.newVar("label"), c.newVar("hit")
	c.bind(a+".id", aid)
	c.bind(b+".id", bid)
	c.bind(c.label(a), la)
	c.bind(c.label(b), lb)
	hitType := f.Def.Type.Name()
	fields, err := c.collect(f.sel, hitType)
	if err != nil {
		return "", err
	}
	f.Sub = &Selection{Type: hitType, Fields: fields}
	var texts []string
	for _, w := range words {
		if w.Text != "" {
			texts = append(texts, w.Text)
		}
	}
	all := allEvidence(r)
	var items []string
	for _, hf := range fields {
		switch hf.Name {
		case "score":
			items = append(items, entry(hf.Key, score))
		case "matched":
			items = append(items, entry(hf.Key, matched))
		case "type":
			items = append(items, entry(hf.Key, "type("+r+")"))
		case "from", "to":
			v := map[string]string{"from": a, "to": b}[hf.Name]
			proj, sub, err := c.polymorphic(v, hf.sel, hf.Def.Type.Name())
			if err != nil {
				return "", err
			}
			hf.Sub = sub
			items = append(items, entry(hf.Key, proj))
		case "evidence":
			ev, err := c.evidenceAt(r, fmt.Sprintf("CASE WHEN size(%[1]s) = 0 THEN %[2]s ELSE %[1]s END", hit, all), hf)
			if err != nil {
				return "", err
			}
			items = append(items, entry(hf.Key, ev))
		}
	}
	filter := ""
	if len(types) > 0 {
		filter = fmt.Sprintf(" WHERE type(%s) IN %s", r, c.param(types))
	}
	i := c.newVar("i")
	return fmt.Sprintf("COLLECT { UNWIND %[1]s AS %[2]s CALL db.index.fulltext.queryRelationships('%[3]s', %[2]s, {limit: %[4]d}) YIELD relationship AS %[5]s, score AS %[6]s%[7]s"+
		" WITH %[5]s, count(*) AS %[8]s, sum(%[6]s) AS %[6]s"+
		" WITH %[5]s, %[8]s, %[6]s, startNode(%[5]s) AS %[9]s, endNode(%[5]s) AS %[10]s"+
		" WITH %[5]s, %[8]s, %[6]s, %[9]s, %[10]s, %[9]s.id AS %[11]s, %[10]s.id AS %[12]s ORDER BY %[8]s DESC, %[6]s DESC, %[11]s, type(%[5]s), %[12]s, coalesce(%[5]s.key, '') LIMIT %[13]s"+
		" WITH %[5]s, %[8]s, %[6]s, %[9]s, %[10]s, %[11]s, %[12]s, %[14]s AS %[15]s, %[16]s AS %[17]s,"+
		" [%[18]s IN %[19]s WHERE any(t IN %[20]s WHERE toLower(%[5]s.%[21]s[%[18]s]) CONTAINS t)] AS %[22]s RETURN %[23]s }",
		c.param(luceneOf(words)), w, EvidenceIndex, WordHits, r, score, filter,
		matched, a, b, aid, bid, c.param(first),
		c.label(a), la, c.label(b), lb,
		i, all, c.param(texts), EvidenceSentences, hit, object(items)), nil
}
