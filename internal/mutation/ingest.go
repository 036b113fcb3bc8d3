package mutation

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/changes"
	"github.com/companygraph/companygraph/internal/ingest"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
	"github.com/companygraph/companygraph/seed"
)

// entityFact is an entity a fact states, before resolution.
type entityFact struct {
	index    int
	typeName string
	label    string
	id       string
	props    map[string]any
}

// relFact is a relationship a fact states.
type relFact struct {
	index    int
	relType  string
	from, to string
	key      string
	props    map[string]any
}

// ingest upserts a source and its facts in one transaction. Everything is
// checked first and every problem reported at once; then entities are
// resolved to existing nodes by id, else by name or alias, and the facts are
// written with the seed's own MERGE-based writes.
func (r *request) ingest(ctx context.Context) (any, error) {
	src, _ := r.args["source"].(map[string]any)
	facts, _ := r.args["facts"].([]any)
	if len(facts) == 0 || len(facts) > r.w.o.MaxBatch {
		return nil, apierror.New(apierror.BadInput, "facts takes 1 to %d facts, got %d", r.w.o.MaxBatch, len(facts))
	}
	out, err := r.w.log.Write(ctx, r.who, func(tx neo4j.Tx, rec *changes.Recorder) (any, error) {
		return r.ingestFacts(ctx, tx, rec, src, facts)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ingestFacts checks and writes a source and its facts, coerced as
// FactInput, in transaction tx. Every problem with the input is reported
// at once, as an invalid whose errors carry the fact's index, before
// anything is written.
func (r *request) ingestFacts(ctx context.Context, tx neo4j.Tx, rec *changes.Recorder, src map[string]any, facts []any) (query.ByName, error) {
	text, _ := src["text"].(string)
	var bad invalid
	sourceID, _ := src["id"].(string)
	if strings.TrimSpace(sourceID) == "" {
		bad.add("source.id", -1, "an id is required")
	}
	entityTypes := map[string]string{} // fact key -> GraphQL type
	for _, l := range r.w.m.Labels() {
		if l != "Source" {
			entityTypes[lowerFirst(l)] = l
		}
	}
	var entities []entityFact
	var rels []relFact
	sentences := make([][]string, len(facts))
	prov := make([]seed.Provenance, len(facts))
	for i, raw := range facts {
		f, _ := raw.(map[string]any)
		at := fmt.Sprintf("facts[%d]", i)
		for j, s := range asList(f["sentences"]) {
			sentence, _ := s.(string)
			switch {
			case strings.TrimSpace(sentence) == "":
				bad.add(fmt.Sprintf("%s.sentences[%d]", at, j), i, "a sentence cannot be empty")
			case text != "" && !strings.Contains(text, sentence):
				bad.add(fmt.Sprintf("%s.sentences[%d]", at, j), i, "the sentence is not in the source's text")
			default:
				sentences[i] = append(sentences[i], sentence)
			}
		}
		if len(sentences[i]) == 0 && len(asList(f["sentences"])) == 0 {
			bad.add(at+".sentences", i, "every fact needs the sentences that state it")
		}
		method, confidence := provenance(f, at, i, &bad)
		prov[i] = seed.Provenance{Method: method, Confidence: &confidence}
		var given []string
		for k, v := range f {
			if k != "sentences" && k != "method" && k != "confidence" && v != nil {
				given = append(given, k)
			}
		}
		if len(given) != 1 {
			bad.add(at, i, "give exactly one entity or relationship, got %d", len(given))
			continue
		}
		body, _ := f[given[0]].(map[string]any)
		if given[0] == "relationship" {
			rels = append(rels, r.relFact(i, at+".relationship", body, &bad))
			continue
		}
		typeName := entityTypes[given[0]]
		label, _ := r.w.m.Label(typeName)
		e := entityFact{index: i, typeName: typeName, label: label, props: map[string]any{}}
		for k, v := range body {
			if k == "id" {
				e.id, _ = v.(string)
				continue
			}
			if v == nil {
				continue
			}
			// Coerced by the engine to the fact's field type, the entity's own.
			e.props[k] = v
		}
		if strings.TrimSpace(e.id) == "" {
			bad.add(at+"."+given[0]+".id", i, "an id is required")
		}
		entities = append(entities, e)
	}
	// Resolution reports what only the graph can tell (unknown ids, kinds
	// of relationship the ends do not allow) together with the problems
	// found above, so a client sees every one at once.
	d, ids, err := r.resolve(ctx, tx, src, entities, rels, sentences, prov)
	var found invalid
	if errors.As(err, &found) || err == nil && len(bad) > 0 {
		return nil, append(bad, found...)
	}
	if err != nil {
		return nil, err
	}
	plan, err := ingest.Plan(r.w.m, d)
	if err != nil {
		return nil, err
	}
	outcomes, touched, err := plan.Apply(ctx, tx, r.who)
	if err != nil {
		return nil, err
	}
	rec.Touched(ingest.FromSource(touched, d.Source.ID)...)
	counts := map[ingest.Outcome]int64{}
	list := make([]any, 0, len(facts))
	for i := range facts {
		o := outcomes[i]
		counts[o]++
		list = append(list, query.ByName{"index": int64(i), "outcome": string(o), "id": ids[i]})
	}
	return query.ByName{
		"created": counts[ingest.Created], "matched": counts[ingest.Matched], "unchanged": counts[ingest.Unchanged], "facts": list,
	}, nil
}

func (r *request) relFact(i int, at string, body map[string]any, bad *invalid) relFact {
	f := relFact{index: i, props: map[string]any{}}
	for k, v := range body {
		s, _ := v.(string)
		switch k {
		case "type":
			f.relType = s
		case "from":
			f.from = s
		case "to":
			f.to = s
		case "key":
			f.key = s
		default:
			if v != nil {
				f.props[k] = v
			}
		}
	}
	if f.from == "" || f.to == "" {
		bad.add(at, i, "from and to are required")
	}
	return f
}

// candidate is an existing node an entity fact may name.
type candidate struct {
	id, name string
	aliases  []string
}

// resolve maps every entity and relationship end to a node, existing or
// new, and returns the dataset to write and the id each fact ended up with.
func (r *request) resolve(ctx context.Context, tx neo4j.Tx, src map[string]any, entities []entityFact, rels []relFact, sentences [][]string, prov []seed.Provenance) (seed.Dataset, map[int]string, error) {
	var bad invalid
	ids := map[int]string{}
	resolved := map[string]string{} // id as given -> "Label:id" written
	// Two entities of one id whose types one node cannot have (a person
	// and a company) would break the uniqueness of ids: the first keeps it.
	byLabel := map[string][]entityFact{}
	first := map[string]entityFact{}
	for _, e := range entities {
		h, taken := first[e.id]
		if !taken {
			first[e.id] = e
		} else if h.label != e.label && !r.w.m.SameGroup(h.label, e.label) {
			bad.add(fmt.Sprintf("facts[%d].%s.id", e.index, lowerFirst(e.typeName)), e.index, "id %q is already %s in this batch (fact %d)", e.id, aOrAn(h.typeName), h.index)
			continue
		}
		byLabel[e.label] = append(byLabel[e.label], e)
	}
	var given []string
	for _, e := range entities {
		given = append(given, e.id)
	}
	for _, f := range rels {
		given = append(given, f.from, f.to)
	}
	found, err := r.existing(ctx, tx, given)
	if err != nil {
		return seed.Dataset{}, nil, err
	}
	d := seed.Dataset{Source: seed.Source{ID: src["id"].(string), Properties: map[string]any{}}}
	for k, v := range src {
		switch {
		case k == "id" || v == nil:
		case k == "text":
			d.Source.Text = v.(string)
		default:
			d.Source.Properties[k] = v
		}
	}
	for _, label := range slices.Sorted(maps.Keys(byLabel)) {
		cands, err := r.candidates(ctx, tx, label, byLabel[label])
		if err != nil {
			return d, nil, err
		}
		for _, e := range byLabel[label] {
			at := fmt.Sprintf("facts[%d].%s", e.index, lowerFirst(e.typeName))
			// An organisation of another type gets this one as a role;
			// any other type's id is taken.
			if l, ok := found[e.id]; ok && !l.has(label) && !slices.ContainsFunc(l, func(o string) bool { return r.w.m.SameGroup(o, label) }) {
				bad.add(at+".id", e.index, "id %q is already used by a %s", e.id, l)
				continue
			}
			target := e.id
			c, known := cands[e.id]
			if !known {
				// Not there by id: a node named so, by name or alias, is the same entity.
				for _, n := range append([]any{e.props["name"]}, asList(e.props["aliases"])...) {
					if s, ok := n.(string); ok {
						if m, ok := cands["name:"+strings.ToLower(s)]; ok {
							c, known, target = m, true, m.id
							break
						}
					}
				}
			}
			props := e.props
			if known {
				props = merged(c, e.props)
			}
			resolved[e.id] = label + ":" + target
			ids[e.index] = target
			i := e.index
			d.Nodes = append(d.Nodes, seed.Node{Label: label, ID: target, Properties: props, Evidence: sentences[i], Index: &i, Provenance: prov[i]})
		}
	}
	kinds := r.w.m.RelationshipKinds()
	roles := map[string]bool{} // "Label:id" of the roles added to existing nodes
	for _, f := range rels {
		at := fmt.Sprintf("facts[%d].relationship", f.index)
		var ends [2]end
		for j, id := range []string{f.from, f.to} {
			if ref, ok := resolved[id]; ok {
				l, target, _ := seed.Ref(ref)
				ends[j] = end{id: target, labels: labels{l}}
				if target == id {
					ends[j].labels = union(ends[j].labels, found[id])
				}
			} else if l, ok := found[id]; ok {
				ends[j] = end{id: id, labels: l}
			} else {
				bad.add(at+"."+[]string{"from", "to"}[j], f.index, "no entity with id %q in this batch or the graph", id)
			}
			for _, l := range r.w.m.Labels() {
				if roles[l+":"+ends[j].id] {
					ends[j].labels = union(ends[j].labels, labels{l})
				}
			}
		}
		if ends[0].id == "" || ends[1].id == "" {
			continue
		}
		fromLabel, toLabel, ok := r.kind(kinds, f.relType, ends)
		if !ok {
			bad.add(at+".type", f.index, "the schema has no (%s)-[:%s]->(%s)", ends[0].labels[0], f.relType, ends[1].labels[0])
			continue
		}
		// An organisation that is only a Partner becomes a Company too
		// when it is the end of a relationship only a Company has (a
		// WORKS_FOR): the fact's sentences mention it in that role.
		for j, l := range []string{fromLabel, toLabel} {
			if !ends[j].labels.has(l) && !roles[l+":"+ends[j].id] {
				roles[l+":"+ends[j].id] = true
				d.Nodes = append(d.Nodes, seed.Node{Label: l, ID: ends[j].id, Properties: map[string]any{}, Evidence: sentences[f.index], Role: true, Provenance: prov[f.index]})
			}
		}
		fromID, toID := ends[0].id, ends[1].id
		allowed := r.w.m.EdgeProps(fromLabel, f.relType, toLabel)
		props := map[string]any{}
		for k, v := range f.props {
			t, ok := allowed[k]
			if !ok {
				bad.add(at+"."+k, f.index, "%s has no property %s", f.relType, k)
				continue
			}
			props[k], _ = query.Typed(v, t.Name())
		}
		i := f.index
		ids[i] = fmt.Sprintf("%s-%s->%s", fromID, f.relType, toID)
		d.Relationships = append(d.Relationships, seed.Relationship{
			Type: f.relType, From: fromLabel + ":" + fromID, To: toLabel + ":" + toID, Key: f.key, Properties: props, Evidence: sentences[i], Index: &i, Provenance: prov[i],
		})
	}
	if len(bad) > 0 {
		return d, nil, bad
	}
	return d, ids, nil
}

// end is a relationship's end: a node's id and the labels it has.
type end struct {
	id     string
	labels labels
}

// kind picks the labels the relationship's ends take: labels they have,
// else at most one role an end does not have yet, of the group of one it
// has (an organisation that is a Partner taking the Company role), the
// first such in the order of the labels.
func (r *request) kind(kinds map[[3]string]bool, relType string, ends [2]end) (string, string, bool) {
	for _, a := range ends[0].labels {
		for _, b := range ends[1].labels {
			if kinds[[3]string{a, relType, b}] {
				return a, b, true
			}
		}
	}
	for j := range ends {
		for _, l := range ends[j].labels {
			for _, role := range r.w.m.Groups()[r.w.m.Group(l)] {
				if ends[j].labels.has(role) {
					continue
				}
				for _, o := range ends[1-j].labels {
					k := [3]string{role, relType, o}
					if j == 1 {
						k = [3]string{o, relType, role}
					}
					if kinds[k] {
						return k[0], k[2], true
					}
				}
			}
		}
	}
	return "", "", false
}

// union is a and the labels of b it lacks, sorted.
func union(a, b labels) labels {
	out := append(labels{}, a...)
	for _, l := range b {
		if !out.has(l) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// candidates finds the nodes of label that entity facts may name: by id,
// and by name or alias, case-insensitively, under "name:<lowercase>".
func (r *request) candidates(ctx context.Context, tx neo4j.Tx, label string, facts []entityFact) (map[string]candidate, error) {
	var ids, names []string
	seen := map[string]bool{}
	for _, e := range facts {
		ids = append(ids, e.id)
		for _, n := range append([]any{e.props["name"]}, asList(e.props["aliases"])...) {
			if s, ok := n.(string); ok && !seen[strings.ToLower(s)] {
				seen[strings.ToLower(s)] = true
				names = append(names, strings.ToLower(s))
			}
		}
	}
	// An organisation is found whichever of the group's types it is.
	find := "`" + label + "`"
	if g := r.w.m.Group(label); g != "" {
		find = "`" + g + "`"
	}
	// Names are looked up in the full-text index, so resolving costs what
	// the batch names rather than the size of the label; only a name
	// without a word the index holds is compared with every node's.
	queries, scan := query.NameQueries(names)
	named := "(toLower(n.name) IN $names OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) IN $names))"
	cypher := `CALL () {
  MATCH (n:` + find + `) WHERE n.id IN $ids RETURN n
  UNION
  UNWIND $queries AS q
  CALL db.index.fulltext.queryNodes($index, q) YIELD node AS n
  WITH n WHERE n:` + find + ` AND ` + named + `
  RETURN n`
	if len(scan) > 0 {
		cypher += `
  UNION
  MATCH (n:` + find + `) WHERE ` + named + ` RETURN n`
	}
	cypher += "\n}\nRETURN n.id AS id, n.name AS name, coalesce(n.aliases, []) AS aliases ORDER BY n.id"
	recs, err := tx.Run(ctx, cypher, map[string]any{"ids": ids, "names": names, "queries": queries, "index": query.SearchIndex})
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", label, err)
	}
	out := map[string]candidate{}
	for _, rec := range recs {
		c := candidate{}
		c.id, _ = rec.Values[0].(string)
		c.name, _ = rec.Values[1].(string)
		for _, a := range rec.Values[2].([]any) {
			c.aliases = append(c.aliases, a.(string))
		}
		out[c.id] = c
		for _, n := range append([]string{c.name}, c.aliases...) {
			if _, taken := out["name:"+strings.ToLower(n)]; !taken {
				out["name:"+strings.ToLower(n)] = c
			}
		}
	}
	return out, nil
}

// merged is what an entity fact writes to a node that already exists: its
// name stays, and every other name the fact gives joins its aliases.
func merged(c candidate, props map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range props {
		out[k] = v
	}
	seen := map[string]bool{strings.ToLower(c.name): true}
	aliases := []any{}
	for _, a := range c.aliases {
		if !seen[strings.ToLower(a)] {
			seen[strings.ToLower(a)] = true
			aliases = append(aliases, a)
		}
	}
	for _, n := range append([]any{props["name"]}, asList(props["aliases"])...) {
		if s, ok := n.(string); ok && !seen[strings.ToLower(s)] {
			seen[strings.ToLower(s)] = true
			aliases = append(aliases, s)
		}
	}
	delete(out, "name")
	// Aliases are only written when the fact adds one, so stating a known
	// entity again changes nothing.
	delete(out, "aliases")
	if len(aliases) > len(c.aliases) {
		out["aliases"] = aliases
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
