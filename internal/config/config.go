// Package config reads the API's configuration once, at start-up, from
// flags and environment variables (a flag wins over its variable), and
// checks it before anything starts.
package config

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is everything the API can be told.
type Config struct {
	Addr          string
	Neo4jURI      string
	Neo4jUser     string
	Neo4jPassword string
	Neo4jDatabase string
	// Neo4jRetryTime bounds the driver's retries, so requests fail fast
	// with DATABASE_UNAVAILABLE while Neo4j is down instead of hanging.
	Neo4jRetryTime time.Duration
	QueryTimeout   time.Duration
	// MaxPageSize bounds limit, first and last, and is the limit of a list
	// that gives none.
	MaxPageSize int
	// MaxFilterDepth bounds the nesting of where filters.
	MaxFilterDepth int
	CORSOrigins    []string
	// Auth: API keys as name:role:sha256hex, JWT verification keys, and
	// whether queries need a token too (mutations always do).
	APIKeys       string
	JWTSecret     string
	JWTPublicKey  string // path of a PEM file
	JWTIssuer     string
	JWTAudience   string
	ReadsNeedAuth bool
	MaxBatch      int
	// ExtractorURL is the extractor service (extractor/) that
	// ingestArticle reads articles with; empty, ingestArticle answers
	// EXTRACTOR_UNAVAILABLE. ExtractorTimeout bounds one call,
	// MaxArticleBytes an article's text and MaxArticles the articles of
	// one ingestArticles, which reads them one after the other.
	ExtractorURL     string
	ExtractorTimeout time.Duration
	MaxArticleBytes  int
	MaxArticles      int
	LoadSeed         bool
	// Starter is the pytickersymbols dump (tools/starter/dump.py) to load
	// at start-up as the starter graph; empty loads none.
	Starter    string
	Playground bool
	// Hardening: limits on requests, introspection, persisted queries (hardening.go).
	Hardening
	// Live: the change feed and subscriptions (live.go).
	Live
}

// Load parses args (without the program name) with getenv for defaults.
func Load(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("companygraph", flag.ContinueOnError)
	fs.SetOutput(usage)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var origins string
	var err error
	fs.StringVar(&c.Addr, "addr", env("COMPANYGRAPH_ADDR", "127.0.0.1:8080"), "listen address (COMPANYGRAPH_ADDR)")
	fs.StringVar(&c.Neo4jURI, "neo4j-uri", env("NEO4J_URI", "neo4j://127.0.0.1:7687"), "Neo4j URI (NEO4J_URI)")
	fs.StringVar(&c.Neo4jUser, "neo4j-username", env("NEO4J_USERNAME", "neo4j"), "Neo4j user (NEO4J_USERNAME)")
	fs.StringVar(&c.Neo4jPassword, "neo4j-password", env("NEO4J_PASSWORD", ""), "Neo4j password; empty for a server without auth (NEO4J_PASSWORD)")
	fs.StringVar(&c.Neo4jDatabase, "neo4j-database", env("NEO4J_DATABASE", "neo4j"), "Neo4j database (NEO4J_DATABASE)")
	fs.StringVar(&origins, "cors-origins", env("COMPANYGRAPH_CORS_ORIGINS", "*"), "comma-separated origins allowed by CORS, * for any (COMPANYGRAPH_CORS_ORIGINS)")
	retry := fs.String("neo4j-retry-time", env("NEO4J_RETRY_TIME", "2s"), "longest time the driver retries a transaction (NEO4J_RETRY_TIME)")
	timeout := fs.String("query-timeout", env("COMPANYGRAPH_QUERY_TIMEOUT", "10s"), "deadline for one GraphQL request's database work (COMPANYGRAPH_QUERY_TIMEOUT)")
	fs.IntVar(&c.MaxPageSize, "max-page-size", envInt(getenv, "COMPANYGRAPH_MAX_PAGE_SIZE", 100), "largest page a list, connection or search may ask for (COMPANYGRAPH_MAX_PAGE_SIZE)")
	fs.IntVar(&c.MaxFilterDepth, "max-filter-depth", envInt(getenv, "COMPANYGRAPH_MAX_FILTER_DEPTH", 6), "deepest nesting of where filters (COMPANYGRAPH_MAX_FILTER_DEPTH)")
	fs.StringVar(&c.APIKeys, "api-keys", env("COMPANYGRAPH_API_KEYS", ""), "API keys as name:role:sha256-of-key, comma-separated; roles reader, editor, admin (COMPANYGRAPH_API_KEYS)")
	fs.StringVar(&c.JWTSecret, "jwt-secret", env("COMPANYGRAPH_JWT_SECRET", ""), "secret verifying HS256 JWTs; empty refuses them (COMPANYGRAPH_JWT_SECRET)")
	fs.StringVar(&c.JWTPublicKey, "jwt-public-key", env("COMPANYGRAPH_JWT_PUBLIC_KEY", ""), "PEM file of the RSA key verifying RS256 JWTs (COMPANYGRAPH_JWT_PUBLIC_KEY)")
	fs.StringVar(&c.JWTIssuer, "jwt-issuer", env("COMPANYGRAPH_JWT_ISSUER", ""), "required iss claim, if set (COMPANYGRAPH_JWT_ISSUER)")
	fs.StringVar(&c.JWTAudience, "jwt-audience", env("COMPANYGRAPH_JWT_AUDIENCE", ""), "required aud claim, if set (COMPANYGRAPH_JWT_AUDIENCE)")
	fs.IntVar(&c.MaxBatch, "max-batch", envInt(getenv, "COMPANYGRAPH_MAX_BATCH", 1000), "most items of one create, matches of one update or delete, facts of one ingest (COMPANYGRAPH_MAX_BATCH)")
	fs.StringVar(&c.ExtractorURL, "extractor-url", env("COMPANYGRAPH_EXTRACTOR_URL", ""), "extractor service that ingestArticle reads articles with, e.g. http://127.0.0.1:8090; empty turns ingestArticle off (COMPANYGRAPH_EXTRACTOR_URL)")
	extractorTimeout := fs.String("extractor-timeout", env("COMPANYGRAPH_EXTRACTOR_TIMEOUT", "30s"), "deadline of one call to the extractor (COMPANYGRAPH_EXTRACTOR_TIMEOUT)")
	fs.IntVar(&c.MaxArticleBytes, "max-article-bytes", envInt(getenv, "COMPANYGRAPH_MAX_ARTICLE_BYTES", 200_000), "longest article text ingestArticle reads, in bytes (COMPANYGRAPH_MAX_ARTICLE_BYTES)")
	fs.IntVar(&c.MaxArticles, "max-articles", envInt(getenv, "COMPANYGRAPH_MAX_ARTICLES", 10), "most articles of one ingestArticles (COMPANYGRAPH_MAX_ARTICLES)")
	readsAuth := fs.String("reads-need-auth", env("COMPANYGRAPH_READS_NEED_AUTH", "false"), "queries need a token too (COMPANYGRAPH_READS_NEED_AUTH)")
	seed := fs.String("load-seed", env("COMPANYGRAPH_LOAD_SEED", "true"), "load the seed graph at start-up (COMPANYGRAPH_LOAD_SEED)")
	fs.StringVar(&c.Starter, "starter", env("COMPANYGRAPH_STARTER", ""), "JSON file of tools/starter/dump.py to load at start-up as the starter graph; empty for none (COMPANYGRAPH_STARTER)")
	playground := fs.String("playground", env("COMPANYGRAPH_PLAYGROUND", "true"), "serve GraphiQL at / (COMPANYGRAPH_PLAYGROUND)")
	checkHardening := hardeningFlags(fs, getenv, env, &c.Hardening)
	checkLive := liveFlags(fs, getenv, env, &c.Live)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := checkHardening(); err != nil {
		return c, err
	}
	if err := checkLive(); err != nil {
		return c, err
	}
	if c.Neo4jRetryTime, err = time.ParseDuration(*retry); err != nil || c.Neo4jRetryTime < 0 {
		return c, fmt.Errorf("neo4j-retry-time %q: want a duration such as 2s", *retry)
	}
	if c.QueryTimeout, err = time.ParseDuration(*timeout); err != nil || c.QueryTimeout <= 0 {
		return c, fmt.Errorf("query-timeout %q: want a positive duration such as 10s", *timeout)
	}
	if c.MaxPageSize < 1 || c.MaxFilterDepth < 1 {
		return c, fmt.Errorf("max-page-size and max-filter-depth must be positive")
	}
	if c.MaxBatch < 1 {
		return c, fmt.Errorf("max-batch must be positive")
	}
	if c.ExtractorTimeout, err = time.ParseDuration(*extractorTimeout); err != nil || c.ExtractorTimeout <= 0 {
		return c, fmt.Errorf("extractor-timeout %q: want a positive duration such as 30s", *extractorTimeout)
	}
	if c.MaxArticleBytes < 1 {
		return c, fmt.Errorf("max-article-bytes must be positive")
	}
	if c.MaxArticles < 1 {
		return c, fmt.Errorf("max-articles must be positive")
	}
	if c.ExtractorURL != "" {
		if u, err := url.Parse(c.ExtractorURL); err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
			return c, fmt.Errorf("extractor-url %q: want a URL such as http://127.0.0.1:8090", c.ExtractorURL)
		}
	}
	if c.ReadsNeedAuth, err = parseBool("reads-need-auth", *readsAuth); err != nil {
		return c, err
	}
	if c.LoadSeed, err = parseBool("load-seed", *seed); err != nil {
		return c, err
	}
	if c.Playground, err = parseBool("playground", *playground); err != nil {
		return c, err
	}
	for _, o := range strings.Split(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	u, err := url.Parse(c.Neo4jURI)
	if err != nil || u.Host == "" {
		return c, fmt.Errorf("neo4j-uri %q: want a URI such as neo4j://127.0.0.1:7687", c.Neo4jURI)
	}
	switch u.Scheme {
	case "neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc":
	default:
		return c, fmt.Errorf("neo4j-uri %q: scheme must be neo4j or bolt", c.Neo4jURI)
	}
	return c, nil
}

// envInt reads an integer variable; a malformed one becomes -1, which
// Load then refuses.
func envInt(getenv func(string) string, name string, def int) int {
	v := getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

func parseBool(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("%s %q: want true or false", name, v)
}

// String shows the configuration with the password masked, for the log.
func (c Config) String() string {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "****"
	}
	pw := mask(c.Neo4jPassword)
	keys := 0
	for _, k := range strings.Split(c.APIKeys, ",") {
		if strings.TrimSpace(k) != "" {
			keys++
		}
	}
	return fmt.Sprintf("addr=%s neo4j=%s user=%s password=%s database=%s retry=%s timeout=%s max-page-size=%d max-filter-depth=%d max-batch=%d extractor=%q max-article-bytes=%d max-articles=%d cors=%v api-keys=%d jwt-secret=%s jwt-public-key=%s reads-need-auth=%t seed=%t starter=%q playground=%t",
		c.Addr, c.Neo4jURI, c.Neo4jUser, pw, c.Neo4jDatabase, c.Neo4jRetryTime, c.QueryTimeout, c.MaxPageSize, c.MaxFilterDepth, c.MaxBatch, c.ExtractorURL, c.MaxArticleBytes, c.MaxArticles,
		c.CORSOrigins, keys, mask(c.JWTSecret), c.JWTPublicKey, c.ReadsNeedAuth, c.LoadSeed, c.Starter, c.Playground) + " " + c.Hardening.String() + " " + c.Live.String()
}
