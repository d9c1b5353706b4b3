// The page's only channel to the server: GraphQL over HTTP POST, and subscriptions over the
// graphql-transport-ws websocket protocol at the same path; and the API token it sends, once
// the server requires one.
//
// The token lives in sessionStorage: this tab alone holds it (and a page it opens in the same
// tab, such as the brief), and it is gone when the tab closes. It is sent as
// `Authorization: Bearer …` on every request and in each websocket's `connection_init` payload,
// since a browser cannot set headers on a websocket. When the server refuses the token (HTTP 401,
// a socket closed as forbidden, a subscription ended as UNAUTHENTICATED), every request waits on
// one sign-in (`setSignIn`) and then goes again with the token given there.

import { SIGNED_IN_AS } from "./queries.js";

const ENDPOINT = "/graphql";
const TOKEN_KEY = "stakenet.token";
const CALLER_KEY = "stakenet.caller";
// graphql-transport-ws: the server refused `connection_init` (its token).
const FORBIDDEN = 4403;

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((error) => error.message).join("; "));
    this.errors = errors;
  }
}

let askForToken = null; // (message) => Promise, resolved once a token is kept
let asking = null; // the sign-in under way, shared by everything that waits for it

/** Who the kept token is (`{ name, role }`), or null when the tab holds no token. */
export function signedInAs() {
  if (sessionStorage.getItem(TOKEN_KEY) === null) return null;
  try {
    return JSON.parse(sessionStorage.getItem(CALLER_KEY)) ?? { name: "", role: "" };
  } catch {
    return { name: "", role: "" };
  }
}

/** Forget the token: the tab sends none from now on. */
export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(CALLER_KEY);
}

/**
 * Make `ask(message)` the way to get a token when the server refuses the one sent (or none):
 * it shows the server's message and resolves once `tryToken` has kept a token it accepted.
 */
export function setSignIn(ask) {
  askForToken = ask;
}

/**
 * Send `token` to the server and keep it if it is accepted: resolves with who it is, or with
 * `{ refused: message }`, the server's words, when it is not.
 */
export async function tryToken(token) {
  const { response, body } = await post(SIGNED_IN_AS, {}, token);
  if (response.status === 401) return { refused: refusal(body) };
  const data = answer(response, body);
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(CALLER_KEY, JSON.stringify(data.viewer));
  return { caller: data.viewer };
}

/** Run one operation; resolve with `data`, reject with a GraphQLError when the server reports errors. */
export async function request(query, variables = {}, { signal } = {}) {
  for (;;) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const { response, body } = await post(query, variables, token, signal);
    if (response.status === 401 && askForToken) {
      await signInAgain(token, refusal(body));
      continue;
    }
    return answer(response, body);
  }
}

async function post(query, variables, token, signal) {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...authorization(token) },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Said below, by whoever reads the answer.
  }
  return { response, body };
}

function answer(response, body) {
  if (body === null) throw new Error(`The server answered ${response.status} without a GraphQL response.`);
  if (body.errors?.length) throw new GraphQLError(body.errors);
  return body.data;
}

function authorization(token) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function refusal(body) {
  return body?.errors?.[0]?.message ?? "A valid API token is required.";
}

/**
 * The server refused `refused` (a token, or null for none): ask for another, once for every
 * request and socket that hears the same refusal. A token kept meanwhile is tried at once.
 */
function signInAgain(refused, message) {
  if (asking) return asking;
  if (sessionStorage.getItem(TOKEN_KEY) !== refused) return Promise.resolve();
  signOut();
  asking = askForToken(message).finally(() => {
    asking = null;
  });
  return asking;
}

function unauthenticated(errors) {
  return (errors ?? []).find((error) => error.extensions?.code === "UNAUTHENTICATED") ?? null;
}

/**
 * A minimal graphql-transport-ws client for one subscription: connection_init → connection_ack
 * → subscribe → next …, with reconnection after a growing delay. `onStatus` hears "live",
 * "connecting" and "offline" so the page can say whether it is up to date. A socket whose token
 * the server refuses is not simply opened again with it: the page asks for a token first.
 */
export function subscribe(query, { onNext, onStatus, retryLimit = 8 }) {
  let socket = null;
  let attempts = 0;
  let stopped = false;
  let retryTimer = null;

  function connect() {
    if (asking) {
      // A socket opened now would carry no token: it waits for the one being asked for.
      asking.then(() => stopped || connect());
      return;
    }
    onStatus("connecting");
    const token = sessionStorage.getItem(TOKEN_KEY);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const opened = new WebSocket(`${scheme}//${location.host}${ENDPOINT}`, "graphql-transport-ws");
    socket = opened;
    opened.addEventListener("open", () => send(opened, { type: "connection_init", payload: authorization(token) }));
    opened.addEventListener("message", (event) => {
      if (opened === socket) handle(opened, token, JSON.parse(event.data));
    });
    opened.addEventListener("close", (event) => {
      if (opened !== socket || stopped) return; // one this client let go of itself
      socket = null;
      onStatus("offline");
      if (event.code === FORBIDDEN) signInFirst(token, null);
      else scheduleReconnect();
    });
  }

  function send(on, message) {
    on.send(JSON.stringify(message));
  }

  function handle(on, token, message) {
    const refused = unauthenticated(message.type === "error" ? message.payload : message.payload?.errors);
    if (refused) {
      // The token was revoked: the server ends the subscription, and a new socket needs a new token.
      socket = null;
      on.close();
      onStatus("offline");
      signInFirst(token, refused.message);
      return;
    }
    switch (message.type) {
      case "connection_ack":
        attempts = 0;
        send(on, { id: "graph", type: "subscribe", payload: { query } });
        onStatus("live");
        break;
      case "ping":
        send(on, { type: "pong" });
        break;
      case "next":
        if (message.payload?.data) onNext(message.payload.data);
        break;
      case "error":
        // The server rejected the subscription itself (e.g. refused to this caller): retrying won't help.
        stopped = true;
        on.close();
        onStatus("offline");
        break;
      default:
        break;
    }
  }

  /**
   * The server refused the socket's token: reconnect once a token is kept. A refusal without
   * words (a closed socket) is checked over HTTP, whose 401 says why and asks for a token.
   */
  async function signInFirst(token, message) {
    try {
      if (message && askForToken) await signInAgain(token, message);
      else await request(SIGNED_IN_AS);
    } catch {
      // The server cannot be reached: the growing delay below applies.
    }
    if (stopped) return;
    if (sessionStorage.getItem(TOKEN_KEY) !== token) {
      attempts = 0;
      connect();
    } else {
      scheduleReconnect(); // the same token again: never faster than the growing delay
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
