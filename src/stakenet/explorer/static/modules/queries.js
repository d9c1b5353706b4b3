// GraphQL documents. The page ships with its server, so they ask for the server's current API.

// What each tie kind means: the page names none itself (see vocabulary.js).
export const TIE_KINDS = `query TieKinds { tieKinds { kind label group symmetric } }`;

export const ORGANISATION_KINDS = new Set(["COMPANY", "MUNICIPALITY", "ORGANIZATION"]);

export const SEARCH = `query Search($search: String!) {
  stakeholders(search: $search, first: 10) {
    totalCount
    edges { node { id name kind internal
      ... on Person { title }
      ... on Company { city }
      ... on Municipality { region }
      ... on Organization { category }
    } }
  }
}`;

export const MAP = `query Map($id: ID!, $depth: Int!, $kinds: [TieKind!], $minStrength: Float!, $limit: Int!, $asOf: DateTime) {
    relationshipMap(centerId: $id, depth: $depth, tieKinds: $kinds, minStrength: $minStrength, limit: $limit, asOf: $asOf) {
      center { id name }
      nodes { distance influence interactionIntensity stakeholder { id name kind internal } }
      edges { id source target kind strength }
      truncated
      revision
      asOf
    }
  }`;

export const DETAIL = `query Detail($id: ID!, $asOf: DateTime) {
  stakeholder(id: $id) {
    id key name kind internal tags
    metrics(asOf: $asOf) { influence pagerank betweenness closeness eigenvector degree coreness community constraint revision }
    ties(first: 50) { totalCount edges { node {
      id kind strength role decisionRole
      source { id name kind } target { id name kind } } } }
    interactions(first: 10) { totalCount edges { node {
      id kind occurredAt sentiment subject
      participants { stakeholder { id name } } } } }
    ... on Person { title email phone seniority }
    ... on Company { industry country city website registrationNumber }
    ... on Municipality { code region country population }
    ... on Organization { category country city website }
  }
}`;

export const ORGANISATION = `query Organisation($id: ID!, $asOf: DateTime) {
  keyDecisionMakers(organizationId: $id, limit: 8, asOf: $asOf) {
    rank score asOf revision person { id name title }
    factors { name value weight contribution detail }
  }
  keyPersonRisks(organizationId: $id, asOf: $asOf) {
    kind severity explanation asOf revision decisionMaker { id name } contact { id name }
  }
}`;

export const RELATIONSHIP_HEALTH = `query Health($id: ID!, $from: DateTime!, $to: DateTime!) {
  relationshipHealth(organizationId: $id, from: $from, to: $to, interval: MONTH) {
    start end interactions meanSentiment coverage decisionMakers revision
  }
}`;

export const PORTFOLIO = `query Portfolio {
  portfolio(first: 50) {
    rank risk coverage coverageBefore coverageTrend interactions interactionsBefore
    meanSentiment meanSentimentBefore sentimentTrend explanation revision asOf
    organization { id name kind }
    openRisks { kind severity }
  }
}`;

// The longest introduction path the explorer asks for, in hops.
export const PATH_HOPS = 4;

export const INTRODUCTION_PATHS = `query Paths($to: ID!, $asOf: DateTime) {
  introductionPaths(toId: $to, limit: 3, maxHops: ${PATH_HOPS}, asOf: $asOf) {
    steps { id name kind internal }
    links { source target kind strength tie { id } }
    strength hops weakestLinkIndex weakestLink { id }
  }
}`;

export const INFLUENCE_RANKING = `query Ranking {
  influenceRanking(first: 8) { rank score stakeholder { id name kind } }
}`;

export const NETWORK_REVISION = `query Revision { networkStats { revision analyticsRevision } }`;

export const GRAPH_CHANGED = `subscription { graphChanged { revision stakeholderIds } }`;

const ALERT_FIELDS = `id kind severity raisedAt revision explanation clearedAt
  organization { id name } stakeholders { id name }`;

export const ALERTS = `query Alerts($organizationId: ID, $first: Int!, $after: String) {
  alerts(organizationId: $organizationId, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { ${ALERT_FIELDS} } }
  }
}`;

export const ALERT_RAISED = `subscription { alertRaised { ${ALERT_FIELDS} } }`;

// The negotiation brief (brief.html): what fits one printed A4 page, and how many are counted
// to name the rest as "N more in the explorer".
const DECISION_MAKERS_SHOWN = 6;
const RANKED_COUNTED = 100;
// Introduction paths to this many of the top decision-makers.
export const PATHS_FOR = 4;

const INTERACTION = "id kind occurredAt sentiment subject participants { stakeholder { id name } }";
export const BRIEF = `query Brief($id: ID!) {
  stakeholder(id: $id) {
    id name kind
    ... on Company { industry city country }
    ... on Municipality { region country population }
    ... on Organization { category city country }
    interactions(first: 10) { totalCount edges { node { ${INTERACTION} } } }
  }
  ranked: keyDecisionMakers(organizationId: $id, limit: ${RANKED_COUNTED}) { rank }
  keyDecisionMakers(organizationId: $id, limit: ${DECISION_MAKERS_SHOWN}) {
    rank score
    person { id name title interactions(first: 5) { totalCount edges { node { ${INTERACTION} } } } }
    factors { name contribution detail }
  }
  keyPersonRisks(organizationId: $id) { kind severity explanation decisionMaker { name } contact { name } }
}`;

const PATH = "steps { id name internal } links { kind strength tie { id } } strength hops weakestLinkIndex";

/** The strongest introduction path to each of `count` people, variables $t0, $t1, … */
export function briefPaths(count) {
  const targets = Array.from({ length: count }, (_, i) => i);
  return `query Paths(${targets.map((i) => `$t${i}: ID!`).join(", ")}) {
  ${targets.map((i) => `p${i}: introductionPaths(toId: $t${i}, limit: 1, maxHops: ${PATH_HOPS}) { ${PATH} }`).join("\n  ")}
}`;
}

/** Whether each of `count` stakeholders or ties (variables $n0, $n1, …) still exists. */
export function stillThere(count) {
  const nodes = Array.from({ length: count }, (_, i) => i);
  return `query PathStillThere(${nodes.map((i) => `$n${i}: ID!`).join(", ")}) {
  ${nodes.map((i) => `n${i}: node(id: $n${i}) { id }`).join("\n  ")}
}`;
}
// The most `stillThere` is asked about: a path's people and its stored ties.
export const STILL_THERE_MOST = 2 * PATH_HOPS + 1;

// Who the token the page holds is, asked before the sign-in dialog closes.
export const SIGNED_IN_AS = "query SignedInAs { viewer { name role } }";
