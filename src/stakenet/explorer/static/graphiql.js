// Starts the vendored GraphiQL against this server: queries over HTTP POST, subscriptions over
// the graphql-transport-ws websocket at the same path. Kept out of the HTML so the page needs no
// inline script.
const wsScheme = location.protocol === "https:" ? "wss:" : "ws:";
const fetcher = GraphiQL.createFetcher({
  url: "/graphql",
  subscriptionUrl: `${wsScheme}//${location.host}/graphql`,
});

const defaultQuery = `# Welcome to the stakenet GraphQL IDE. Press the run button (or Ctrl-Enter).
{
  networkStats { stakeholders ties interactions revision analyticsRevision }
  stakeholders(search: "morch", first: 5) {
    totalCount
    edges { node { id name kind ... on Person { title seniority } } }
  }
}
`;

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true }),
);
