package query

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/companygraph/companygraph/internal/apierror"
)

// SearchIndex is the full-text index over names, aliases and titles of
// every node label.
const SearchIndex = "entity_search"

// SearchProperties are the properties SearchIndex covers.
var SearchProperties = []string{"name", "aliases", "title"}

const maxSearchTerms = 16

// search answers the full-text search: each word matches exactly (ranked
// highest), as a prefix, or within a small edit distance, and all words
// must match.
func (c *compiler) search(f *Field) (string, error) {
	text, _ := f.Args["query"].(string)
	lucene, err := LuceneQuery(text)
	if err != nil {
		return "", err
	}
	first, ok := f.Args["first"].(int64)
	if !ok {
		first = 10
	}
	if first < 1 || first > int64(c.limits.MaxPageSize) {
		return "", apierror.New(apierror.BadInput, "first must be between 1 and %d, got %d", c.limits.MaxPageSize, first)
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
	node, score, id, label := c.newVar("node"), c.newVar("score"), c.newVar("id"), c.newVar("label")
	// The id the hits are ordered by is read once, for the order and the
	// projection both, and a hit's type once.
	if c.bound == nil {
		c.bound = map[string]string{}
	}
	c.bound[node+".id"] = id
	c.bound[c.label(node)] = label
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
	return fmt.Sprintf("COLLECT { CALL db.index.fulltext.queryNodes('%[1]s', %[2]s) YIELD node AS %[3]s, score AS %[4]s%[5]s WITH %[3]s, %[4]s, %[3]s.id AS %[6]s ORDER BY %[4]s DESC, %[6]s LIMIT %[7]s WITH %[3]s, %[4]s, %[6]s, %[8]s AS %[9]s RETURN %[10]s }",
		SearchIndex, c.param(lucene), node, score, filter, id, c.param(first), c.label(node), label, object(items)), nil
}

// LuceneQuery turns what a person types into a Lucene query. Each
// character Lucene treats as syntax is escaped, so input can only ever name
// words to look for.
func LuceneQuery(text string) (string, error) {
	var words []string
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return "", apierror.New(apierror.BadInput, "search needs at least one word")
	}
	if len(words) > maxSearchTerms {
		return "", apierror.New(apierror.BadInput, "search takes at most %d words", maxSearchTerms)
	}
	var parts []string
	for _, w := range words {
		w = luceneEscaper.Replace(w)
		fuzzy := ""
		// Short words would match too much at an edit distance.
		if len([]rune(w)) >= 4 {
			fuzzy = " OR " + w + "~1"
		}
		parts = append(parts, fmt.Sprintf("(%s^4 OR %s*^2%s)", w, w, fuzzy))
	}
	return strings.Join(parts, " AND "), nil
}

var luceneEscaper = func() *strings.Replacer {
	var pairs []string
	for _, r := range `\+-&|!(){}[]^"~*?:/` {
		pairs = append(pairs, string(r), `\`+string(r))
	}
	return strings.NewReplacer(pairs...)
}()
