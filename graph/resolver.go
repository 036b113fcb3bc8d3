// Package graph holds the GraphQL schema and its resolvers. The type
// definitions live in graph/schema; cmd/schemagen augments them into
// schema.graphqls, and gqlgen generates the executor, the models and the
// resolvers from that. Every resolver only hands its field to the query
// engine (internal/query), which answers a whole request with one Cypher
// statement.
package graph

//go:generate go run ../cmd/schemagen -in schema -out schema.graphqls
//go:generate go tool gqlgen generate

import (
	"github.com/companygraph/companygraph/internal/kg"
	"github.com/companygraph/companygraph/internal/mutation"
	"github.com/companygraph/companygraph/internal/query"
)

// Resolver carries the dependencies the resolvers call into.
type Resolver struct {
	Engine *query.Engine
	// Mutations runs the generated mutations.
	Mutations *mutation.Writer
	// KG answers the @custom knowledge-graph fields of kg.graphqls.
	KG *kg.Graph
}
