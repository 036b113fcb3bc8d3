package kg

import (
	"context"
	"fmt"
	"strings"

	"github.com/companygraph/companygraph/internal/apierror"
)

// SubgraphQuery says which subgraph to take.
type SubgraphQuery struct {
	// ID is the entity at the centre; empty takes the whole graph.
	ID string
	// Depth is how many hops from ID to reach (nil: DefaultDepth); only with an ID.
	Depth *int64
	// Limit bounds the nodes (nil: DefaultLimit); the edges are bounded at
	// EdgesPerNode times as many.
	Limit *int64
	// Types keeps only entities of these GraphQL types, e.g. "Company";
	// walks do not pass through the others. Empty keeps all.
	Types []string
}

// Neighborhood returns the entities within depth hops of id, nearest
// first, and the relationships among them.
func (g *Graph) Neighborhood(ctx context.Context, id string, depth, limit *int64, types []string) (*Subgraph, error) {
	return g.Subgraph(ctx, SubgraphQuery{ID: id, Depth: depth, Limit: limit, Types: types})
}

// Subgraph returns a neighbourhood, or with no ID the whole graph, cut to
// the limit: nodes nearest the centre first and, among equals, by id.
// Truncated tells whether anything was cut.
func (g *Graph) Subgraph(ctx context.Context, q SubgraphQuery) (*Subgraph, error) {
	limit, err := bounded("limit", q.Limit, DefaultLimit, 1, MaxLimit)
	if err != nil {
		return nil, err
	}
	if q.ID == "" && q.Depth != nil {
		return nil, apierror.New(apierror.BadInput, "depth needs the id of the entity at the centre")
	}
	depth, err := bounded("depth", q.Depth, DefaultDepth, 1, MaxDepth)
	if err != nil {
		return nil, err
	}
	labels, err := g.labelsFor(q.Types)
	if err != nil {
		return nil, err
	}
	params := map[string]any{"id": q.ID, "labels": labels, "limit": limit, "cap": limit + 1, "edgeCap": limit*EdgesPerNode + 1}

	var b strings.Builder
	if q.ID == "" {
		fmt.Fprintf(&b, `MATCH (n:%s) WHERE any(l IN labels(n) WHERE l IN $labels)
WITH n ORDER BY n.id LIMIT $cap
WITH collect(n) AS seen
WITH seen, [x IN seen | null] AS depths
`, g.entities())
	} else {
		fmt.Fprintf(&b, `MATCH (start:%s {id: $id}) WHERE start:%s
WITH [start] AS seen, [0] AS depths, [start] AS frontier
`, nodeLabel, g.entities())
		// One breadth-first level per hop, so each node keeps its
		// distance and a cut keeps the nearest. The number of levels is
		// the checked depth; each level adds at most limit+1 nodes, so
		// the work is bounded whatever the degrees.
		for level := 1; level <= depth; level++ {
			fmt.Fprintf(&b, `CALL (seen, frontier) {
  UNWIND frontier AS f
  MATCH (f)-[:%[1]s]-(n)
  WHERE any(l IN labels(n) WHERE l IN $labels) AND NOT n IN seen
  WITH DISTINCT n ORDER BY n.id LIMIT $cap
  RETURN collect(n) AS next
}
WITH seen + next AS seen, depths + [x IN next | %[2]d] AS depths,
     CASE WHEN size(seen) + size(next) > $limit THEN [] ELSE next END AS frontier
`, g.rels(), level)
		}
	}
	fmt.Fprintf(&b, `WITH seen[..$limit] AS nodes, depths[..$limit] AS depths, size(seen) > $limit AS cut
CALL (nodes) {
  UNWIND nodes AS x
  MATCH (x)-[r:%[1]s]->(y)
  WHERE y IN nodes
  WITH x, r, y ORDER BY x.id, type(r), y.id, r.key LIMIT $edgeCap
  RETURN collect(%[2]s) AS edges
}
RETURN [n IN nodes | %[3]s] AS nodes, depths, cut, edges`, g.rels(), g.edgeProj("r"), g.nodeProj("n"))

	rows, err := g.read(ctx, "subgraph", b.String(), params)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, notFound("entity", q.ID)
	}
	row := rows[0]
	sg := &Subgraph{Nodes: []Node{}, Edges: []Edge{}}
	depths := list(row["depths"])
	for i, n := range list(row["nodes"]) {
		node := g.decodeNode(n)
		if i < len(depths) {
			if d, ok := depths[i].(int64); ok {
				node.Depth = &d
			}
		}
		sg.Nodes = append(sg.Nodes, node)
	}
	edges := list(row["edges"])
	sg.Truncated, _ = row["cut"].(bool)
	if len(edges) > limit*EdgesPerNode {
		edges, sg.Truncated = edges[:limit*EdgesPerNode], true
	}
	for _, e := range edges {
		sg.Edges = append(sg.Edges, decodeEdge(e))
	}
	return sg, nil
}

// labelsFor turns GraphQL type names into labels; none means every entity.
func (g *Graph) labelsFor(types []string) ([]string, error) {
	if len(types) == 0 {
		return g.entityLabels, nil
	}
	var out []string
	for _, t := range types {
		l, ok := g.labelOf[t]
		if !ok {
			return nil, apierror.New(apierror.BadInput, "unknown entity type %q; the types are %s", t, strings.Join(g.EntityTypes(), ", "))
		}
		out = append(out, l)
	}
	return out, nil
}
