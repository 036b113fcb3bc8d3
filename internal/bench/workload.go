// Package bench measures companygraph against the floor (the hand-written
// Cypher each request needs, run by the Go driver) and against
// @neo4j/graphql, on one Neo4j holding one generated graph
// (internal/datagen). It defines the workload, drives every system with
// the same closed-loop load, watches the processes' CPU and memory, and
// writes the results as Markdown. It measures; it does not tune the API.
package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/companygraph/companygraph/internal/datagen"
	"github.com/companygraph/companygraph/internal/query"
)

// Op is one operation of the workload: the same question asked of each
// system in its own language, with the parameter sets every system cycles
// through in the same order.
type Op struct {
	Key   string // short name, e.g. "by-id"
	Title string
	// CG and NG are the GraphQL documents for companygraph and
	// @neo4j/graphql; an empty CG means companygraph cannot answer it (NA says why).
	CG, NG, NA string
	Cypher     string // the hand-written statement: the floor
	Params     []Params
	// Writes says the operation writes. Its parameter sets hold freshMark
	// where ids and names must be new, and every system puts there a token
	// of its own, another for each request (see tokens): a write that
	// only met what an earlier request wrote would measure a MERGE that
	// finds everything, not a write.
	Writes bool
	// fingerprint reduces an answer to what must agree between systems.
	fingerprint func(v any) string
}

// Params are one request's arguments, per system.
type Params struct {
	CG, NG, Raw map[string]any
}

const paramSets = 256

// Workload builds the nine operations over g, the write last, so that
// while the queries are measured the graph holds only what the checks of
// the write wrote. The
// parameters are drawn with the graph's own popularity skew (popular
// companies and markets are asked about more often), from a fixed seed,
// so every system and every run sends the same requests.
func Workload(g *datagen.Graph) []*Op {
	r := rand.New(rand.NewPCG(g.Seed, 0xbe4c))
	// The operations added after the first six draw from a stream of
	// their own, so the first six send what they always sent.
	r2 := rand.New(rand.NewPCG(g.Seed, 0xbe4d))
	ops := []*Op{byID(), filteredPage(), threeLevels(), search(), path(), eventsPerKind(), firstPage(), quantified(), ingest()}
	for range paramSets {
		c := g.PickCompany(r)
		id := g.ID(datagen.Company, c)
		ops[0].add(map[string]any{"id": id})

		country := g.PickCountry(r)
		raised := []float64{1e6, 1e7, 5e7}[r.IntN(3)]
		ops[1].add(map[string]any{"country": country, "min": raised})

		ops[2].add(map[string]any{"country": g.PickCountry(r)})

		q := g.SearchWord(g.PickCompany(r))
		if r.IntN(3) == 0 {
			// Two words: a name and a typo'd second word of another.
			q += " " + g.SearchWord(r.IntN(g.Count(datagen.Company)))
		}
		ops[3].Params = append(ops[3].Params, Params{
			CG:  map[string]any{"q": q},
			NG:  map[string]any{"q": LuceneQuery(q)},
			Raw: map[string]any{"q": LuceneQuery(q)},
		})

		a := r.IntN(g.Count(datagen.Executive))
		b := r.IntN(g.Count(datagen.Executive))
		ops[4].add(map[string]any{"from": g.ID(datagen.Executive, a), "to": g.ID(datagen.Executive, b)})

		ops[5].add(map[string]any{"m": g.ID(datagen.Market, g.PickMarket(r))})

		ops[6].add(map[string]any{})

		ops[7].add(map[string]any{"m": g.ID(datagen.Market, g.PickMarket(r2)), "status": marketStatuses[r2.IntN(len(marketStatuses))]})

		ops[8].Params = append(ops[8].Params, ingestBatch(g, r2))
	}
	return ops
}

func (o *Op) add(p map[string]any) { o.Params = append(o.Params, Params{CG: p, NG: p, Raw: p}) }

func byID() *Op {
	return &Op{
		Key: "by-id", Title: "1. company by id with its executives (first 50)",
		CG: `query($id: ID!) { company(id: $id) { id name country executives(limit: 50) { title executive { id name } } } }`,
		NG: `query($id: ID!) { companies(where: {id: {eq: $id}}) { id name country
  executivesConnection(first: 50, sort: [{node: {id: ASC}}]) { edges { properties { title } node { id name } } } } }`,
		Cypher: `MATCH (c:Company {id: $id})
RETURN c {.id, .name, .country, executives: COLLECT {
  MATCH (c)<-[w:WORKS_FOR]-(e:Executive) WITH w, e ORDER BY e.id LIMIT 50
  RETURN {title: w.title, executive: e {.id, .name}} }} AS company`,
		fingerprint: ids,
	}
}

func filteredPage() *Op {
	return &Op{
		Key: "filter-page", Title: "2. companies of a country with funding >= X, by name, 20",
		CG: `query($country: String!, $min: Float!) { companies(
  where: {country: {eq: $country}, events: {some: {event: {amountUsd: {gte: $min}}}}},
  sort: [{name: ASC}], limit: 20) { id name country } }`,
		NG: `query($country: String!, $min: Float!) { companies(
  where: {country: {eq: $country}, events: {some: {amountUsd: {gte: $min}}}},
  sort: [{name: ASC}, {id: ASC}], limit: 20) { id name country } }`,
		Cypher: `MATCH (c:Company) WHERE c.country = $country
  AND EXISTS { MATCH (c)-[:PARTICIPATED_IN]->(e:Event) WHERE e.amountUsd >= $min }
RETURN c.id AS id, c.name AS name, c.country AS country ORDER BY c.name, c.id LIMIT 20`,
		fingerprint: orderedIDs,
	}
}

func threeLevels() *Op {
	return &Op{
		Key: "nested", Title: "3. companies -> events -> participants, 10 x 10 x 10",
		CG: `query($country: String!) { companies(where: {country: {eq: $country}}, limit: 10) { id name
  events(limit: 10) { role event { id name executives(limit: 10) { role executive { id name } } } } } }`,
		NG: `query($country: String!) { companies(where: {country: {eq: $country}}, sort: [{id: ASC}], limit: 10) { id name
  eventsConnection(first: 10, sort: [{node: {id: ASC}}]) { edges { properties { role } node { id name
    executivesConnection(first: 10, sort: [{node: {id: ASC}}]) { edges { properties { role } node { id name } } } } } } } }`,
		Cypher: `MATCH (c:Company) WHERE c.country = $country
WITH c ORDER BY c.id LIMIT 10
RETURN c {.id, .name, events: COLLECT {
  MATCH (c)-[p:PARTICIPATED_IN]->(e:Event) WITH p, e ORDER BY e.id LIMIT 10
  RETURN {role: p.role, event: e {.id, .name, executives: COLLECT {
    MATCH (e)<-[q:PARTICIPATED_IN]-(x:Executive) WITH q, x ORDER BY x.id LIMIT 10
    RETURN {role: q.role, executive: x {.id, .name}} }}} }} AS company`,
		fingerprint: ids,
	}
}

func search() *Op {
	return &Op{
		Key: "search", Title: "4. full-text search, 20 hits",
		CG: `query($q: String!) { search(query: $q, first: 20) { score node { __typename id
  ... on Company { name } ... on Executive { name } ... on Event { name } ... on Market { name }
  ... on Product { name } ... on Partner { name } ... on Source { title } } } }`,
		NG: `query($q: [String!]!) { search(query: $q, first: 20) { __typename
  ... on Company { id name } ... on Executive { id name } ... on Event { id name } ... on Market { id name }
  ... on Product { id name } ... on Partner { id name } ... on Source { id title } } }`,
		Cypher: `UNWIND $q AS word
CALL db.index.fulltext.queryNodes('entity_search', word, {limit: 1000}) YIELD node, score
WITH node, count(*) AS matched, sum(score) AS score
RETURN node {.id, .name, .title, label: labels(node)[0]} AS hit, score ORDER BY matched DESC, score DESC, node.id LIMIT 20`,
		fingerprint: ids,
	}
}

// pathField is the companygraph document for op 5, used once the served
// schema has Query.path (graph/schema/kg.graphqls, compiled like every
// other root field); pathSelection asks for what the other systems return,
// the ids along the path.
const (
	pathField     = `query($from: ID!, $to: ID!) { path(from: $from, to: $to, maxHops: 4, first: 1) { %s } }`
	pathSelection = `length nodes { id }`
)

// entityRels are the relationship types between entities that the graph
// holds: a path goes through companies, events and markets, not through
// the documents that mention them (MENTIONED_IN), as companygraph's path does.
const entityRels = "WORKS_FOR|IN_MARKET|PARTNERED_WITH|HAS_PRODUCT|PARTICIPATED_IN|CONCERNS|LAUNCHES|ABOUT|OWNS|INVESTED_IN"

func path() *Op {
	return &Op{
		Key: "path", Title: "5. shortest path of at most 4 hops between two people",
		NA: "n/a (no path field yet)",
		NG: `query($from: ID!, $to: ID!) { executivePath(from: $from, to: $to) }`,
		Cypher: `MATCH (a:Executive {id: $from}), (b:Executive {id: $to})
MATCH p = shortestPath((a)-[:` + entityRels + `*..4]-(b))
RETURN [n IN nodes(p) | n.id] AS ids`,
		fingerprint: pathLength,
	}
}

func eventsPerKind() *Op {
	var ng strings.Builder
	ng.WriteString("query($m: ID!) { markets(where: {id: {eq: $m}}) { id")
	for _, k := range datagen.EventKinds {
		fmt.Fprintf(&ng, "\n  %s: eventsConnection(where: {node: {kind: {eq: %s}}}) { aggregate { count { nodes } } }", k, k)
	}
	ng.WriteString(" } }")
	return &Op{
		Key: "aggregate", Title: "6. events per kind for a market",
		CG: `query($m: ID!) { eventsAggregate(where: {markets: {some: {market: {id: {eq: $m}}}}}) {
  count countBy(field: kind) { value count } } }`,
		NG: ng.String(),
		Cypher: `MATCH (:Market {id: $m})<-[:CONCERNS]-(e:Event)
RETURN e.kind AS kind, count(*) AS count ORDER BY count DESC, kind`,
		fingerprint: kindCounts,
	}
}

// firstPage is a list view's first page over the biggest label (events
// are 30% of the nodes, internal/datagen) with the total a pager shows.
// Every request asks for the same page: one further on would need an
// after cursor, and each system has cursors of its own.
func firstPage() *Op {
	return &Op{
		Key: "first-page", Title: "7. first page of 20 events, with totalCount",
		CG: `{ eventsConnection(first: 20) { totalCount edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`,
		NG: `{ eventsConnection(first: 20, sort: [{id: ASC}]) { totalCount edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`,
		Cypher: `MATCH (n:Event) WHERE n.id IS NOT NULL WITH n ORDER BY n.id LIMIT 21
WITH collect(n {.id, .name}) AS rows
RETURN rows[..20] AS page, size(rows) > 20 AS hasNextPage, COUNT { MATCH (:Event) } AS totalCount`,
		fingerprint: page,
	}
}

// marketStatuses are the statuses internal/datagen gives a company's
// IN_MARKET relationships.
var marketStatuses = []string{"planned", "entered", "operating", "expanded"}

// quantified filters through two relationships, one that must exist and
// one that must not, and sorts by two keys, one descending; country is
// missing on some companies, which sort last.
func quantified() *Op {
	return &Op{
		Key: "quantifiers", Title: "8. companies in a market, none exclusively partnered, by country and name desc, 20",
		CG: `query($m: ID!, $status: String!) { companies(
  where: {markets: {some: {market: {id: {eq: $m}}, status: {eq: $status}}}, partnerships: {none: {exclusive: {eq: true}}}},
  sort: [{country: ASC}, {name: DESC}], limit: 20) { id name country } }`,
		NG: `query($m: ID!, $status: String!) { companies(
  where: {marketsConnection: {some: {node: {id: {eq: $m}}, edge: {status: {eq: $status}}}},
    partnersConnection: {none: {edge: {exclusive: {eq: true}}}}},
  sort: [{country: ASC}, {name: DESC}, {id: ASC}], limit: 20) { id name country } }`,
		Cypher: `MATCH (:Market {id: $m})<-[r:IN_MARKET]-(c:Company) WHERE r.status = $status
  AND NOT EXISTS { (c)-[p:PARTNERED_WITH]->(:Partner) WHERE p.exclusive }
RETURN c.id AS id, c.name AS name, c.country AS country ORDER BY c.country, c.name DESC, c.id LIMIT 20`,
		fingerprint: orderedIDs,
	}
}

// freshMark stands, in a write's parameter sets, where ids and names must
// be new; each system replaces it with a token of its own per request.
const freshMark = "~fresh~"

// An ingest states batchFacts facts: batchCompanies companies, and
// executives with the company each works for, two facts each. The mix is
// the same in every request because @neo4j/graphql unrolls a nested
// create into one statement whose text depends on it, and Neo4j plans
// every new text: tens of seconds for one of a hundred facts.
const (
	batchFacts     = 100
	batchCompanies = 20
)

// jobTitles are the titles the written executives hold.
var jobTitles = []string{"CEO", "CFO", "CTO", "Head of Sales", "Managing Director", "Global Vice President"}

// ingest writes one source and what it states, each fact with its
// sentence. companygraph's ingest resolves every entity (by id, else by
// name or alias) and records who wrote what when; @neo4j/graphql's nested
// create and the hand-written MERGE write the same nodes, relationships
// and evidence without either.
func ingest() *Op {
	return &Op{
		Key: "ingest", Title: "9. ingest of 100 facts with evidence (write)", Writes: true,
		CG: `mutation($source: SourceInput!, $facts: [FactInput!]!) { ingest(source: $source, facts: $facts) {
  created matched unchanged facts { id outcome } } }`,
		// The executives connect to companies the same request creates
		// under companies, which the library writes first.
		NG: `mutation($input: [SourceCreateInput!]!) { createSources(input: $input) { info { nodesCreated relationshipsCreated } } }`,
		Cypher: `MERGE (s:Source:Node {id: $source.id})
SET s.title = $source.title, s.kind = $source.kind, s.text = $source.text, s.categories = $source.categories, s.tags = $source.tags
WITH s
CALL (s) {
  UNWIND $companies AS row
  MERGE (c:Company:Node {id: row.id}) SET c.name = row.name, c.aliases = []
  MERGE (c)-[m:MENTIONED_IN]->(s) SET m.sources = [s.id], m.sentences = [row.sentence]
  RETURN count(*) AS companies
}
CALL (s) {
  UNWIND $executives AS row
  MERGE (x:Executive:Node {id: row.id}) SET x.name = row.name, x.aliases = []
  MERGE (x)-[m:MENTIONED_IN]->(s) SET m.sources = [s.id], m.sentences = [row.sentence]
  RETURN count(*) AS executives
}
CALL (s) {
  UNWIND $worksFor AS row
  MATCH (x:Executive {id: row.executive}) MATCH (c:Company {id: row.company})
  MERGE (x)-[w:WORKS_FOR]->(c) SET w.title = row.title, w.sources = [s.id], w.sentences = [row.sentence]
  RETURN count(*) AS worksFor
}
RETURN companies + executives AS entities, worksFor AS relationships`,
		fingerprint: written,
	}
}

// ingestBatch is one write: a source stating batchFacts facts, companies
// new to the graph, new executives, and the company each of them works
// for, in a quarter of the cases one already in the graph, drawn with its
// popularity, as the news names the big ones. Ids and names carry
// freshMark: no two requests write one node, and no name is one the graph
// has already, which ingest would take for the same entity.
func ingestBatch(g *datagen.Graph, r *rand.Rand) Params {
	type entity struct{ id, name, sentence string }
	base := "write-" + freshMark
	srcID := base + "-source"
	var companies, executives []entity
	for k := range batchCompanies {
		name := fmt.Sprintf("Write Co %s %d", freshMark, k)
		companies = append(companies, entity{fmt.Sprintf("%s-company-%d", base, k), name, name + " was founded."})
	}
	var text []string
	var facts, rawCompanies, ngCompanies, ngExecutives, rawJobs []any
	evidence := func(sentence string) map[string]any {
		return map[string]any{"sources": []any{srcID}, "sentences": []any{sentence}}
	}
	for _, c := range companies {
		text = append(text, c.sentence)
		facts = append(facts, map[string]any{"company": map[string]any{"id": c.id, "name": c.name}, "sentences": []any{c.sentence}})
		rawCompanies = append(rawCompanies, map[string]any{"id": c.id, "name": c.name, "sentence": c.sentence})
		ngCompanies = append(ngCompanies, map[string]any{"node": map[string]any{"id": c.id, "name": c.name, "aliases": []any{}}, "edge": evidence(c.sentence)})
	}
	var jobs []any
	for k := range (batchFacts - len(companies)) / 2 {
		name := fmt.Sprintf("Write Person %s %d", freshMark, k)
		x := entity{fmt.Sprintf("%s-executive-%d", base, k), name, name + " spoke to reporters."}
		executives = append(executives, x)
		c := companies[r.IntN(len(companies))]
		if r.IntN(4) == 0 {
			i := g.PickCompany(r)
			c = entity{id: g.ID(datagen.Company, i), name: g.Name(datagen.Company, i)}
		}
		title := jobTitles[r.IntN(len(jobTitles))]
		sentence := fmt.Sprintf("%s is %s of %s.", name, title, c.name)
		text = append(text, x.sentence, sentence)
		facts = append(facts, map[string]any{"executive": map[string]any{"id": x.id, "name": x.name}, "sentences": []any{x.sentence}})
		jobs = append(jobs, map[string]any{"relationship": map[string]any{"type": "WORKS_FOR", "from": x.id, "to": c.id, "title": title},
			"sentences": []any{sentence}})
		rawJobs = append(rawJobs, map[string]any{"executive": x.id, "company": c.id, "title": title, "sentence": sentence})
		employer := evidence(sentence)
		employer["title"] = title
		ngExecutives = append(ngExecutives, map[string]any{
			"node": map[string]any{"id": x.id, "name": x.name, "aliases": []any{}, "employers": map[string]any{"connect": []any{
				map[string]any{"where": map[string]any{"node": map[string]any{"id": map[string]any{"eq": c.id}}}, "edge": employer}}}},
			"edge": evidence(x.sentence)})
	}
	facts = append(facts, jobs...)
	source := func() map[string]any {
		return map[string]any{"id": srcID, "title": "Write batch " + freshMark, "kind": "news article",
			"categories": []any{"Markets"}, "tags": []any{}, "text": strings.Join(text, " ")}
	}
	var rawExecutives []any
	for _, x := range executives {
		rawExecutives = append(rawExecutives, map[string]any{"id": x.id, "name": x.name, "sentence": x.sentence})
	}
	ng := source()
	ng["companies"] = map[string]any{"create": ngCompanies}
	ng["executives"] = map[string]any{"create": ngExecutives}
	return Params{
		CG:  map[string]any{"source": source(), "facts": facts},
		NG:  map[string]any{"input": []any{ng}},
		Raw: map[string]any{"source": source(), "companies": rawCompanies, "executives": rawExecutives, "worksFor": rawJobs},
	}
}

// LuceneQuery is what companygraph's search makes of the words a person
// types (internal/query.SearchWords): one Lucene query per word, each
// word exact (boosted), as a prefix, or, from four letters, within one
// edit. The raw and @neo4j/graphql searches send them as they are and
// rank as companygraph does: more words matched first, then the sum of
// the words' scores, so the three search alike.
func LuceneQuery(text string) []string {
	words, _ := query.SearchWords(text)
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w.Lucene
	}
	return out
}

// walk calls f for every key and value in a decoded JSON value.
func walk(v any, f func(key string, v any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			f(k, y)
			walk(y, f)
		}
	case []any:
		for _, y := range x {
			walk(y, f)
		}
	}
}

// ids is the sorted list of every id in an answer.
func ids(v any) string {
	var out []string
	walk(v, func(k string, v any) {
		if s, ok := v.(string); ok && k == "id" {
			out = append(out, s)
		}
	})
	slices.Sort(out)
	return fmt.Sprintf("%d ids %s", len(out), strings.Join(out, ","))
}

// orderedIDs is the list of ids of a flat list, in order.
func orderedIDs(v any) string {
	var out []string
	walk(v, func(k string, v any) {
		if list, ok := v.([]any); ok {
			for _, item := range list {
				if m, ok := item.(map[string]any); ok {
					if s, ok := m["id"].(string); ok {
						out = append(out, s)
					}
				}
			}
		}
	})
	return fmt.Sprintf("%d ids %s", len(out), strings.Join(out, ","))
}

// pathLength is the number of nodes on the path: the longest list of ids,
// or of objects with an id, in the answer. Shortest paths of one length may
// differ between systems; their length may not.
func pathLength(v any) string {
	n := 0
	walk(v, func(k string, v any) {
		list, ok := v.([]any)
		if !ok {
			return
		}
		for _, x := range list {
			m, isMap := x.(map[string]any)
			if _, isID := m["id"]; !(isMap && isID) {
				if _, isString := x.(string); !isString {
					return
				}
			}
		}
		n = max(n, len(list))
	})
	return fmt.Sprintf("%d nodes", n)
}

// kindCounts is the sorted list of non-zero per-kind counts, wherever
// each system puts them.
func kindCounts(v any) string {
	var out []int64
	walk(v, func(k string, v any) {
		switch k {
		case "countBy", "rows":
			list, _ := v.([]any)
			for _, item := range list {
				m, _ := item.(map[string]any)
				out = append(out, num(m["count"]))
			}
		case "nodes":
			if n := num(v); n > 0 {
				out = append(out, n)
			}
		}
	})
	slices.Sort(out)
	return fmt.Sprint(out)
}

// page is a page's ids in order, whether there is a next page, and the
// total, wherever each system puts them (an edge holds its node).
func page(v any) string {
	var out []string
	var total int64
	next := false
	walk(v, func(k string, v any) {
		switch k {
		case "totalCount":
			total = num(v)
		case "hasNextPage":
			next, _ = v.(bool)
		}
		list, _ := v.([]any)
		for _, item := range list {
			m, _ := item.(map[string]any)
			if node, ok := m["node"].(map[string]any); ok {
				m = node
			}
			if s, ok := m["id"].(string); ok {
				out = append(out, s)
			}
		}
	})
	return fmt.Sprintf("total %d, next page %v, %d ids %s", total, next, len(out), strings.Join(out, ","))
}

// written is what a write created: entities, and relationships stated
// between them, not counting the source and each entity's mention of it;
// and how many facts were already there. companygraph tells each fact's
// outcome; @neo4j/graphql counts the nodes and relationships it created,
// the source and the mentions among them; the hand-written statement
// counts its rows.
func written(v any) string {
	var entities, rels, old int64
	walk(v, func(k string, v any) {
		switch k {
		case "facts":
			list, _ := v.([]any)
			for _, f := range list {
				m, _ := f.(map[string]any)
				id, _ := m["id"].(string)
				switch {
				case m["outcome"] != "CREATED":
					old++
				case strings.Contains(id, "->"):
					rels++
				default:
					entities++
				}
			}
		case "info":
			m, _ := v.(map[string]any)
			e := num(m["nodesCreated"]) - 1
			entities += e
			rels += num(m["relationshipsCreated"]) - e
		case "entities":
			entities += num(v)
		case "relationships":
			rels += num(v)
		}
	})
	return fmt.Sprintf("%d entities and %d relationships new, %d facts already there", entities, rels, old)
}

func num(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	case int:
		return int64(n)
	}
	return 0
}
