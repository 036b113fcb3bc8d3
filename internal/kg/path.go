package kg

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Direction says which way a hop's relationship points, seen from the path.
type Direction string

const (
	// Forward: the relationship points from the hop's From to its To.
	Forward Direction = "FORWARD"
	// Backward: it points from the hop's To back to its From.
	Backward Direction = "BACKWARD"
)

// MarshalGQL writes the direction as its enum value.
func (d Direction) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL reads an enum value.
func (d *Direction) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch Direction(s) {
	case Forward, Backward:
		*d = Direction(s)
		return nil
	}
	return apierror.New(apierror.BadInput, "%v is not a HopDirection", v)
}

// Hop is one step of a path: the relationship walked, from one node to the next.
type Hop struct {
	From         Node      `json:"from"`
	To           Node      `json:"to"`
	Direction    Direction `json:"direction"`
	Relationship Edge      `json:"relationship"`
}

// Path is a walk from one entity to another.
type Path struct {
	// Length is the number of hops.
	Length int64  `json:"length"`
	Nodes  []Node `json:"nodes"`
	Hops   []Hop  `json:"hops"`
}

// Path returns the shortest paths between entities from and to, in either
// direction along each relationship, of at most maxHops hops (nil means
// DefaultMaxHops): the first of them (nil means MaxPaths, at most
// MaxPaths) in path order (see pathLess). No path within the bound is an
// empty answer; an unknown id is NOT_FOUND and a bound outside its range is
// BAD_USER_INPUT.
//
// Which paths are kept is decided inside the statement: every shortest
// path is ordered before the first are taken, so the answer does not
// depend on the order in which the planner happens to find them. The
// price is that all shortest paths are enumerated, not just the first
// found. What bounds that work: maxHops (at most MaxHops) bounds their
// length; ORDER BY followed by LIMIT is planned as a top-n that holds
// first paths at a time, so memory does not grow with their number; and
// their number, which grows with the degrees of the nodes between the two
// entities, is bounded in time by the request's deadline, which the client
// passes to Neo4j as the transaction timeout: past it the request fails
// with TIMEOUT, never with an arbitrary subset. One path (first 1) is the
// exception: it is the one the search finds first, which costs only that
// search.
//
// Evidence and properties are read only when the request selects them.
func (g *Graph) Path(ctx context.Context, from, to string, maxHops, first *int64) ([]*Path, error) {
	hops, err := bounded("maxHops", maxHops, DefaultMaxHops, 1, MaxHops)
	if err != nil {
		return nil, err
	}
	paths, err := bounded("first", first, MaxPaths, 1, MaxPaths)
	if err != nil {
		return nil, err
	}
	search, order := "allShortestPaths", `WITH p ORDER BY [n IN nodes(p) | n.id], [r IN relationships(p) | type(r)], [r IN relationships(p) | startNode(r).id],
    [r IN relationships(p) | CASE WHEN r.key IS :: STRING THEN r.key ELSE '' END]
  LIMIT $maxPaths`
	if paths == 1 {
		search, order = "shortestPath", ""
	}
	w := wanted(ctx)
	rels := "[]"
	if w.hops {
		rels = "[r IN relationships(p) | " + g.edgeProjOf("r", w) + "]"
	}
	// The bound of a variable-length pattern cannot be a parameter in
	// Cypher, so it is formatted into the statement, from the checked int.
	cypher := fmt.Sprintf(`OPTIONAL MATCH (a:%[7]s {id: $from}) WHERE a:%[1]s
WITH a OPTIONAL MATCH (b:%[7]s {id: $to}) WHERE b:%[1]s
CALL (a, b) {
  WITH a, b WHERE a IS NOT NULL AND b IS NOT NULL AND a <> b
  MATCH p = %[8]s((a)-[:%[2]s*1..%[3]d]-(b))
  %[9]s
  RETURN collect({nodes: [n IN nodes(p) | %[4]s], rels: %[5]s}) AS paths
}
RETURN a IS NOT NULL AS fromFound, b IS NOT NULL AS toFound, CASE WHEN a = b THEN %[6]s END AS same, paths`,
		g.entities(), g.rels(), hops, g.nodeProjOf("n", w), rels, g.nodeProjOf("a", w), nodeLabel, search, order)
	rows, err := g.read(ctx, "path", cypher, map[string]any{"from": from, "to": to, "maxPaths": paths})
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, fmt.Errorf("path: %d rows, want 1", len(rows))
	}
	row := rows[0]
	if found, _ := row["fromFound"].(bool); !found {
		return nil, notFound("entity", from)
	}
	if found, _ := row["toFound"].(bool); !found {
		return nil, notFound("entity", to)
	}
	if row["same"] != nil {
		// An entity is joined to itself by the path of no hops.
		n := g.decodeNode(row["same"])
		return []*Path{{Length: 0, Nodes: []Node{n}, Hops: []Hop{}}}, nil
	}
	out := []*Path{}
	for _, p := range list(row["paths"]) {
		m, _ := p.(map[string]any)
		path := &Path{Hops: []Hop{}}
		for _, n := range list(m["nodes"]) {
			path.Nodes = append(path.Nodes, g.decodeNode(n))
		}
		for i, r := range list(m["rels"]) {
			e := decodeEdge(r)
			h := Hop{From: path.Nodes[i], To: path.Nodes[i+1], Direction: Forward, Relationship: e}
			if e.From != h.From.ID {
				h.Direction = Backward
			}
			path.Hops = append(path.Hops, h)
		}
		// The hops are read only when selected; the nodes always are.
		path.Length = int64(len(path.Nodes) - 1)
		out = append(out, path)
	}
	// collect keeps the order of the rows it is given, but the order is
	// the answer, so it is not left to that: the same order again, in Go.
	sort.SliceStable(out, func(i, j int) bool { return pathLess(out[i], out[j]) })
	return out, nil
}

// pathLess is the order of paths, the same as the statement's ORDER BY:
// by the ids of the nodes along them, then by the types of their
// relationships, then by the ids of the nodes the relationships start
// from (their directions), then by the relationships' keys, which tell
// apart two of one type between the same nodes. Shortest paths between two
// entities all have the same length, so comparing hop by hop is comparing
// the lists as Cypher does.
func pathLess(a, b *Path) bool {
	for i := range min(len(a.Nodes), len(b.Nodes)) {
		if a.Nodes[i].ID != b.Nodes[i].ID {
			return a.Nodes[i].ID < b.Nodes[i].ID
		}
	}
	if len(a.Nodes) != len(b.Nodes) {
		return len(a.Nodes) < len(b.Nodes)
	}
	for _, key := range []func(Hop) string{
		func(h Hop) string { return h.Relationship.Type },
		func(h Hop) string { return h.Relationship.From },
		func(h Hop) string { return str(h.Relationship.Properties["key"]) },
	} {
		for i := range a.Hops {
			if ka, kb := key(a.Hops[i]), key(b.Hops[i]); ka != kb {
				return ka < kb
			}
		}
	}
	return false
}
