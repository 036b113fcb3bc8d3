// Package ingest writes facts with their evidence into Neo4j. Every write
// is a MERGE on natural keys, so loading the same facts twice leaves the
// same graph, and one dataset is written in one transaction: all or
// nothing. Each node and relationship records who created it and when,
// and who last changed it and when; writing what is already there changes
// nothing, not even those.
package ingest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/changes"
	"github.com/companygraph/companygraph/internal/kg"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
	"github.com/companygraph/companygraph/seed"
)

// Outcome is what became of one written item.
type Outcome string

const (
	Created   Outcome = "CREATED"
	Matched   Outcome = "MATCHED"
	Unchanged Outcome = "UNCHANGED"
)

// Load writes dataset d in one transaction, as principal who, recording
// what it changed in log.
func Load(ctx context.Context, log *changes.Log, m *query.Mapping, d seed.Dataset, who string) error {
	plan, err := Plan(m, d)
	if err != nil {
		return fmt.Errorf("load %s: %w", d.Source.ID, err)
	}
	_, err = log.Write(ctx, who, func(tx neo4j.Tx, rec *changes.Recorder) (any, error) {
		_, touched, err := plan.Apply(ctx, tx, who)
		rec.Touched(FromSource(touched, d.Source.ID)...)
		return nil, err
	})
	if err != nil {
		return fmt.Errorf("load %s: %w", d.Source.ID, err)
	}
	return nil
}

// Statement is one planned write.
type Statement struct {
	what   string
	cypher string
	params map[string]any
	// conflicts says the statement reads, rather than writes, the ids a
	// node of another type already has.
	conflicts bool
	// writes says what the statement's rows report the outcome of: nodes
	// (by the id in from) or relationships (from, type, to and key).
	writes written
}

type written int

const (
	writesNothing written = iota
	writesNodes
	writesRelationships
)

// Writes are a dataset turned into statements, one per label and per kind
// of relationship, each an UNWIND over its rows.
type Writes []Statement

// Apply runs the writes in tx and returns the outcome of each row that
// carries an index (the position of the fact it came from), and every node
// and relationship it created or changed.
func (p Writes) Apply(ctx context.Context, tx neo4j.Tx, who string) (map[int]Outcome, []changes.Item, error) {
	out := map[int]Outcome{}
	var touched []changes.Item
	for _, st := range p {
		params := map[string]any{"who": who}
		for k, v := range st.params {
			params[k] = v
		}
		recs, err := tx.Run(ctx, st.cypher, params)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", st.what, err)
		}
		if st.conflicts && len(recs) > 0 {
			id, _ := recs[0].Values[0].(string)
			label, _ := recs[0].Values[1].(string)
			e := apierror.New(apierror.Conflict, "id %q is already used by a %s", id, label)
			e.Fields = map[string]any{"id": id}
			return nil, nil, e
		}
		for _, r := range recs {
			i, _ := r.Get("index")
			o, _ := r.Get("outcome")
			if it, ok := st.item(r.AsMap()); ok {
				touched = append(touched, it)
			}
			if idx, ok := i.(int64); ok && idx >= 0 {
				// A fact written twice in one batch is as new as its first write.
				if prev, seen := out[int(idx)]; !seen || prev == Unchanged {
					out[int(idx)] = Outcome(o.(string))
				}
			}
		}
	}
	return out, touched, nil
}

// FromSource marks the changes of an ingest with the source it came from.
func FromSource(items []changes.Item, source string) []changes.Item {
	for i := range items {
		items[i].Source = source
	}
	return items
}

// item is the change a row of st reports, if it changed anything.
func (st Statement) item(row map[string]any) (changes.Item, bool) {
	str := func(k string) string { s, _ := row[k].(string); return s }
	var op changes.Op
	switch Outcome(str("outcome")) {
	case Created:
		op = changes.Created
	case Matched:
		op = changes.Updated
	default:
		return changes.Item{}, false
	}
	switch st.writes {
	case writesNodes:
		return changes.Node(op, str("from")), true
	case writesRelationships:
		return changes.Edge(op, kg.EdgeRef{From: str("from"), Type: str("type"), To: str("to"), Key: str("key")}), true
	}
	return changes.Item{}, false
}

// EvidenceWrite adds the evidence of row.evidence ({source, sentence,
// method, confidence} maps) that relationship r does not hold yet,
// keeping its four lists parallel: lists written before methods and
// confidences were recorded are filled in as MANUAL and 1 first. Evidence
// r holds that was not reviewed (EXTRACTED, DATASET) and that row states
// MANUAL becomes MANUAL, with row's confidence: a person reviewed it. It
// expects r and row bound, keeps the variables carry names (r and row
// among them), and binds fresh (the evidence added) and reviewed (whether
// any became MANUAL).
func EvidenceWrite(carry string) string {
	return fmt.Sprintf(`
WITH %[1]s, [e IN row.evidence WHERE NOT any(i IN range(0, size(coalesce(r.sentences, [])) - 1)
       WHERE r.sources[i] = e.source AND r.sentences[i] = e.sentence)] AS fresh,
     [i IN range(0, size(coalesce(r.sentences, [])) - 1) |
       CASE WHEN coalesce(r.methods[i], '%[2]s') <> '%[2]s' AND any(e IN row.evidence WHERE e.method = '%[2]s' AND e.source = r.sources[i] AND e.sentence = r.sentences[i])
         THEN {m: '%[2]s', c: head([e IN row.evidence WHERE e.method = '%[2]s' AND e.source = r.sources[i] AND e.sentence = r.sentences[i] | e.confidence]), up: true}
         ELSE {m: coalesce(r.methods[i], '%[2]s'), c: coalesce(r.confidences[i], %[3]s), up: false} END] AS kept
SET r.sources = coalesce(r.sources, []) + [e IN fresh | e.source],
    r.sentences = coalesce(r.sentences, []) + [e IN fresh | e.sentence],
    r.methods = [k IN kept | k.m] + [e IN fresh | e.method],
    r.confidences = [k IN kept | k.c] + [e IN fresh | e.confidence]
WITH %[1]s, fresh, any(k IN kept WHERE k.up) AS reviewed`, carry, query.DefaultMethod, query.CypherFloat(query.DefaultConfidence))
}

// appendEvidence adds row.evidence to relationship r (EvidenceWrite) and
// records the write when anything changed. It expects bound: r, row,
// existed (r was there), changed (row.props changed the item) and isNew
// (the item the row stands for, a node or r, was not there), and returns
// the row's outcome.
var appendEvidence = EvidenceWrite("r, row, existed, changed, isNew") + `
FOREACH (_ IN CASE WHEN NOT existed THEN [1] ELSE [] END | SET r.createdAt = datetime(), r.createdBy = $who)
FOREACH (_ IN CASE WHEN NOT existed OR changed OR size(fresh) > 0 OR reviewed THEN [1] ELSE [] END | SET r.updatedAt = datetime(), r.updatedBy = $who)
RETURN row.index AS index,
       CASE WHEN isNew THEN 'CREATED' WHEN NOT existed OR changed OR size(fresh) > 0 OR reviewed THEN 'MATCHED' ELSE 'UNCHANGED' END AS outcome,
       startNode(r).id AS from, type(r) AS type, endNode(r).id AS to, coalesce(r.key, '') AS key`

// changedProps is true when row.props would change what x holds.
const changedProps = `any(k IN keys(row.props) WHERE x[k] IS NULL AND row.props[k] IS NOT NULL OR x[k] <> row.props[k])`

// Plan turns dataset d into statements. Labels and relationship types must
// be ones the schema maps (they are spliced into Cypher, which takes no
// parameters for them); every value travels as a parameter. A node or
// relationship may carry an "index" in Index to have its outcome reported.
func Plan(m *query.Mapping, d seed.Dataset) (Writes, error) {
	labels := map[string]bool{}
	for _, l := range m.Labels() {
		labels[l] = true
	}
	kinds := m.RelationshipKinds()
	evidence := func(sentences []string, p seed.Provenance) []map[string]any {
		method, confidence := p.Method, query.DefaultConfidence
		if method == "" {
			method = query.DefaultMethod
		}
		if p.Confidence != nil {
			confidence = *p.Confidence
		}
		out := make([]map[string]any, len(sentences))
		for i, s := range sentences {
			out[i] = map[string]any{"source": d.Source.ID, "sentence": s, "method": method, "confidence": confidence}
		}
		return out
	}
	srcProps := map[string]any{}
	if d.Source.Text != "" {
		srcProps["text"] = d.Source.Text
	}
	for k, v := range d.Source.Properties {
		srcProps[k] = v
	}
	plan := Writes{{
		what: "source " + d.Source.ID,
		cypher: `UNWIND [$row] AS row
OPTIONAL MATCH (x:Source {id: row.id})
WITH row, x IS NOT NULL AS existed, x IS NOT NULL AND ` + changedProps + ` AS changed
MERGE (s:Source:` + quote(query.NodeLabel) + ` {id: row.id}) SET s += row.props
FOREACH (_ IN CASE WHEN NOT existed THEN [1] ELSE [] END | SET s.createdAt = datetime(), s.createdBy = $who)
FOREACH (_ IN CASE WHEN NOT existed OR changed THEN [1] ELSE [] END | SET s.updatedAt = datetime(), s.updatedBy = $who)
RETURN -1 AS index, CASE WHEN NOT existed THEN 'CREATED' WHEN changed THEN 'MATCHED' ELSE 'UNCHANGED' END AS outcome, s.id AS from`,
		params: map[string]any{"row": map[string]any{"id": d.Source.ID, "props": srcProps}},
		writes: writesNodes,
	}}

	nodeRows := map[string][]any{}
	labelOf := map[string]string{}
	// Every node's id with its label, the source's first, to find those
	// another type's node has.
	ids := []any{map[string]any{"id": d.Source.ID, "label": "Source", "group": nil}}
	for _, n := range d.Nodes {
		if !labels[n.Label] {
			return nil, fmt.Errorf("node %s:%s: label %s is not in the schema", n.Label, n.ID, n.Label)
		}
		labelOf[n.Label+":"+n.ID] = n.Label
		var group any
		if g := m.Group(n.Label); g != "" {
			group = g
		}
		ids = append(ids, map[string]any{"id": n.ID, "label": n.Label, "group": group})
		// Aliases add up across sources rather than replace each other.
		props := map[string]any{}
		var aliases []any
		for k, v := range n.Properties {
			if k == "aliases" {
				aliases, _ = toList(v)
				continue
			}
			props[k] = v
		}
		if aliases == nil {
			aliases = []any{}
		}
		key := n.Label
		if n.Role {
			key += roleRows
		}
		nodeRows[key] = append(nodeRows[key], map[string]any{
			"id": n.ID, "props": props, "aliases": aliases, "evidence": evidence(n.Evidence, n.Provenance), "index": index(n.Index),
		})
	}
	// Nodes carry query.NodeLabel besides their own: a MERGE of a Company
	// whose id a Market has matches nothing, and the create it falls back
	// to breaks the label's uniqueness constraint, which the client sees
	// as CONFLICT, instead of a second node with the id. Neo4j's error
	// does not say which id, so a read first names it; the constraint
	// still decides when another transaction writes the id meanwhile.
	plan = append(Writes{{
		what: "ids of other types",
		// A node of another type of the row's group is no conflict: the
		// write gives it the row's type as one more role.
		cypher: fmt.Sprintf(`UNWIND $ids AS row MATCH (o:%[1]s {id: row.id})
WHERE NOT row.label IN labels(o) AND NOT coalesce(row.group IN labels(o), false)
RETURN row.id AS id, [l IN labels(o) WHERE l IN $labels][0] AS label LIMIT 1`, quote(query.NodeLabel)),
		params:    map[string]any{"ids": ids, "labels": m.Labels()},
		conflicts: true,
	}}, plan...)
	// Rows that only add a role to a node come after every other, so the
	// row that states a node new in this dataset reports it so.
	order := slices.Sorted(maps.Keys(nodeRows))
	slices.SortStableFunc(order, func(a, b string) int {
		return strings.Compare(fmt.Sprint(strings.HasSuffix(a, roleRows)), fmt.Sprint(strings.HasSuffix(b, roleRows)))
	})
	for _, key := range order {
		label := strings.TrimSuffix(key, roleRows)
		// A type of a group is found and merged by the group's label, so
		// an organisation that is a Partner becomes a Company too, the
		// same node; one of another group, or of none, is still refused
		// by the common label's constraint.
		find, merge, role := quote(label), quote(label)+":"+quote(query.NodeLabel), ""
		if g := m.Group(label); g != "" {
			find, merge, role = quote(g), quote(g)+":"+quote(query.NodeLabel), " SET n:"+quote(label)
		}
		plan = append(plan, Statement{
			what: "nodes " + key,
			cypher: fmt.Sprintf(`UNWIND $rows AS row
OPTIONAL MATCH (x:%[5]s {id: row.id})
WITH row, x IS NOT NULL AS nodeExisted,
     x IS NOT NULL AND (NOT x:%[1]s OR %[3]s OR any(a IN row.aliases WHERE NOT a IN coalesce(x.aliases, []))) AS nodeChanged
MERGE (n:%[6]s {id: row.id})%[7]s SET n += row.props
SET n.aliases = coalesce(n.aliases, []) + [a IN row.aliases WHERE NOT a IN coalesce(n.aliases, [])]
FOREACH (_ IN CASE WHEN NOT nodeExisted THEN [1] ELSE [] END | SET n.createdAt = datetime(), n.createdBy = $who)
FOREACH (_ IN CASE WHEN NOT nodeExisted OR nodeChanged THEN [1] ELSE [] END | SET n.updatedAt = datetime(), n.updatedBy = $who)
WITH n, row, nodeExisted, nodeChanged MATCH (s:Source {id: $source})
OPTIONAL MATCH (n)-[x:%[2]s]->(s)
WITH n, s, row, nodeExisted, nodeChanged, x IS NOT NULL AS mentioned
MERGE (n)-[r:%[2]s]->(s)
WITH r, row, mentioned AS existed, nodeChanged AS changed, NOT nodeExisted AS isNew`, quote(label), quote(query.MentionedIn), changedProps, quote(query.NodeLabel), find, merge, role) + appendEvidence,
			params: map[string]any{"rows": nodeRows[key], "source": d.Source.ID},
			writes: writesNodes,
		})
	}

	relRows := map[[4]string][]any{}
	for i, r := range d.Relationships {
		from, to := labelOf[r.From], labelOf[r.To]
		if from == "" {
			from, _, _ = seed.Ref(r.From)
		}
		if to == "" {
			to, _, _ = seed.Ref(r.To)
		}
		if !kinds[[3]string{from, r.Type, to}] {
			return nil, fmt.Errorf("relationship %d: (%s)-[:%s]->(%s) is not in the schema", i, from, r.Type, to)
		}
		_, fromID, _ := seed.Ref(r.From)
		_, toID, _ := seed.Ref(r.To)
		keyed := ""
		if r.Key != "" {
			keyed = "keyed"
		}
		k := [4]string{from, r.Type, to, keyed}
		relRows[k] = append(relRows[k], map[string]any{
			"from": fromID, "to": toID, "key": r.Key, "props": orEmpty(r.Properties), "evidence": evidence(r.Evidence, r.Provenance), "index": index(r.Index),
		})
	}
	keys := make([][4]string, 0, len(relRows))
	for k := range relRows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	for _, k := range keys {
		identity := ""
		if k[3] != "" {
			// Two relationships of one type between the same nodes differ by key.
			identity = " {key: row.key}"
		}
		plan = append(plan, Statement{
			what: fmt.Sprintf("relationships (%s)-[:%s]->(%s)", k[0], k[1], k[2]),
			cypher: fmt.Sprintf(`UNWIND $rows AS row
MATCH (a:%[1]s {id: row.from}) MATCH (b:%[2]s {id: row.to})
OPTIONAL MATCH (a)-[x:%[3]s%[4]s]->(b)
WITH a, b, row, x IS NOT NULL AS existed, x IS NOT NULL AND %[5]s AS changed
MERGE (a)-[r:%[3]s%[4]s]->(b) ON CREATE SET r += $defaults SET r += row.props
WITH r, row, existed, changed, NOT existed AS isNew`, quote(k[0]), quote(k[2]), quote(k[1]), identity, changedProps) + appendEvidence,
			params: map[string]any{"rows": relRows[k], "defaults": m.EdgeDefaults(k[1])},
			writes: writesRelationships,
		})
	}
	return plan, nil
}

// roleRows marks, in the key of a label's rows, those that only add a role.
const roleRows = " roles"

func index(i *int) int {
	if i == nil {
		return -1
	}
	return *i
}

// toList reads a list property, as JSON or a request gives it.
func toList(v any) ([]any, bool) {
	switch l := v.(type) {
	case []any:
		return l, true
	case []string:
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func quote(name string) string { return "`" + name + "`" }
