// The page's only channel to the server: GraphQL over HTTP POST, and subscriptions over the
// graphql-transport-ws websocket protocol at the same path.

const ENDPOINT = "/graphql";

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((error) => error.message).join("; "));
    this.errors = errors;
  }
}

/** Run one operation; resolve with `data`, reject with a GraphQLError when the server reports errors. */
export async function request(query, variables = {}, { signal } = {}) {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`The server answered ${response.status} without a GraphQL response.`);
  }
  if (body.errors?.length) throw new GraphQLError(body.errors);
  return body.data;
}

/**
 * A minimal graphql-transport-ws client for one subscription: connection_init → connection_ack
 * → subscribe → next …, with reconnection after a growing delay. `onStatus` hears "live",
 * "connecting" and "offline" so the page can say whether it is up to date.
 */
export function subscribe(query, { onNext, onStatus, retryLimit = 8 }) {
  let socket = null;
  let attempts = 0;
  let stopped = false;
  let retryTimer = null;

  function connect() {
    onStatus("connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}${ENDPOINT}`, "graphql-transport-ws");
    socket.addEventListener("open", () => send({ type: "connection_init", payload: {} }));
    socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
    socket.addEventListener("close", scheduleReconnect);
  }

  function send(message) {
    socket.send(JSON.stringify(message));
  }

  function handle(message) {
    switch (message.type) {
      case "connection_ack":
        attempts = 0;
        send({ id: "graph", type: "subscribe", payload: { query } });
        onStatus("live");
        break;
      case "ping":
        send({ type: "pong" });
        break;
      case "next":
        if (message.payload?.data) onNext(message.payload.data);
        break;
      case "error":
        // The server rejected the subscription itself (e.g. refused to this caller): retrying won't help.
        stopped = true;
        socket.close();
        onStatus("offline");
        break;
      default:
        break;
    }
  }

  function scheduleReconnect() {
    if (stopped) return;
    onStatus("offline");
    attempts += 1;
    if (attempts > retryLimit) return;
    const delay = Math.min(30_000, 500 * 2 ** attempts);
    retryTimer = setTimeout(connect, delay);
  }

  connect();
  return function unsubscribe() {
    stopped = true;
    clearTimeout(retryTimer);
    socket?.close();
  };
}
