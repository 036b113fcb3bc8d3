package kg

import (
	"context"
	"fmt"
	"sort"

	"github.com/companygraph/companygraph/internal/neo4j"
)

// EdgeRef names one relationship: its ends, its type and its key (empty
// when it has none), as EdgeID does.
type EdgeRef struct{ From, Type, To, Key string }

// Snapshot reads, inside tx, the nodes with these ids and the
// relationships refs names as they are at this point of the transaction,
// with their evidence: what a change records of what a write touched.
// What is not there is left out. One statement.
func (g *Graph) Snapshot(ctx context.Context, tx neo4j.Tx, ids []string, refs []EdgeRef) (map[string]Node, map[EdgeRef]Edge, error) {
	edges := make([]any, len(refs))
	for i, r := range refs {
		edges[i] = map[string]any{"from": r.From, "type": r.Type, "to": r.To, "key": r.Key}
	}
	// A relationship's type is not a parameter Cypher takes in a pattern,
	// so it is compared; the ends come through the common label's index.
	cypher := fmt.Sprintf(`RETURN COLLECT { UNWIND $ids AS id MATCH (n:%[1]s {id: id}) RETURN %[2]s } AS nodes,
  COLLECT { UNWIND $edges AS e MATCH (a:%[1]s {id: e.from})-[r]->(b:%[1]s {id: e.to})
    WHERE type(r) = e.type AND coalesce(r.key, '') = e.key RETURN %[3]s } AS edges`, nodeLabel, g.nodeProj("n"), g.edgeProj("r"))
	recs, err := tx.Run(ctx, cypher, map[string]any{"ids": ids, "edges": edges})
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot: %w", err)
	}
	nodes, rels := map[string]Node{}, map[EdgeRef]Edge{}
	if len(recs) == 0 {
		return nodes, rels, nil
	}
	ns, _ := recs[0].Get("nodes")
	for _, v := range list(ns) {
		n := g.decodeNode(v)
		nodes[n.ID] = n
	}
	es, _ := recs[0].Get("edges")
	for _, v := range list(es) {
		e := decodeEdge(v)
		rels[EdgeRef{From: e.From, Type: e.Type, To: e.To, Key: str(e.Properties["key"])}] = e
	}
	return nodes, rels, nil
}

// ChangeTypes lists what a change can be of: the GraphQL types of the
// entities and of the source, and the relationship types between
// entities, sorted.
func (g *Graph) ChangeTypes() []string {
	out := append(g.EntityTypes(), g.typeOf[g.sourceLabel])
	out = append(out, g.relTypes...)
	sort.Strings(out)
	return out
}
