package app

import (
	"github.com/companygraph/companygraph/internal/config"
	"github.com/companygraph/companygraph/internal/server"
)

// hardeningOf is the HTTP layer's defence as the configuration sets it.
func hardeningOf(cfg config.Config) (server.Hardening, error) {
	h := server.Hardening{
		Limits: server.Limits{
			MaxDepth:          cfg.MaxDepth,
			MaxComplexity:     cfg.MaxComplexity,
			MaxAliases:        cfg.MaxAliases,
			MaxRootFields:     cfg.MaxRootFields,
			MaxFields:         cfg.MaxFields,
			MaxTokens:         cfg.MaxTokens,
			MaxOperations:     cfg.MaxOperations,
			MaxBodyBytes:      int64(cfg.MaxBodyBytes),
			MaxVariablesBytes: int64(cfg.MaxVariablesBytes),
			PageSize:          cfg.MaxPageSize,
		},
		Introspection: cfg.Introspection,
		APQCacheSize:  cfg.APQCacheSize,
	}
	if cfg.PersistedQueries != "" {
		allow, err := server.ReadPersistedQueries(cfg.PersistedQueries)
		if err != nil {
			return h, err
		}
		h.PersistedQueries = allow
	}
	return h, nil
}
