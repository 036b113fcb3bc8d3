// Package starter turns the data of the Python package pytickersymbols
// into a dataset of facts: the listed companies of twenty stock indices,
// their key people with their roles, and their products, as Wikipedia's
// infoboxes state them. The dataset is the facts' source; each fact's
// evidence quotes the record line it comes from (a company's
// "key_people: Tim Cook ( CEO )"), since the data has no sentences.
//
// tools/starter/dump.py writes the package's data, unchanged, as JSON;
// Convert reads that file and Load writes it through internal/ingest, the
// seed's path, so the starter graph is idempotent like the seed. It is not
// a general importer: its rules for splitting the infobox text are the
// ones this data needs.
package starter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/companygraph/companygraph/internal/changes"
	"github.com/companygraph/companygraph/internal/ingest"
	"github.com/companygraph/companygraph/internal/query"
	"github.com/companygraph/companygraph/seed"
)

// Principal is who the starter graph's changes are recorded as written by.
const Principal = "starter"

// dump is what tools/starter/dump.py writes.
type dump struct {
	Package string  `json:"package"`
	Version string  `json:"version"`
	Indices []index `json:"indices"`
}

type index struct {
	Name      string   `json:"name"`
	Companies []record `json:"companies"`
}

// record is one company as one index lists it.
type record struct {
	Name       string         `json:"name"`
	Symbol     string         `json:"symbol"`
	Country    string         `json:"country"`
	Industries []string       `json:"industries"`
	Metadata   map[string]any `json:"metadata"`
}

// SourceID is the id of the dataset's Source node for a version of the package.
func SourceID(version string) string { return "pytickersymbols-" + version }

// Read reads a file that tools/starter/dump.py wrote and converts it.
func Read(path string) (seed.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return seed.Dataset{}, fmt.Errorf("starter graph: %w", err)
	}
	defer f.Close()
	d, err := Convert(f)
	if err != nil {
		return d, fmt.Errorf("starter graph %s: %w", path, err)
	}
	return d, nil
}

// Load reads the dump at path and writes its facts in one transaction,
// recording the changes as Principal's. Loading it again changes nothing.
// It returns the dataset written.
func Load(ctx context.Context, log *changes.Log, m *query.Mapping, path string) (seed.Dataset, error) {
	d, err := Read(path)
	if err != nil {
		return d, err
	}
	return d, ingest.Load(ctx, log, m, d, Principal)
}

// Convert turns the dump into a dataset. Ids are the names in lower case,
// words joined by "-" ("Apple Inc." is apple-inc); an id that a node of
// another type of the dataset, or any node of the seed, already has gets
// the type as a suffix (an Executive "x-person", a Product "x-product"),
// since ids are unique across types.
func Convert(r io.Reader) (seed.Dataset, error) {
	var in dump
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return seed.Dataset{}, err
	}
	if in.Package != "pytickersymbols" || in.Version == "" {
		return seed.Dataset{}, fmt.Errorf("not a pytickersymbols dump (package %q, version %q)", in.Package, in.Version)
	}
	c := converter{taken: map[string]string{}, nodes: map[string]int{}}
	// The seed's ids are taken whatever the type: a starter node of the
	// seed's id would rewrite the seed's node, and each start-up, loading
	// both, would change it back and forth.
	if sets, err := seed.All(); err == nil {
		for _, s := range sets {
			c.taken[s.Source.ID] = "seed"
			for _, n := range s.Nodes {
				c.taken[n.ID] = "seed"
			}
		}
	}
	c.d.Source = seed.Source{
		ID: SourceID(in.Version),
		Properties: map[string]any{
			"title":      fmt.Sprintf("pytickersymbols %s: the listed companies of %d stock indices", in.Version, len(in.Indices)),
			"kind":       "dataset",
			"categories": []any{"Listed companies"},
			"tags":       indexNames(in.Indices),
			"url":        "https://pypi.org/project/pytickersymbols/" + in.Version + "/",
			"license":    "package MIT; data from Wikipedia infoboxes, CC BY-SA 4.0",
		},
	}
	c.taken[c.d.Source.ID] = "Source"
	// A company is one record per index it belongs to: the first record
	// of its name, in the order of the indices' names, gives its values,
	// and a value missing there comes from the next that has it.
	byName := map[string][]record{}
	member := map[string][]string{}
	var names []string
	for _, ix := range in.Indices {
		for _, rec := range ix.Companies {
			name := strings.TrimSpace(rec.Name)
			if name == "" {
				continue
			}
			if _, ok := byName[name]; !ok {
				names = append(names, name)
			}
			byName[name] = append(byName[name], rec)
			member[name] = appendNew(member[name], ix.Name)
		}
	}
	// Companies take their ids first, so theirs are the plain ones.
	ids := map[string]string{}
	for _, name := range names {
		ids[name] = c.id(name, "Company", "company")
	}
	for _, name := range names {
		c.company(ids[name], name, byName[name], member[name])
	}
	return c.d, nil
}

type converter struct {
	d     seed.Dataset
	taken map[string]string // id -> label
	nodes map[string]int    // "Label:id" -> position in d.Nodes
	rels  map[string]int    // "from|type|to" -> position in d.Relationships
}

// id gives the node of label named name its id.
func (c *converter) id(name, label, suffix string) string {
	id := Slug(name)
	if l, ok := c.taken[id]; ok && l != label {
		id += "-" + suffix
	}
	for n := 2; ; n++ {
		if l, ok := c.taken[id]; !ok || l == label {
			break
		}
		id = fmt.Sprintf("%s-%s-%d", Slug(name), suffix, n)
	}
	c.taken[id] = label
	return id
}

// line is a record line as the evidence quotes it: the record's name, then
// the field and its value as the data has them.
func line(name, field, value string) string {
	return name + " — " + field + ": " + value
}

func (c *converter) company(id, name string, recs []record, indices []string) {
	props := map[string]any{"name": name}
	var evidence []string
	set := func(prop, field, value string) {
		value = strings.TrimSpace(value)
		if value == "" || value == "None" {
			return
		}
		props[prop] = value
		evidence = append(evidence, line(name, field, value))
	}
	first := func(get func(record) string) string {
		for _, r := range recs {
			if v := strings.TrimSpace(get(r)); v != "" && v != "None" {
				return v
			}
		}
		return ""
	}
	meta := func(key string) func(record) string {
		return func(r record) string { return text(r.Metadata[key]) }
	}
	set("ticker", "symbol", first(func(r record) string { return r.Symbol }))
	set("country", "country", first(func(r record) string { return r.Country }))
	set("headquarters", "headquarters", first(meta("headquarters")))
	set("founded", "founded", first(meta("founded")))
	set("founder", "founder", first(meta("founder")))
	set("website", "website", first(meta("website")))
	set("wikipedia", "wikipedia_url", first(meta("wikipedia_url")))
	var industries []any
	for _, r := range recs {
		for _, ind := range r.Industries {
			if ind = strings.TrimSpace(ind); ind != "" && !containsAny(industries, ind) {
				industries = append(industries, ind)
			}
		}
	}
	if len(industries) > 0 {
		props["industries"] = industries
		strs := make([]string, len(industries))
		for i, v := range industries {
			strs[i] = v.(string)
		}
		evidence = append(evidence, line(name, "industries", strings.Join(strs, "; ")))
	}
	var ix []any
	for _, i := range indices {
		ix = append(ix, i)
		evidence = append(evidence, line(name, "index", i))
	}
	props["indices"] = ix
	c.node("Company", id, props, evidence)

	if kp := first(meta("key_people")); kp != "" {
		ev := line(name, "key_people", kp)
		for _, p := range KeyPeople(kp) {
			pid := c.id(p.Name, "Executive", "person")
			c.node("Executive", pid, map[string]any{"name": p.Name}, []string{ev})
			c.rel("WORKS_FOR", "Executive:"+pid, "Company:"+id, map[string]any{"title": p.Title}, ev)
		}
	}
	if ps := first(meta("products")); ps != "" {
		ev := line(name, "products", ps)
		for _, p := range Products(ps) {
			pid := c.id(p, "Product", "product")
			c.node("Product", pid, map[string]any{"name": p}, []string{ev})
			c.rel("HAS_PRODUCT", "Company:"+id, "Product:"+pid, nil, ev)
		}
	}
}

// node adds a node, or the evidence to one already added.
func (c *converter) node(label, id string, props map[string]any, evidence []string) {
	ref := label + ":" + id
	if i, ok := c.nodes[ref]; ok {
		n := &c.d.Nodes[i]
		for _, e := range evidence {
			n.Evidence = appendNew(n.Evidence, e)
		}
		return
	}
	c.nodes[ref] = len(c.d.Nodes)
	c.d.Nodes = append(c.d.Nodes, seed.Node{Label: label, ID: id, Properties: props, Evidence: evidence, Provenance: fromDataset})
}

// rel adds a relationship; a second one between the same nodes (a person
// listed twice) joins its title to the first's.
func (c *converter) rel(typ, from, to string, props map[string]any, evidence string) {
	if c.rels == nil {
		c.rels = map[string]int{}
	}
	k := from + "|" + typ + "|" + to
	if i, ok := c.rels[k]; ok {
		r := &c.d.Relationships[i]
		if t, _ := props["title"].(string); t != "" {
			if old, _ := r.Properties["title"].(string); old != t {
				r.Properties["title"] = old + "; " + t
			}
		}
		r.Evidence = appendNew(r.Evidence, evidence)
		return
	}
	if props == nil {
		props = map[string]any{}
	}
	c.rels[k] = len(c.d.Relationships)
	c.d.Relationships = append(c.d.Relationships, seed.Relationship{Type: typ, From: from, To: to, Properties: props, Evidence: []string{evidence}, Provenance: fromDataset})
}

// fromDataset is how every fact of the starter graph was obtained: read
// off the dataset's record, which its evidence quotes.
var fromDataset = seed.Provenance{Method: "DATASET"}

// Person is a name and role of a key_people line.
type Person struct{ Name, Title string }

var personRole = regexp.MustCompile(`([^()]+?)\s*\(\s*([^()]*?)\s*\)`)

// KeyPeople reads a key_people line, "Arthur Levinson ( chairman ) Tim Cook
// ( CEO )": each name followed by its role in parentheses. Text that is
// not a name followed by a role is skipped, as are names that do not look
// like one (digits, more than six words).
func KeyPeople(s string) []Person {
	var out []Person
	for _, m := range personRole.FindAllStringSubmatch(s, -1) {
		name := strings.Trim(strings.TrimSpace(m[1]), ",;:&")
		name = strings.TrimSpace(strings.TrimPrefix(name, "and "))
		title := strings.Join(strings.Fields(m[2]), " ")
		if !looksLikeName(name) || title == "" {
			continue
		}
		out = append(out, Person{Name: strings.Join(strings.Fields(name), " "), Title: title})
	}
	return out
}

func looksLikeName(s string) bool {
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 6 || strings.ContainsAny(s, "0123456789") {
		return false
	}
	r := []rune(words[0])
	return unicode.IsUpper(r[0])
}

// Products reads a products line. The data joins products with commas or
// semicolons, or with spaces alone; without a comma or semicolon a product
// ends where a word in lower case is followed by a capitalised one
// ("Asset management Commercial banking"). What that leaves longer than
// four words cannot be told apart and is skipped, as is a leading "List".
func Products(s string) []string {
	var parts []string
	if strings.ContainsAny(s, ",;") {
		parts = strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' })
	} else {
		words := strings.Fields(s)
		if len(words) > 0 && words[0] == "List" {
			words = words[1:]
		}
		var cur []string
		for i, w := range words {
			if i > 0 && startsUpper(w) && isLower(words[i-1]) {
				parts = append(parts, strings.Join(cur, " "))
				cur = nil
			}
			cur = append(cur, w)
		}
		if len(cur) > 0 {
			parts = append(parts, strings.Join(cur, " "))
		}
	}
	var out []string
	for _, p := range parts {
		p = strings.Join(strings.Fields(strings.Trim(p, " .&")), " ")
		p = strings.TrimPrefix(p, "and ")
		if p == "" || len(strings.Fields(p)) > 4 || Slug(p) == "" {
			continue
		}
		if !containsString(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func startsUpper(w string) bool { r := []rune(w); return len(r) > 0 && unicode.IsUpper(r[0]) }

func isLower(w string) bool {
	return strings.IndexFunc(w, unicode.IsLetter) >= 0 && strings.IndexFunc(w, unicode.IsUpper) < 0
}

// Slug is a name in lower case, its runs of letters and digits joined by "-".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		} else {
			dash = true
		}
	}
	return b.String()
}

// text is a metadata value as text: the data holds a few years as numbers.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return fmt.Sprint(int64(x))
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func indexNames(ix []index) []any {
	var names []string
	for _, i := range ix {
		names = append(names, i.Name)
	}
	sort.Strings(names)
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

func appendNew(list []string, s string) []string {
	if containsString(list, s) {
		return list
	}
	return append(list, s)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsAny(list []any, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
