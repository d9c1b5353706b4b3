// urql against a stakenet server: its persisted exchange (hashed queries over GET, resent with
// the query on `PersistedQueryNotFound`), a mutation, and a subscription through graphql-ws.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "@urql/core";
import { persistedExchange } from "@urql/exchange-persisted";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { CREATE_PERSON, GRAPH_CHANGED, SEARCH, firstEvent, recordingFetch, report, sleep } from "./common.mjs";

report(async (baseUrl) => {
  const exchanges = [];
  const sockets = createClient({ url: baseUrl.replace(/^http/, "ws") + "/graphql", webSocketImpl: WebSocket });
  const client = new Client({
    url: baseUrl + "/graphql",
    fetch: recordingFetch(exchanges),
    requestPolicy: "network-only",
    exchanges: [
      cacheExchange,
      persistedExchange({ preferGetForPersistedQueries: true }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const operation = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              return { unsubscribe: sockets.subscribe(operation, sink) };
            },
          };
        },
      }),
    ],
  });

  const names = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const { data, error } = await client.query(SEARCH, { search: "morch" }).toPromise();
    if (error) throw error;
    names.push(data.stakeholders.edges.map((edge) => edge.node.name));
  }
  const searchExchanges = exchanges.splice(0);

  const events = [];
  const heard = firstEvent(
    (observer) => client.subscription(GRAPH_CHANGED).subscribe((result) => observer.next(result)).unsubscribe,
    ({ data }) => {
      events.push(data.graphChanged);
      return true;
    },
  );
  await sleep(500); // the server registers the subscriber as it starts the operation
  const created = await client
    .mutation(CREATE_PERSON, { input: { name: "Urql Klient", key: "client-urql" } })
    .toPromise();
  if (created.error) throw created.error;
  await heard;
  await sockets.dispose();
  return {
    names,
    exchanges: searchExchanges,
    created: created.data.createPerson,
    event: events[0],
  };
});
