// Package graph holds the GraphQL schema and its resolvers. The type
// definitions live in graph/schema; cmd/schemagen augments them into
// schema.graphqls, and gqlgen generates the executor, the models and the
// resolvers from that. The query engine (internal/query) answers the
// compiled fields and the generated mutations itself, a whole request with
// one Cypher statement; the resolvers gqlgen runs hand the @custom fields
// to the knowledge graph (internal/kg).
package graph

//go:generate go run ../cmd/schemagen -in schema -out schema.graphqls
//go:generate go tool gqlgen generate

import "github.com/companygraph/companygraph/internal/kg"

// Resolver carries the dependencies the resolvers call into.
type Resolver struct {
	// KG answers the @custom knowledge-graph fields of kg.graphqls.
	KG *kg.Graph
}
