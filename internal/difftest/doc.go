// Package difftest tests the query compiler differentially: random
// GraphQL operations, generated from the served schema, are answered by
// the API (one compiled Cypher statement each) and by a reference
// executor that holds the whole graph in memory and walks the operation
// field by field, applying filters, sorts, pages and cursors in Go by the
// GraphQL and Relay specifications. Any difference is a bug in one of the
// two; the reference is written to be obviously right, and shares no code
// with internal/query beyond the words and Lucene text of search and the
// names of its indexes.
//
// It is not a benchmark and not a second implementation to serve from:
// the reference is as slow as it is plain.
package difftest
