package query_test

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"

	"github.com/companygraph/companygraph/internal/query"
)

// benchOps are the companygraph documents of make bench's workload
// (internal/bench/workload.go), with typical variables.
var benchOps = []struct {
	name, doc string
	vars      map[string]any
}{
	{"by-id", `query($id: ID!) { company(id: $id) { id name country executives(limit: 50) { title executive { id name } } } }`,
		map[string]any{"id": "company-42"}},
	{"filter-page", `query($country: String!, $min: Float!) { companies(
  where: {country: {eq: $country}, events: {some: {event: {amountUsd: {gte: $min}}}}},
  sort: [{name: ASC}], limit: 20) { id name country } }`,
		map[string]any{"country": "Germany", "min": 1e7}},
	{"nested", `query($country: String!) { companies(where: {country: {eq: $country}}, limit: 10) { id name
  events(limit: 10) { role event { id name executives(limit: 10) { role executive { id name } } } } } }`,
		map[string]any{"country": "Germany"}},
	{"search", `query($q: String!) { search(query: $q, first: 20) { score node { __typename id
  ... on Company { name } ... on Executive { name } ... on Event { name } ... on Market { name }
  ... on Product { name } ... on Partner { name } ... on Source { title } } } }`,
		map[string]any{"q": "velmor robotics"}},
	{"aggregate", `query($m: ID!) { eventsAggregate(where: {markets: {some: {market: {id: {eq: $m}}}}}) {
  count countBy(field: kind) { value count } } }`,
		map[string]any{"m": "market-3"}},
}

// BenchmarkCompile measures what the engine does per request before Neo4j:
// collecting the root fields and compiling them into one statement. The
// document is parsed once, outside the loop.
func BenchmarkCompile(b *testing.B) {
	s := schema(b)
	m, err := query.NewMapping(s)
	if err != nil {
		b.Fatal(err)
	}
	for _, op := range benchOps {
		b.Run(op.name, func(b *testing.B) {
			doc, errs := gqlparser.LoadQuery(s, op.doc)
			if errs != nil {
				b.Fatal(errs)
			}
			oc := &graphql.OperationContext{RawQuery: op.doc, Doc: doc, Operation: doc.Operations[0], Variables: op.vars}
			b.ReportAllocs()
			for b.Loop() {
				roots := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
				if _, err := m.Compile(oc, roots, limits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseValidate measures what gqlgen does per request before the
// engine when no query cache is configured: parsing the document and
// validating it against the schema.
func BenchmarkParseValidate(b *testing.B) {
	s := schema(b)
	for _, op := range benchOps {
		b.Run(op.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, errs := gqlparser.LoadQuery(s, op.doc); errs != nil {
					b.Fatal(errs)
				}
			}
		})
	}
}
