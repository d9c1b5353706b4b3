// GraphQL documents. Fields added to the API later are included only when the server offers
// them (see discoverCapabilities), so the page keeps working against an older server.

export const TIE_KINDS = [
  "WORKS_FOR", "BOARD_MEMBER_OF", "REPORTS_TO", "KNOWS", "FAMILY", "ADVISES", "REPRESENTS",
  "INFLUENCES", "OWNS", "PARTNER_OF", "SUPPLIES", "CLIENT_OF", "MEMBER_OF", "LOCATED_IN",
  "RELATIONSHIP_OWNER",
];

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

export function mapQuery(caps) {
  const intensity = caps.has("MapNode", "interactionIntensity") ? "interactionIntensity" : "";
  return `query Map($id: ID!, $depth: Int!, $kinds: [TieKind!], $minStrength: Float!, $limit: Int!) {
    relationshipMap(centerId: $id, depth: $depth, tieKinds: $kinds, minStrength: $minStrength, limit: $limit) {
      center { id name }
      nodes { distance influence ${intensity} stakeholder { id name kind internal } }
      edges { id source target kind strength }
      truncated
      revision
    }
  }`;
}

export function detailQuery(caps) {
  const ties = caps.has("Person", "ties")
    ? `ties(first: 50) { totalCount edges { node {
        id kind strength role decisionRole
        source { id name kind } target { id name kind } } } }`
    : "";
  const interactions = caps.has("Person", "interactions")
    ? `interactions(first: 10) { totalCount edges { node {
        id kind occurredAt sentiment subject
        participants { stakeholder { id name } } } } }`
    : "";
  return `query Detail($id: ID!) {
    stakeholder(id: $id) {
      id key name kind internal tags
      metrics { influence pagerank betweenness closeness eigenvector degree community constraint revision }
      ${ties}
      ${interactions}
      ... on Person { title email phone seniority }
      ... on Company { industry country city website registrationNumber }
      ... on Municipality { code region country population }
      ... on Organization { category country city website }
    }
  }`;
}

export function organisationQuery(caps) {
  const parts = [];
  if (caps.has("Query", "keyDecisionMakers")) {
    parts.push(`keyDecisionMakers(organizationId: $id, limit: 8) {
      rank score person { id name title }
      factors { name value weight contribution detail }
    }`);
  }
  if (caps.has("Query", "keyPersonRisks")) {
    parts.push(`keyPersonRisks(organizationId: $id) {
      kind severity explanation decisionMaker { id name } contact { id name }
    }`);
  }
  return parts.length ? `query Organisation($id: ID!) { ${parts.join("\n")} }` : null;
}

export const INTRODUCTION_PATHS = `query Paths($to: ID!) {
  introductionPaths(toId: $to, limit: 3, maxHops: 4) {
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
