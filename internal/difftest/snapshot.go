package difftest

import (
	"context"
	"fmt"
	"sort"

	"github.com/companygraph/companygraph/internal/neo4j"
)

// Node is one node of the snapshot.
type Node struct {
	ElementID string
	Labels    []string
	Props     map[string]any
}

// ID is the node's id property, "" when it has none.
func (n *Node) ID() string {
	s, _ := n.Props["id"].(string)
	return s
}

// HasLabel reports whether the node carries label l.
func (n *Node) HasLabel(l string) bool {
	for _, x := range n.Labels {
		if x == l {
			return true
		}
	}
	return false
}

// Rel is one relationship of the snapshot.
type Rel struct {
	ElementID  string
	Type       string
	Start, End *Node
	Props      map[string]any
}

// Snapshot is the whole graph, read once, with the indexes the reference
// executor walks.
type Snapshot struct {
	Nodes []*Node
	Rels  []*Rel
	byID  map[string][]*Node // by id property; ids are unique across labels, but a snapshot need not trust that
	out   map[*Node][]*Rel
	in    map[*Node][]*Rel
}

// Load reads every node and every relationship with two plain statements.
func Load(ctx context.Context, client *neo4j.Client) (*Snapshot, error) {
	s := &Snapshot{byID: map[string][]*Node{}, out: map[*Node][]*Rel{}, in: map[*Node][]*Rel{}}
	recs, err := client.ReadOne(ctx, "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props", nil)
	if err != nil {
		return nil, fmt.Errorf("snapshot nodes: %w", err)
	}
	byElement := map[string]*Node{}
	for _, r := range recs {
		id, _ := r.Get("id")
		labels, _ := r.Get("labels")
		props, _ := r.Get("props")
		n := &Node{ElementID: id.(string), Props: props.(map[string]any)}
		for _, l := range labels.([]any) {
			n.Labels = append(n.Labels, l.(string))
		}
		s.Nodes = append(s.Nodes, n)
		byElement[n.ElementID] = n
		if id := n.ID(); id != "" {
			s.byID[id] = append(s.byID[id], n)
		}
	}
	recs, err = client.ReadOne(ctx, "MATCH (a)-[r]->(b) RETURN elementId(r) AS id, type(r) AS type, elementId(a) AS a, elementId(b) AS b, properties(r) AS props", nil)
	if err != nil {
		return nil, fmt.Errorf("snapshot relationships: %w", err)
	}
	for _, r := range recs {
		id, _ := r.Get("id")
		typ, _ := r.Get("type")
		a, _ := r.Get("a")
		b, _ := r.Get("b")
		props, _ := r.Get("props")
		rel := &Rel{ElementID: id.(string), Type: typ.(string), Start: byElement[a.(string)], End: byElement[b.(string)], Props: props.(map[string]any)}
		s.Rels = append(s.Rels, rel)
		s.out[rel.Start] = append(s.out[rel.Start], rel)
		s.in[rel.End] = append(s.in[rel.End], rel)
	}
	// Fixed orders, so that whatever the reference does not order is at
	// least the same from run to run.
	sort.Slice(s.Nodes, func(i, j int) bool { return s.Nodes[i].ElementID < s.Nodes[j].ElementID })
	return s, nil
}

// ByID finds the node with this id and label.
func (s *Snapshot) ByID(id, label string) *Node {
	for _, n := range s.byID[id] {
		if n.HasLabel(label) {
			return n
		}
	}
	return nil
}

// WithLabel lists the nodes with label l.
func (s *Snapshot) WithLabel(l string) []*Node {
	var out []*Node
	for _, n := range s.Nodes {
		if n.HasLabel(l) {
			out = append(out, n)
		}
	}
	return out
}

// Out lists the relationships of type t that start at n; In, those that end there.
func (s *Snapshot) Out(n *Node, t string) []*Rel { return ofType(s.out[n], t) }

// In lists the relationships of type t that end at n.
func (s *Snapshot) In(n *Node, t string) []*Rel { return ofType(s.in[n], t) }

func ofType(rels []*Rel, t string) []*Rel {
	var out []*Rel
	for _, r := range rels {
		if r.Type == t {
			out = append(out, r)
		}
	}
	return out
}
