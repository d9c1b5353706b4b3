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

// The query editor gets five sevenths of the width (GraphiQL's own default is half), so the README's
// queries fit without scrolling sideways. GraphiQL keeps the split in its storage under this
// key; a split the user has dragged since is kept.
const EDITOR_SPLIT_KEY = "graphiql:editorFlex";
if (localStorage.getItem(EDITOR_SPLIT_KEY) === null) localStorage.setItem(EDITOR_SPLIT_KEY, "2.5");

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true }),
);
