// Package graph holds the GraphQL schema and its resolvers. The type
// definitions live in graph/schema; cmd/schemagen augments them into
// schema.graphqls, and gqlgen generates the executor, the models and the
// resolvers from that. The query engine (internal/query) answers the
// compiled fields and the generated mutations itself, a whole request with
// one Cypher statement; the resolvers gqlgen runs hand the @custom fields
// to the service their @custom(by:) names: the knowledge graph
// (internal/kg) or the change feed (internal/changes).
package graph

//go:generate go run ../cmd/schemagen -in schema -out schema.graphqls
//go:generate go tool gqlgen generate

import (
	"github.com/companygraph/companygraph/internal/changes"
	"github.com/companygraph/companygraph/internal/kg"
)

// Resolver carries the services the resolvers call into, each named by
// the @custom(by:) of the fields it answers.
type Resolver struct {
	// KG answers the knowledge-graph fields of kg.graphqls.
	KG *kg.Graph
	// Feed answers the change feed of changes.graphqls, and Live its
	// subscription. (A field called Changes would be hidden by the
	// resolvers' own Changes methods.)
	Feed *changes.Log
	Live changes.Live
}
