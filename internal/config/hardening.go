package config

import (
	"flag"
	"fmt"
)

// Hardening bounds what one request may ask of the API and says how much
// of the schema the API shows. The defaults are at least as tight as
// GraphQL Armor's (depth 6 to 10, aliases 15 to 30, tokens 1000 to 5000)
// except where the README's configuration table says why not; the integration
// tests and the benchmark workload run within them.
type Hardening struct {
	// MaxDepth bounds the nesting of fields in one operation; introspection
	// has its own fixed bound (gqlparser's MaxIntrospectionDepth rule).
	MaxDepth int
	// MaxComplexity bounds an operation's estimated cost: each field costs
	// 1, and the cost of what a list or connection selects is multiplied by
	// its limit, first or last (the maximum page size when it gives none).
	MaxComplexity int
	// MaxAliases bounds the aliased fields of one operation.
	MaxAliases int
	// MaxRootFields bounds the root fields of one operation.
	MaxRootFields int
	// MaxFields bounds the fields of one operation, counted with fragments
	// expanded and repeats included.
	MaxFields int
	// MaxTokens bounds the lexical tokens of a query document, so that the
	// parser and validator never see a huge one.
	MaxTokens int
	// MaxOperations bounds the operations of one batched request (a JSON
	// array); 1 turns batching off in practice.
	MaxOperations int
	// MaxBodyBytes bounds a request body; past it the answer is 413.
	MaxBodyBytes int
	// MaxVariablesBytes bounds the JSON of one operation's variables.
	MaxVariablesBytes int
	// Introspection answers __schema and __type and serves /schema.graphql;
	// off, it also turns off "Did you mean" suggestions in errors.
	Introspection bool
	// APQCacheSize is how many automatic persisted queries are kept; 0
	// turns automatic persisted queries off.
	APQCacheSize int
	// PersistedQueries is a JSON file of {"sha256 of the query": "query"};
	// when set, only those operations run (an allow-list).
	PersistedQueries string
}

// hardeningFlags defines the hardening flags on fs; the returned function,
// called after fs.Parse, checks them and stores them in h.
func hardeningFlags(fs *flag.FlagSet, getenv func(string) string, env func(name, def string) string, h *Hardening) func() error {
	ints := []struct {
		p         *int
		flag, env string
		def, min  int
		usage     string
	}{
		{&h.MaxDepth, "max-depth", "COMPANYGRAPH_MAX_DEPTH", 10, 1, "deepest nesting of fields in one operation"},
		{&h.MaxComplexity, "max-complexity", "COMPANYGRAPH_MAX_COMPLEXITY", 250_000, 1, "largest estimated cost of one operation: lists and connections multiply what they select by their page size"},
		{&h.MaxAliases, "max-aliases", "COMPANYGRAPH_MAX_ALIASES", 15, 1, "most aliased fields in one operation"},
		{&h.MaxRootFields, "max-root-fields", "COMPANYGRAPH_MAX_ROOT_FIELDS", 10, 1, "most root fields in one operation"},
		{&h.MaxFields, "max-fields", "COMPANYGRAPH_MAX_FIELDS", 200, 1, "most fields in one operation, fragments expanded and repeats included"},
		{&h.MaxTokens, "max-tokens", "COMPANYGRAPH_MAX_TOKENS", 2000, 1, "most lexical tokens in one query document"},
		{&h.MaxOperations, "max-operations", "COMPANYGRAPH_MAX_OPERATIONS", 1, 1, "most operations in one batched request (a JSON array); 1 allows no real batch"},
		{&h.MaxBodyBytes, "max-body-bytes", "COMPANYGRAPH_MAX_BODY_BYTES", 1 << 20, 1, "largest request body, in bytes"},
		{&h.MaxVariablesBytes, "max-variables-bytes", "COMPANYGRAPH_MAX_VARIABLES_BYTES", 512 << 10, 1, "largest variables of one operation, in bytes of JSON"},
		{&h.APQCacheSize, "apq-cache-size", "COMPANYGRAPH_APQ_CACHE_SIZE", 1000, 0, "automatic persisted queries kept; 0 turns them off"},
	}
	for _, i := range ints {
		fs.IntVar(i.p, i.flag, envInt(getenv, i.env, i.def), fmt.Sprintf("%s (%s)", i.usage, i.env))
	}
	introspection := fs.String("introspection", env("COMPANYGRAPH_INTROSPECTION", "true"), "answer introspection, serve /schema.graphql and suggest field names in errors (COMPANYGRAPH_INTROSPECTION)")
	fs.StringVar(&h.PersistedQueries, "persisted-queries", env("COMPANYGRAPH_PERSISTED_QUERIES", ""), `JSON file of {"sha256-of-query": "query"}; when set, only those operations run (COMPANYGRAPH_PERSISTED_QUERIES)`)
	return func() error {
		for _, i := range ints {
			if *i.p < i.min {
				return fmt.Errorf("%s must be at least %d, got %d", i.flag, i.min, *i.p)
			}
		}
		var err error
		h.Introspection, err = parseBool("introspection", *introspection)
		return err
	}
}

// String shows the hardening settings, for the start-up log.
func (h Hardening) String() string {
	return fmt.Sprintf("max-depth=%d max-complexity=%d max-aliases=%d max-root-fields=%d max-fields=%d max-tokens=%d max-operations=%d max-body-bytes=%d max-variables-bytes=%d introspection=%t apq-cache-size=%d persisted-queries=%q",
		h.MaxDepth, h.MaxComplexity, h.MaxAliases, h.MaxRootFields, h.MaxFields, h.MaxTokens, h.MaxOperations, h.MaxBodyBytes, h.MaxVariablesBytes,
		h.Introspection, h.APQCacheSize, h.PersistedQueries)
}
