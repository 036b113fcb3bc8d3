#!/usr/bin/env bash
# Runs a NATS server with JetStream and REPLICAS API processes that share
# their changes through it, until Ctrl-C (or SIGTERM), then stops them all:
# the APIs first, each gracefully, then the broker. `make run REPLICAS=3`
# calls it once Neo4j is up; the Neo4j settings come from the environment.
#
# Environment: BIN (the API binary), NATS_SERVER (the nats-server binary),
# NATS_DIR (JetStream's storage), NATS_PORT, REPLICAS, ADDR (the first
# replica's address; the others take the next ports).
set -euo pipefail

: "${BIN:?}" "${NATS_SERVER:?}" "${NATS_DIR:?}" "${NATS_PORT:?}" "${REPLICAS:?}" "${ADDR:?}"
host=${ADDR%:*}
port=${ADDR##*:}

apis=()
nats=
stop() {
  trap - EXIT INT TERM
  # Children started in the background of a script ignore Ctrl-C's
  # SIGINT, so they are told with SIGTERM, which the API takes as a
  # graceful stop (subscriptions are told to resume elsewhere).
  if [ ${#apis[@]} -gt 0 ]; then
    kill -TERM "${apis[@]}" 2>/dev/null || true
    wait "${apis[@]}" 2>/dev/null || true
  fi
  if [ -n "$nats" ]; then
    kill -TERM "$nats" 2>/dev/null || true
    wait "$nats" 2>/dev/null || true
  fi
}
trap stop EXIT
trap 'exit 130' INT TERM

# await TRIES PAUSE CMD...: runs CMD until it succeeds, at most TRIES
# times, PAUSE seconds apart.
await() {
  local tries=$1 pause=$2
  shift 2
  until "$@" 2>/dev/null; do
    tries=$((tries - 1))
    if [ $tries -le 0 ]; then return 1; fi
    sleep "$pause"
  done
}

mkdir -p "$NATS_DIR"
# Its log goes to a file, leaving the terminal to the APIs' logs.
"$NATS_SERVER" --jetstream --store_dir "$NATS_DIR" --addr 127.0.0.1 --port "$NATS_PORT" --server_name companygraph \
  --log "$NATS_DIR/nats-server.log" &
nats=$!
await 100 0.1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$NATS_PORT" ||
  { echo "nats-server did not listen on 127.0.0.1:$NATS_PORT within 10s (see $NATS_DIR/nats-server.log)" >&2; exit 1; }
echo "NATS with JetStream on nats://127.0.0.1:$NATS_PORT, storage and log in $NATS_DIR"

export COMPANYGRAPH_NATS_URL=nats://127.0.0.1:$NATS_PORT
for ((i = 0; i < REPLICAS; i++)); do
  addr=$host:$((port + i))
  COMPANYGRAPH_ADDR=$addr "$BIN" &
  apis+=($!)
  if [ "$i" = 0 ]; then
    # The first replica creates the schema and loads the seed; the others
    # start once it has, instead of racing it to the same nodes.
    await 240 0.5 curl -fsS -o /dev/null "http://$addr/readyz" ||
      { echo "the first replica was not ready within 120s" >&2; exit 1; }
  fi
  echo "replica $((i + 1)): GraphiQL http://$addr/   GraphQL http://$addr/graphql"
done
echo "(Ctrl-C stops the $REPLICAS replicas, NATS and Neo4j)"
# Any process ending ends them all: a replica that dies is a fault to see.
set +e
wait -n "${apis[@]}" "$nats"
echo "a process ended; stopping the others" >&2
exit 1
