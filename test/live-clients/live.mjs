// Follows Subscription.changes with the npm clients that frontends use:
// graphql-ws (graphql-transport-ws over WebSocket) or graphql-sse (Server-
// Sent Events, distinct connections mode). Run by internal/app's
// TestSubscriptionsWithTheNpmClients:
//
//   node live.mjs ws|sse <http url of /graphql> <token or -> <events> <variables as JSON>
//
// prints each of the first <events> changes as a JSON line, then exits 0;
// a refused connection prints {"refused": <close code or HTTP status>}.
import { createClient as createWSClient } from 'graphql-ws';
import { createClient as createSSEClient, NetworkError } from 'graphql-sse';
import WebSocket from 'ws';

const [transport, url, token, events, variables] = process.argv.slice(2);
const auth = token === '-' ? undefined : `Bearer ${token}`;
const query = `subscription($ids: [ID!], $after: String) {
  changes(ids: $ids, after: $after) { cursor op type id node { id name } }
}`;
const want = Number(events);

function print(v) {
  process.stdout.write(JSON.stringify(v) + '\n');
}

async function follow(iterator) {
  let n = 0;
  for await (const result of iterator) {
    if (result.errors) {
      print({ errors: result.errors });
      process.exit(1);
    }
    print(result.data.changes);
    if (++n === want) {
      return;
    }
  }
}

async function overWebSocket() {
  let refused;
  const client = createWSClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: auth ? { Authorization: auth } : {},
    retryAttempts: 0,
    on: { closed: (event) => { if (event.code >= 4000) refused = event.code; } },
  });
  try {
    await follow(client.iterate({ query, variables: JSON.parse(variables) }));
  } catch (err) {
    if (refused === undefined) throw err;
    print({ refused });
  } finally {
    await client.dispose();
  }
}

async function overSSE() {
  const client = createSSEClient({
    url,
    headers: auth ? { Authorization: auth } : {},
    retryAttempts: 0,
  });
  try {
    await follow(client.iterate({ query, variables: JSON.parse(variables) }));
  } catch (err) {
    if (!(err instanceof NetworkError) || !err.response) throw err;
    print({ refused: err.response.status });
  } finally {
    client.dispose();
  }
}

await (transport === 'ws' ? overWebSocket() : overSSE());
process.exit(0);
