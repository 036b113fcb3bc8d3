// Package metrics defines the Prometheus metrics the API exports at
// /metrics. Each metric is incremented in exactly one place.
package metrics

import "github.com/prometheus/client_golang/prometheus"

// Metrics holds the registry and the metrics in it.
type Metrics struct {
	Registry *prometheus.Registry
	// GraphQLRequests counts GraphQL operations by type and outcome.
	GraphQLRequests *prometheus.CounterVec
	// CypherQueries counts every Cypher statement sent to Neo4j.
	CypherQueries prometheus.Counter
	// ChangesRepublished counts the changes a sweep published again, and
	// BusPublishFailures the publishes to the bus that failed (their
	// changes went to this process's subscribers only, until a sweep).
	ChangesRepublished prometheus.Counter
	BusPublishFailures prometheus.Counter
}

// New creates the metrics in a fresh registry, with Go runtime metrics.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		GraphQLRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "companygraph_graphql_requests_total",
			Help: "GraphQL operations handled, by operation type and outcome (ok or error).",
		}, []string{"operation", "outcome"}),
		CypherQueries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "companygraph_cypher_queries_total",
			Help: "Cypher statements sent to Neo4j.",
		}),
		ChangesRepublished: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "companygraph_changes_republished_total",
			Help: "Committed changes published to the bus again because this process had not heard them on it within the sweep's grace.",
		}),
		BusPublishFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "companygraph_bus_publish_failures_total",
			Help: "Publishes of a write's changes to the bus that failed; the write had committed and a sweep publishes them again.",
		}),
	}
	m.Registry.MustRegister(m.GraphQLRequests, m.CypherQueries, m.ChangesRepublished, m.BusPublishFailures,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}
