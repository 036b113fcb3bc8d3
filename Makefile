# companygraph's verbs. `make run` and `make test` are all a fresh machine
# needs (Go, Java 17 and Maven; Neo4j comes from Maven Central).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO    ?= go
NEO4J := tools/neo4j/neo4j.sh
BIN   := bin/companygraph

# `make run`: a Neo4j that keeps its data in .data/neo4j between runs.
RUN_DIR        ?= .data/neo4j
RUN_BOLT_PORT  ?= 7687
RUN_PASSWORD   ?= companygraph
ADDR           ?= 127.0.0.1:8080

# `make test`: a throwaway Neo4j on a free port, in a directory of its own
# so that two runs never share one.
TEST_PASSWORD := companygraph-test

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: deps
deps: ## check the toolchain, install what is missing, fetch Go modules, build the Neo4j launcher
	@command -v $(GO) >/dev/null || { echo "Go is required: https://go.dev/doc/install" >&2; exit 1; }
	@if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Java 17 and Maven with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null; \
	  else \
	    echo "Java 17 and Maven are required (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless maven)" >&2; exit 1; \
	  fi; \
	fi
	@$(GO) mod download
	@$(NEO4J) build

# GraphiQL, built from web/ by npm and embedded into the binary (see
# internal/server/graphiql.go); neither node_modules nor the build is committed.
WEB_BUILD := internal/server/graphiql/index.html

.PHONY: web
web: $(WEB_BUILD) ## build GraphiQL from web/ into internal/server/graphiql, for the binary to embed

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@command -v npm >/dev/null && node -e 'if (parseInt(process.versions.node) < 20) process.exit(1)' || \
	  { echo "Node.js 20 or later and npm are required to build GraphiQL: https://nodejs.org/" >&2; exit 1; }
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(WEB_BUILD): web/node_modules/.package-lock.json web/build.mjs $(wildcard web/src/*)
	cd web && npm run --silent build

.PHONY: chromium
chromium: ## install Debian's chromium, which the GraphiQL browser test drives, if it is missing
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is required for the browser test (Debian: apt-get install chromium)" >&2; exit 1; \
	  fi; \
	fi

# The notebook's Python environment: notebooks/.venv with the pinned
# packages of notebooks/requirements.txt, made again only when that file
# changes. The notebook test runs the notebook with it.
PYTHON       ?= python3
NOTEBOOK_ENV := notebooks/.venv

.PHONY: notebook-env
notebook-env: $(NOTEBOOK_ENV)/.installed ## install the notebook's pinned Python packages into notebooks/.venv

$(NOTEBOOK_ENV)/.installed: notebooks/requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  { echo "Python 3.11 or later is required for the notebook ($(PYTHON); set PYTHON=...)" >&2; exit 1; }
	@echo "installing notebooks/requirements.txt into $(NOTEBOOK_ENV)"
	rm -rf $(NOTEBOOK_ENV)
	$(PYTHON) -m venv $(NOTEBOOK_ENV)
	$(NOTEBOOK_ENV)/bin/pip install --quiet --disable-pip-version-check --no-input -r notebooks/requirements.txt
	@touch $@

# The GraphQL-over-HTTP audit suite: the graphql-http package, pinned in
# test/graphql-http/package-lock.json, installed again only when the lock
# changes. internal/app's TestGraphQLOverHTTPAudit runs it against the API.
AUDIT_NPM := test/graphql-http/node_modules/.package-lock.json

.PHONY: audit-suite
audit-suite: $(AUDIT_NPM) ## install the GraphQL-over-HTTP audit suite (npm) into test/graphql-http

$(AUDIT_NPM): test/graphql-http/package.json test/graphql-http/package-lock.json
	@command -v npm >/dev/null && node -e 'if (parseInt(process.versions.node) < 20) process.exit(1)' || \
	  { echo "Node.js 20 or later and npm are required for the GraphQL-over-HTTP audit: https://nodejs.org/" >&2; exit 1; }
	cd test/graphql-http && npm ci --no-audit --no-fund
	@touch $@

# Each fuzz target runs this long in `make test`; `make fuzz` runs longer.
FUZZ_SHORT ?= 10s

.PHONY: build
build: web ## build the API, with GraphiQL, into bin/
	$(GO) build -o $(BIN) ./cmd/companygraph

.PHONY: run
run: deps build ## start Neo4j (kept in .data/), load the seed, serve the API and GraphiQL on $(ADDR)
	@export NEO4J_DIR=$(RUN_DIR) NEO4J_BOLT_PORT=$(RUN_BOLT_PORT) NEO4J_PASSWORD=$(RUN_PASSWORD); \
	started=0; \
	if $(NEO4J) status >/dev/null 2>&1; then \
	  echo "using the Neo4j already running in $(RUN_DIR)"; \
	else \
	  $(NEO4J) start >/dev/null; started=1; \
	fi; \
	trap 'if [ $$started = 1 ]; then $(NEO4J) stop; fi' EXIT; \
	echo "GraphiQL: http://$(ADDR)/   GraphQL: http://$(ADDR)/graphql   (Ctrl-C stops the API and Neo4j)"; \
	NEO4J_URI=bolt://127.0.0.1:$(RUN_BOLT_PORT) NEO4J_USERNAME=neo4j NEO4J_PASSWORD=$(RUN_PASSWORD) \
	  COMPANYGRAPH_ADDR=$(ADDR) $(BIN) || [ $$? = 130 ]

.PHONY: neo4j-start neo4j-stop
neo4j-start: deps ## start only the `make run` Neo4j, in the background
	@NEO4J_DIR=$(RUN_DIR) NEO4J_BOLT_PORT=$(RUN_BOLT_PORT) NEO4J_PASSWORD=$(RUN_PASSWORD) $(NEO4J) start
neo4j-stop: ## stop the `make run` Neo4j
	@NEO4J_DIR=$(RUN_DIR) $(NEO4J) stop

.PHONY: test
test: deps web chromium notebook-env audit-suite check-generated lint ## run every test (unit, integration, browser) against a throwaway Neo4j
	@mkdir -p .test; dir=$$(mktemp -d .test/neo4j.XXXXXX); \
	export NEO4J_DIR=$$dir NEO4J_BOLT_PORT=0 NEO4J_PASSWORD=$(TEST_PASSWORD); \
	trap '$(NEO4J) stop; rm -rf "$$dir"' EXIT; \
	uri=$$($(NEO4J) start); \
	echo "test Neo4j at $$uri"; \
	COMPANYGRAPH_TEST_NEO4J_URI=$$uri COMPANYGRAPH_TEST_NEO4J_PASSWORD=$(TEST_PASSWORD) COMPANYGRAPH_TEST_REQUIRE_NEO4J=1 COMPANYGRAPH_TEST_REQUIRE_BROWSER=1 COMPANYGRAPH_TEST_REQUIRE_AUDIT=1 \
	  $(GO) test -count=1 -timeout 15m ./...; \
	echo "fuzzing the HTTP handler and the query compiler, $(FUZZ_SHORT) each"; \
	$(GO) test -run '^$$' -fuzz '^FuzzHandler$$' -fuzztime $(FUZZ_SHORT) ./internal/server; \
	$(GO) test -run '^$$' -fuzz '^FuzzCompile$$' -fuzztime $(FUZZ_SHORT) ./internal/query

.PHONY: generate
generate: ## regenerate the gqlgen code from graph/*.graphqls
	$(GO) generate ./...

.PHONY: check-generated
check-generated: ## fail if the generated code is not what the schema gives
	@sum() { cat graph/schema.graphqls graph/*_gen.go graph/generated/*.go graph/model/*.go graph/*.resolvers.go | sha256sum; }; \
	before=$$(sum); $(GO) generate ./...; \
	[ "$$(sum)" = "$$before" ] || { echo "generated code was stale; 'go generate' has rewritten it: review and commit" >&2; exit 1; }

.PHONY: lint
lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out" >&2; exit 1; fi
	$(GO) vet ./...

.PHONY: clean
clean: ## stop the `make run` Neo4j and remove build output and its data
	-@NEO4J_DIR=$(RUN_DIR) $(NEO4J) stop
	rm -rf bin .data .test tools/neo4j/target web/node_modules internal/server/graphiql/index.html internal/server/graphiql/assets

# `make bench SIZE=S|M|L`: companygraph against raw Cypher and @neo4j/graphql
# (bench/neo4j-graphql) on a throwaway Neo4j holding a generated graph of
# that size; prints the table and writes it into BENCHMARKS.md (cmd/bench).
# LOAD_ONLY=1 stops after loading the graph (for L); BENCH_FLAGS passes more
# flags to cmd/bench, e.g. BENCH_FLAGS='-duration 30s -concurrency 1,8,32'.
SIZE           ?= S
LOAD_ONLY      ?=
BENCH_FLAGS    ?=
BENCH_HEAP     ?= 4g
BENCH_PASSWORD := companygraph-bench
BENCH_NPM      := bench/neo4j-graphql/node_modules/.package-lock.json

$(BENCH_NPM): bench/neo4j-graphql/package.json bench/neo4j-graphql/package-lock.json
	@command -v npm >/dev/null && node -e 'if (parseInt(process.versions.node) < 20) process.exit(1)' || \
	  { echo "Node.js 20 or later and npm are required for make bench: https://nodejs.org/" >&2; exit 1; }
	cd bench/neo4j-graphql && npm ci --no-audit --no-fund
	@touch $@

.PHONY: bench
bench: deps $(BENCH_NPM) ## benchmark against raw Cypher and @neo4j/graphql (SIZE=S|M|L, LOAD_ONLY=1), into BENCHMARKS.md
	@mkdir -p .test; dir=$$(mktemp -d .test/bench.XXXXXX); ok=0; \
	export NEO4J_DIR=$$dir/neo4j NEO4J_BOLT_PORT=0 NEO4J_PASSWORD=$(BENCH_PASSWORD) NEO4J_HEAP=$(BENCH_HEAP) NEO4J_START_TIMEOUT=300; \
	trap '$(NEO4J) stop; if [ $$ok = 1 ]; then rm -rf "$$dir"; else echo "logs kept in $$dir" >&2; fi' EXIT; \
	echo "building the API and the benchmark into $$dir"; \
	$(GO) build -o $$dir/companygraph ./cmd/companygraph; \
	$(GO) build -o $$dir/bench ./cmd/bench; \
	uri=$$($(NEO4J) start); \
	echo "bench Neo4j at $$uri (heap $(BENCH_HEAP))"; \
	$$dir/bench -size $(SIZE) -neo4j-uri $$uri -neo4j-password $(BENCH_PASSWORD) -neo4j-pid-file $$NEO4J_DIR/neo4j.pid \
	  -companygraph $$dir/companygraph -neo4j-graphql bench/neo4j-graphql -work-dir $$dir $(if $(LOAD_ONLY),-load-only) $(BENCH_FLAGS); \
	ok=1

# `make fuzz FUZZTIME=1h`: the fuzz targets for longer than make test's
# seconds; a crasher is written under the package's testdata/fuzz/, to be
# committed with its fix.
FUZZTIME ?= 10m

.PHONY: fuzz
fuzz: ## fuzz the HTTP handler and the query compiler, FUZZTIME each (default 10m)
	$(GO) test -run '^$$' -fuzz '^FuzzHandler$$' -fuzztime $(FUZZTIME) ./internal/server
	$(GO) test -run '^$$' -fuzz '^FuzzCompile$$' -fuzztime $(FUZZTIME) ./internal/query

# `make soak`: 64 clients for SOAK_DURATION of the mixed workload (the
# benchmark's operations, questions about the seed and idempotent writes)
# against the seed plus a generated graph, on a throwaway Neo4j; fails on
# any error or on the API's memory growing (cmd/soak). Not part of make
# test. SOAK_FLAGS passes more flags, e.g. SOAK_FLAGS='-clients 16'.
SOAK_DURATION  ?= 10m
SOAK_FLAGS     ?=
SOAK_PASSWORD  := companygraph-soak

.PHONY: soak
soak: deps ## soak: 64 clients for SOAK_DURATION (10m) of mixed load on seed + generated graph; zero errors, flat memory
	@mkdir -p .test; dir=$$(mktemp -d .test/soak.XXXXXX); ok=0; \
	export NEO4J_DIR=$$dir/neo4j NEO4J_BOLT_PORT=0 NEO4J_PASSWORD=$(SOAK_PASSWORD); \
	trap '$(NEO4J) stop; if [ $$ok = 1 ]; then rm -rf "$$dir"; else echo "logs kept in $$dir" >&2; fi' EXIT; \
	echo "building the API and the soak into $$dir"; \
	$(GO) build -o $$dir/companygraph ./cmd/companygraph; \
	$(GO) build -o $$dir/soak ./cmd/soak; \
	uri=$$($(NEO4J) start); \
	echo "soak Neo4j at $$uri"; \
	$$dir/soak -neo4j-uri $$uri -neo4j-password $(SOAK_PASSWORD) -companygraph $$dir/companygraph -work-dir $$dir \
	  -duration $(SOAK_DURATION) $(SOAK_FLAGS); \
	ok=1

# `make difftest N=20000`: TestDifferential alone, N generated operations
# (default 2000) answered by the API and by the in-memory reference of
# internal/difftest, on a throwaway Neo4j holding the generated graph and
# the seed. SEED picks the operations; a mismatching case is written,
# shrunk, to internal/difftest/testdata/regressions/.
N             ?= 2000
SEED          ?= 1
DIFFTEST_PASSWORD := companygraph-difftest

.PHONY: difftest
difftest: deps ## differential test of the query compiler: N (2000) random operations against a reference executor
	@mkdir -p .test; dir=$$(mktemp -d .test/difftest.XXXXXX); \
	export NEO4J_DIR=$$dir NEO4J_BOLT_PORT=0 NEO4J_PASSWORD=$(DIFFTEST_PASSWORD); \
	trap '$(NEO4J) stop; rm -rf "$$dir"' EXIT; \
	uri=$$($(NEO4J) start); \
	echo "difftest Neo4j at $$uri; $(N) cases from seed $(SEED)"; \
	COMPANYGRAPH_DIFFTEST_NEO4J_URI=$$uri COMPANYGRAPH_DIFFTEST_NEO4J_PASSWORD=$(DIFFTEST_PASSWORD) \
	COMPANYGRAPH_DIFFTEST_N=$(N) COMPANYGRAPH_DIFFTEST_SEED=$(SEED) \
	  $(GO) test -count=1 -timeout 0 -run '^TestDifferential$$' -v ./internal/difftest
