// Package ingest writes facts with their evidence into Neo4j. Every write
// is a MERGE on natural keys, so loading the same facts twice leaves the
// same graph, and one dataset is written in one transaction: all or nothing.
package ingest

import (
	"context"
	"fmt"
	"sort"

	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
	"github.com/companygraph/companygraph/seed"
)

// Load writes dataset d. Labels and relationship types must be ones the
// schema maps (they are spliced into Cypher, which takes no parameters for
// them); every value travels as a parameter.
func Load(ctx context.Context, client *neo4j.Client, m *query.Mapping, d seed.Dataset) error {
	plan, err := planFor(m, d)
	if err != nil {
		return fmt.Errorf("load %s: %w", d.Source.ID, err)
	}
	_, err = client.Write(ctx, func(tx neo4j.Tx) (any, error) {
		for _, st := range plan {
			if _, err := tx.Run(ctx, st.cypher, st.params); err != nil {
				return nil, fmt.Errorf("%s: %w", st.what, err)
			}
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("load %s: %w", d.Source.ID, err)
	}
	return nil
}

type statement struct {
	what   string
	cypher string
	params map[string]any
}

// appendEvidence adds the (source, sentence) pairs of row.evidence that the
// relationship r does not hold yet, keeping both lists parallel.
const appendEvidence = `
WITH r, row, [e IN row.evidence WHERE NOT any(i IN range(0, size(coalesce(r.sentences, [])) - 1)
       WHERE r.sources[i] = e.source AND r.sentences[i] = e.sentence)] AS fresh
SET r.sources = coalesce(r.sources, []) + [e IN fresh | e.source],
    r.sentences = coalesce(r.sentences, []) + [e IN fresh | e.sentence]`

// planFor turns a dataset into statements, one per label and per kind of
// relationship, each an UNWIND over its rows.
func planFor(m *query.Mapping, d seed.Dataset) ([]statement, error) {
	labels := map[string]bool{}
	for _, l := range m.Labels() {
		labels[l] = true
	}
	kinds := m.RelationshipKinds()
	evidence := func(sentences []string) []map[string]any {
		out := make([]map[string]any, len(sentences))
		for i, s := range sentences {
			out[i] = map[string]any{"source": d.Source.ID, "sentence": s}
		}
		return out
	}
	srcProps := map[string]any{"text": d.Source.Text}
	for k, v := range d.Source.Properties {
		srcProps[k] = v
	}
	plan := []statement{{
		what:   "source " + d.Source.ID,
		cypher: "MERGE (s:Source {id: $id}) SET s += $props",
		params: map[string]any{"id": d.Source.ID, "props": srcProps},
	}}

	nodeRows := map[string][]any{}
	labelOf := map[string]string{}
	for _, n := range d.Nodes {
		if !labels[n.Label] {
			return nil, fmt.Errorf("node %s:%s: label %s is not in the schema", n.Label, n.ID, n.Label)
		}
		labelOf[n.Label+":"+n.ID] = n.Label
		nodeRows[n.Label] = append(nodeRows[n.Label], map[string]any{
			"id": n.ID, "props": n.Properties, "evidence": evidence(n.Evidence),
		})
	}
	for _, label := range sortedKeys(nodeRows) {
		plan = append(plan, statement{
			what: "nodes " + label,
			cypher: fmt.Sprintf(`UNWIND $rows AS row
MERGE (n:%[1]s {id: row.id}) SET n += row.props
WITH n, row MATCH (s:Source {id: $source})
MERGE (n)-[r:%[2]s]->(s)`, quote(label), quote(query.MentionedIn)) + appendEvidence,
			params: map[string]any{"rows": nodeRows[label], "source": d.Source.ID},
		})
	}

	relRows := map[[4]string][]any{}
	for i, r := range d.Relationships {
		from, to := labelOf[r.From], labelOf[r.To]
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
			"from": fromID, "to": toID, "key": r.Key, "props": r.Properties, "evidence": evidence(r.Evidence),
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
		plan = append(plan, statement{
			what: fmt.Sprintf("relationships (%s)-[:%s]->(%s)", k[0], k[1], k[2]),
			cypher: fmt.Sprintf(`UNWIND $rows AS row
MATCH (a:%s {id: row.from}) MATCH (b:%s {id: row.to})
MERGE (a)-[r:%s%s]->(b) SET r += row.props`, quote(k[0]), quote(k[2]), quote(k[1]), identity) + appendEvidence,
			params: map[string]any{"rows": relRows[k]},
		})
	}
	return plan, nil
}

func quote(name string) string { return "`" + name + "`" }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
