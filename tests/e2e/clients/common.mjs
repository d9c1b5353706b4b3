// What every client script shares: the operations, the schema's possible types, hashing, and a
// fetch that records what went over the wire so the Python test can assert on the exchange.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { buildSchema, isAbstractType } from "graphql";

export const SEARCH = `query Search($search: String!) {
  stakeholders(search: $search, first: 5) {
    totalCount
    edges { cursor node { __typename id name ... on Person { title } } }
  }
}`;

export const PEOPLE = `query People($after: String) {
  stakeholders(kind: PERSON, first: 3, after: $after) {
    totalCount
    edges { cursor node { __typename id name } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const STATS = `query Stats { networkStats { stakeholders } }`;

export const CREATE_PERSON = `mutation CreatePerson($input: PersonInput!) {
  createPerson(input: $input) { person { __typename id name } errors { message } }
}`;

export const GRAPH_CHANGED = `subscription GraphChanged {
  graphChanged { revision stakeholderIds deletedIds }
}`;

export const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/** `possibleTypes` for Apollo's cache, from the committed SDL: every interface and union with
 * the object types that implement it. */
export function possibleTypesFrom(sdlPath) {
  const schema = buildSchema(readFileSync(sdlPath, "utf8"));
  const possibleTypes = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (isAbstractType(type) && !type.name.startsWith("__")) {
      possibleTypes[type.name] = schema.getPossibleTypes(type).map((member) => member.name);
    }
  }
  return possibleTypes;
}

/** A fetch that records each GraphQL request: method, Accept, whether it carried the query and
 * a hash, and the first error message of the answer. */
export function recordingFetch(exchanges) {
  return async (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.url);
    const method = (init.method ?? "GET").toUpperCase();
    const body = method === "POST" ? JSON.parse(init.body) : null;
    const params = url.searchParams;
    const extensions = body ? body.extensions : JSON.parse(params.get("extensions") ?? "null");
    const headers = new Headers(init.headers);
    const response = await fetch(input, init);
    const answer = await response.clone().json();
    exchanges.push({
      method,
      accept: headers.get("accept"),
      operation: body ? body.operationName ?? null : params.get("operationName"),
      sentQuery: Boolean(body ? body.query : params.get("query")),
      sentHash: Boolean(extensions?.persistedQuery?.sha256Hash),
      status: response.status,
      contentType: response.headers.get("content-type"),
      error: answer.errors?.[0]?.message ?? null,
    });
    return response;
  };
}

/** Run `main(baseUrl)` and print its report as one JSON line; any failure exits non-zero. */
export async function report(main) {
  const baseUrl = process.argv[2];
  try {
    const result = await main(baseUrl);
    process.stdout.write(JSON.stringify(result) + "\n");
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  }
}

/** Resolves with the first value `subscribe` delivers that `accept` takes, within `ms`. */
export function firstEvent(subscribe, accept, ms = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no subscription event in ${ms} ms`)), ms);
    const stop = subscribe({
      next: (value) => {
        if (accept(value)) {
          clearTimeout(timer);
          resolve(value);
          stop();
        }
      },
      error: (error) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
      },
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
