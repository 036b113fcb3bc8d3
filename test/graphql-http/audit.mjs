// Runs the GraphQL-over-HTTP server audits of the graphql-http package
// against the URL given as the only argument and prints one JSON line per
// audit: {id, name, status, reason}. The Go test reads them and decides;
// this script only fails on a fatal error of the audit itself.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
for (const audit of serverAudits({ url })) {
  const r = await audit.fn();
  const out = { id: r.id, name: r.name, status: r.status };
  if (r.status !== 'ok') {
    out.reason = r.reason;
    // Which status and body the server gave, for the failure message.
    out.responseStatus = r.response.status;
    try {
      out.responseBody = (await r.response.text()).slice(0, 300);
    } catch {
      out.responseBody = '';
    }
  }
  console.log(JSON.stringify(out));
}
