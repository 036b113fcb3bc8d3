package kg

import (
	"context"
	"fmt"
	"strings"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/query"
)

// Fact is a relationship a source states.
type Fact struct {
	// Relationship carries the evidence of every source that states it.
	Relationship Edge `json:"relationship"`
	From         Node `json:"from"`
	To           Node `json:"to"`
	// Sentences are those of the asked source, in its order.
	Sentences []string `json:"sentences"`
}

// SourceFacts is what one source supports.
type SourceFacts struct {
	Source Node   `json:"source"`
	Facts  []Fact `json:"facts"`
	// Truncated says the source supports more facts than the limit.
	Truncated bool `json:"truncated"`
}

// Facts returns the relationships between entities that source states,
// ordered by start id, type and end id, at most limit (nil: DefaultLimit)
// of them. An unknown source is NOT_FOUND.
func (g *Graph) Facts(ctx context.Context, source string, limit *int64) (*SourceFacts, error) {
	n, err := bounded("limit", limit, DefaultLimit, 1, MaxLimit)
	if err != nil {
		return nil, err
	}
	// A source states facts only about entities it mentions (ingest links
	// every node of a dataset to its source), so the walk starts at the
	// source instead of scanning every relationship.
	cypher := fmt.Sprintf(`MATCH (s:%[10]s {id: $source}) WHERE s:%[1]s
RETURN %[2]s AS source, COLLECT {
  MATCH (s)<-[:%[3]s]-(x:%[4]s)-[r:%[5]s]->(y)
  WHERE $source IN r.%[6]s
  WITH x, r, y ORDER BY x.id, type(r), y.id, r.key LIMIT $cap
  RETURN {rel: %[7]s, from: %[8]s, to: %[9]s}
} AS facts`, "`"+g.sourceLabel+"`", g.nodeProj("s"), "`"+query.MentionedIn+"`", g.entities(), g.rels(),
		query.EvidenceSources, g.edgeProj("r"), g.nodeProj("x"), g.nodeProj("y"), nodeLabel)
	rows, err := g.read(ctx, "facts", cypher, map[string]any{"source": source, "cap": n + 1})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, notFound("source", source)
	}
	out := &SourceFacts{Source: g.decodeNode(rows[0]["source"]), Facts: []Fact{}}
	facts := list(rows[0]["facts"])
	if len(facts) > n {
		facts, out.Truncated = facts[:n], true
	}
	for _, v := range facts {
		m, _ := v.(map[string]any)
		f := Fact{Relationship: decodeEdge(m["rel"]), From: g.decodeNode(m["from"]), To: g.decodeNode(m["to"]), Sentences: []string{}}
		for _, c := range f.Relationship.Evidence {
			if c.SourceID == source {
				f.Sentences = append(f.Sentences, c.Sentence)
			}
		}
		out.Facts = append(out.Facts, f)
	}
	return out, nil
}

// MaxResolved bounds the entities one name resolves to.
const MaxResolved = 50

// Resolve returns the entities whose name or one of whose aliases is name,
// ignoring case and surrounding or repeated space, ordered by type and id. It is exact:
// search (the full-text root field) is the one for partial and misspelt names.
func (g *Graph) Resolve(ctx context.Context, name string) ([]*Node, error) {
	// As seed.NameKey compares names; stored names have single spaces.
	key := strings.ToLower(strings.Join(strings.Fields(name), " "))
	if key == "" {
		return nil, apierror.New(apierror.BadInput, "name must not be empty")
	}
	params := map[string]any{"name": key, "cap": MaxResolved}
	// The full-text index finds the candidates, so a name costs what it
	// matches rather than the size of the graph; a name without a word
	// the index holds is compared with every entity's.
	find := fmt.Sprintf("MATCH (n:%s)\nWHERE", g.entities())
	if queries, _ := query.NameQueries([]string{key}); len(queries) == 1 {
		find = fmt.Sprintf("CALL db.index.fulltext.queryNodes($index, $query) YIELD node AS n\nWHERE n:%s AND", g.entities())
		params["index"], params["query"] = query.SearchIndex, queries[0]
	}
	cypher := fmt.Sprintf(`%[4]s (toLower(trim(n.name)) = $name OR any(a IN coalesce(n.aliases, []) WHERE toLower(trim(a)) = $name))
WITH n ORDER BY [ls IN [labels(n)] | head([l IN [%[3]s] WHERE l IN ls])][0], n.id LIMIT $cap
RETURN %[2]s AS node`, g.entities(), g.nodeProj("n"), g.typeOrder(), find)
	rows, err := g.read(ctx, "resolve", cypher, params)
	if err != nil {
		return nil, err
	}
	out := make([]*Node, 0, len(rows))
	for _, r := range rows {
		n := g.decodeNode(r["node"])
		out = append(out, &n)
	}
	return out, nil
}
