// Package graph holds the GraphQL schema and its resolvers. Resolvers are
// thin: the query compiler in internal/query answers each request's
// selection from Neo4j, and a resolver only hands over its field.
package graph

//go:generate go tool gqlgen generate

import "github.com/companygraph/companygraph/internal/query"

// Resolver carries the dependencies the resolvers call into.
type Resolver struct {
	Engine *query.Engine
}
