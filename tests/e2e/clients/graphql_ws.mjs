// The reference graphql-ws client against a stakenet server: a query, a subscription, and the
// mutation it hears, all over one graphql-transport-ws socket.
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { CREATE_PERSON, GRAPH_CHANGED, SEARCH, firstEvent, report, sleep } from "./common.mjs";

report(async (baseUrl) => {
  const client = createClient({ url: baseUrl.replace(/^http/, "ws") + "/graphql", webSocketImpl: WebSocket });
  const once = (request) => {
    const results = client.iterate(request);
    return results.next().then(async ({ value }) => {
      await results.return?.();
      return value;
    });
  };
  const found = await once({ query: SEARCH, variables: { search: "morch" } });

  const events = [];
  const heard = firstEvent(
    (observer) => client.subscribe({ query: GRAPH_CHANGED }, { ...observer, complete: () => {} }),
    ({ data }) => {
      events.push(data.graphChanged);
      return true;
    },
  );
  await sleep(500); // the server registers the subscriber as it starts the operation
  const created = await once({
    query: CREATE_PERSON,
    variables: { input: { name: "Socket Klient", key: "client-graphql-ws" } },
  });
  await heard;
  await client.dispose();
  return {
    names: found.data.stakeholders.edges.map((edge) => edge.node.name),
    titles: found.data.stakeholders.edges.map((edge) => edge.node.title),
    created: created.data.createPerson,
    event: events[0],
  };
});
