// Apollo Client against a stakenet server: persisted queries over POST and over GET (the GET with
// `Accept: */*`, as clients that leave the header at its default send it), the cache with
// `possibleTypes` from the committed SDL and `relayStylePagination`, a mutation, a subscription.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { relayStylePagination } from "@apollo/client/utilities";
import { Kind, OperationTypeNode } from "graphql";
import { createClient } from "graphql-ws";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import {
  CREATE_PERSON, GRAPH_CHANGED, PEOPLE, firstEvent, possibleTypesFrom, recordingFetch, report,
  sha256, sleep,
} from "./common.mjs";

const SDL = fileURLToPath(new URL("../../../graph_schema/schema.graphql", import.meta.url));

// One search per method, named apart so each starts with a hash the server has not seen.
const search = (name) => gql`query ${name}($search: String!) {
  stakeholders(search: $search, first: 5) { totalCount edges { node { id name } } }
}`;

function connect(baseUrl, { useGET, exchanges }) {
  const sockets = createClient({ url: baseUrl.replace(/^http/, "ws") + "/graphql", webSocketImpl: WebSocket });
  const http = new PersistedQueryLink({ sha256, useGETForHashedQueries: useGET }).concat(
    new HttpLink({
      uri: baseUrl + "/graphql",
      fetch: recordingFetch(exchanges),
      headers: useGET ? { accept: "*/*" } : {},
    }),
  );
  const isSubscription = ({ query }) =>
    query.definitions.some(
      (definition) =>
        definition.kind === Kind.OPERATION_DEFINITION &&
        definition.operation === OperationTypeNode.SUBSCRIPTION,
    );
  const cache = new InMemoryCache({
    possibleTypes: possibleTypesFrom(SDL),
    // Every connection field, keyed by its arguments other than `first` and `after`.
    typePolicies: {
      Query: {
        fields: {
          stakeholders: relayStylePagination(["kind", "search", "tags", "internal", "updatedSince", "orderBy"]),
          auditLog: relayStylePagination([]),
        },
      },
      Stakeholder: {
        fields: {
          ties: relayStylePagination(["kinds", "direction"]),
          interactions: relayStylePagination(["since"]),
        },
      },
      Employer: { fields: { people: relayStylePagination([]) } },
    },
  });
  const client = new ApolloClient({
    link: ApolloLink.split(isSubscription, new GraphQLWsLink(sockets), http),
    cache,
  });
  return { client, cache, sockets };
}

async function persistedSearch(baseUrl, useGET) {
  const exchanges = [];
  const { client, sockets } = connect(baseUrl, { useGET, exchanges });
  const query = search(useGET ? "SearchOverGET" : "SearchOverPOST");
  const names = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const { data } = await client.query({ query, variables: { search: "morch" }, fetchPolicy: "network-only" });
    names.push(data.stakeholders.edges.map((edge) => edge.node.name));
  }
  await sockets.dispose();
  return { names, exchanges };
}

async function cacheMutationAndSubscription(baseUrl) {
  const exchanges = [];
  const { client, cache, sockets } = connect(baseUrl, { useGET: false, exchanges });
  const people = gql(PEOPLE);
  const first = await client.query({ query: people });
  await client.query({
    query: people,
    variables: { after: first.data.stakeholders.pageInfo.endCursor },
    fetchPolicy: "network-only",
  });
  // relayStylePagination merges both pages under one cache entry.
  const merged = client.readQuery({ query: people });
  const peter = (await client.query({ query: search("FindPeter"), variables: { search: "morch" } })).data
    .stakeholders.edges[0].node;
  // A fragment on the interface matches the Person in the cache only through possibleTypes.
  const stakeholderFragment = gql`fragment Named on Stakeholder { name }`;
  const viaInterface = cache.readFragment({ id: cache.identify({ __typename: "Person", id: peter.id }), fragment: stakeholderFragment });

  const events = [];
  const heard = firstEvent(
    (observer) => {
      const subscription = client.subscribe({ query: gql(GRAPH_CHANGED) }).subscribe(observer);
      return () => subscription.unsubscribe();
    },
    ({ data }) => {
      events.push(data.graphChanged);
      return true;
    },
  );
  await sleep(500); // the server registers the subscriber as it starts the operation
  const created = await client.mutate({
    mutation: gql(CREATE_PERSON),
    variables: { input: { name: "Apollo Klient", key: "client-apollo" } },
  });
  await heard;
  const person = created.data.createPerson.person;
  const cached = cache.readFragment({ id: cache.identify(person), fragment: stakeholderFragment });
  await sockets.dispose();
  return {
    pageNames: merged.stakeholders.edges.map((edge) => edge.node.name),
    hasNextPage: merged.stakeholders.pageInfo.hasNextPage,
    totalCount: merged.stakeholders.totalCount,
    viaInterface: viaInterface?.name ?? null,
    created: created.data.createPerson,
    cachedCreated: cached?.name ?? null,
    event: events[0],
  };
}

report(async (baseUrl) => ({
  post: await persistedSearch(baseUrl, false),
  get: await persistedSearch(baseUrl, true),
  ...(await cacheMutationAndSubscription(baseUrl)),
}));
