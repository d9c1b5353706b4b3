// Run the GraphQL-over-HTTP server audits of the `graphql-http` package against a live server.
//
//   node tests/support/graphql_http_audit.mjs http://127.0.0.1:PORT/graphql
//
// Prints one JSON array on stdout: {id, name, status, reason} per audit, where status is "ok",
// or "error" (a failed MUST), "warn" (a failed SHOULD) or "notice" (a failed MAY).
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node graphql_http_audit.mjs URL');
  process.exit(2);
}

const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === 'ok' ? null : result.reason,
  });
}
process.stdout.write(JSON.stringify(results) + '\n');
