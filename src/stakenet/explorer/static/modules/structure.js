// A structured, repeatable layout for maps up to a few hundred stakeholders: the centre fixed in
// the middle, every organisation with its people gathered around it, and these clusters on rings
// by their distance from the centre. Each cluster sits on its ring near the clusters it is tied
// to, and each person on their cluster's circle on the side of the people they know. Nothing is
// random: the same network and settings give the same picture on every load.
//
// Input: `{ nodes: [{ id, label, size, organisation, centre, influence }], edges: [{ source, target,
// group, strength }] }`; output: a Map from id to `{ x, y }`.

// Tie groups that make a person part of an organisation's cluster, most telling first.
const MEMBERSHIP_GROUPS = ["EMPLOYMENT", "BOARD"];
// Room each stakeholder needs along a circle: its size and a short label's width.
const MEMBER_SPACING = 78;
const CENTRE_MEMBER_SPACING = 115;
// A name's width per character, in the map's units at the zoom a map is usually seen at.
const NAME_CHAR = 12;
const CLUSTER_GAP = 40;
const RING_GAP = 70;

const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const TAU = 2 * Math.PI;

function neighbourhoods(graph) {
  const around = new Map(graph.nodes.map((n) => [n.id, []]));
  for (const edge of graph.edges) {
    if (!around.has(edge.source) || !around.has(edge.target) || edge.source === edge.target) continue;
    around.get(edge.source).push({ id: edge.target, edge });
    around.get(edge.target).push({ id: edge.source, edge });
  }
  return around;
}

/** Steps from the centre over ties either way; stakeholders out of reach come one ring further. */
function distances(graph, around, centreId) {
  const distance = new Map([[centreId, 0]]);
  let frontier = [centreId];
  while (frontier.length) {
    const next = [];
    for (const id of frontier) {
      for (const { id: other } of around.get(id)) {
        if (distance.has(other)) continue;
        distance.set(other, distance.get(id) + 1);
        next.push(other);
      }
    }
    frontier = next.sort();
  }
  const furthest = Math.max(0, ...distance.values());
  for (const node of graph.nodes) if (!distance.has(node.id)) distance.set(node.id, furthest + 1);
  return distance;
}

/** Each person's organisation on the map: employment before board, then the strongest tie. */
function homes(graph, around, nodes) {
  const home = new Map();
  for (const node of graph.nodes) {
    if (node.organisation || node.centre) continue;
    let best = null;
    for (const { id, edge } of around.get(node.id)) {
      const rank = MEMBERSHIP_GROUPS.indexOf(edge.group);
      if (rank < 0 || !nodes.get(id).organisation) continue;
      const candidate = { id, rank, strength: edge.strength ?? 0 };
      if (!best || rank < best.rank || (rank === best.rank && (candidate.strength > best.strength || (candidate.strength === best.strength && id < best.id)))) {
        best = candidate;
      }
    }
    if (best) home.set(node.id, best.id);
  }
  return home;
}

/** The circular mean of angles (with weights), or null for none. */
function meanAngle(angles) {
  let [x, y] = [0, 0];
  for (const { angle, weight } of angles) {
    x += weight * Math.cos(angle);
    y += weight * Math.sin(angle);
  }
  return x === 0 && y === 0 ? null : Math.atan2(y, x);
}

/**
 * Spread items around a circle in the order of their preferred angles, each taking an arc in
 * proportion to its width, then turn the whole so the items sit as near their preferences as
 * the order allows. Items without a preference keep their place in the given order.
 */
function arrange(items) {
  if (!items.length) return [];
  const ordered = items
    .map((item, index) => ({ ...item, index, wanted: item.preferred ?? null }))
    .sort((a, b) => {
      if (a.wanted === null || b.wanted === null) return a.index - b.index;
      return a.wanted - b.wanted || a.index - b.index;
    });
  const total = ordered.reduce((sum, item) => sum + item.width, 0);
  let at = 0;
  for (const item of ordered) {
    item.angle = (TAU * (at + item.width / 2)) / total;
    at += item.width;
  }
  const turn = meanAngle(ordered.filter((i) => i.wanted !== null).map((i) => ({ angle: i.wanted - i.angle, weight: 1 }))) ?? -Math.PI / 2;
  return ordered.map((item) => ({ ...item, angle: item.angle + turn }));
}

export function structuredLayout(graph) {
  const positions = new Map();
  if (!graph.nodes.length) return positions;
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const centre = graph.nodes.find((n) => n.centre) ?? [...graph.nodes].sort(byId)[0];
  const around = neighbourhoods(graph);
  const distance = distances(graph, around, centre.id);
  const home = homes(graph, around, nodes);

  // Clusters: the centre's own (the centre and, for an organisation, its people), every other
  // organisation with its people, and each person with no organisation on the map.
  const clusters = new Map();
  const clusterOf = new Map();
  const join = (anchorId, id) => {
    if (!clusters.has(anchorId)) clusters.set(anchorId, { anchor: anchorId, members: [] });
    if (id !== anchorId) clusters.get(anchorId).members.push(id);
    clusterOf.set(id, anchorId);
  };
  for (const node of [...graph.nodes].sort(byId)) {
    if (node.id === centre.id || node.organisation) join(node.id, node.id);
  }
  for (const node of [...graph.nodes].sort(byId)) {
    if (clusterOf.has(node.id)) continue;
    join(home.get(node.id) ?? node.id, node.id);
  }
  for (const cluster of clusters.values()) {
    // Strongest first: they get the first places around their organisation.
    cluster.members.sort((a, b) => (nodes.get(b).influence ?? 0) - (nodes.get(a).influence ?? 0) || (a < b ? -1 : 1));
    const count = cluster.members.length;
    // The centre's people, the ones a reader looks for first, get room for their names, and
    // leave room for the centre's own below it.
    const isCentre = cluster.anchor === centre.id;
    const spacing = isCentre ? CENTRE_MEMBER_SPACING : MEMBER_SPACING;
    // An organisation's name fits inside the circle of its people.
    const name = (nodes.get(cluster.anchor).label ?? "").length * NAME_CHAR / 2;
    cluster.inner = count ? Math.max(isCentre ? 110 : 70, name, (count * spacing) / TAU) : 0;
    cluster.radius = cluster.inner + (count ? 30 : 40);
    cluster.ring = cluster.anchor === centre.id ? 0 : Math.max(1, distance.get(cluster.anchor));
  }

  // Rings: each far enough out to clear the one inside and long enough for its clusters.
  const rings = new Map();
  for (const cluster of [...clusters.values()].sort((a, b) => a.ring - b.ring || byId({ id: a.anchor }, { id: b.anchor }))) {
    if (!rings.has(cluster.ring)) rings.set(cluster.ring, []);
    rings.get(cluster.ring).push(cluster);
  }
  let radius = 0;
  let previousWidest = 0;
  const place = (id, x, y) => positions.set(id, { x, y });
  const angleOf = (id) => {
    const at = positions.get(id);
    return at && (at.x !== 0 || at.y !== 0) ? Math.atan2(at.y, at.x) : null;
  };
  for (const ring of [...rings.keys()].sort((a, b) => a - b)) {
    const onRing = rings.get(ring);
    const widest = Math.max(...onRing.map((c) => c.radius));
    if (ring === 0) {
      place(centre.id, 0, 0);
      radius = 0;
    } else {
      const needed = onRing.reduce((sum, c) => sum + 2 * c.radius + CLUSTER_GAP, 0) / TAU;
      radius = Math.max(radius + previousWidest + widest + RING_GAP, needed);
      // Near the clusters already placed that their stakeholders are tied to.
      const items = onRing.map((cluster) => {
        const ties = [cluster.anchor, ...cluster.members].flatMap((id) =>
          around.get(id).map(({ id: other, edge }) => ({ angle: angleOf(other), weight: 0.2 + (edge.strength ?? 0) })),
        );
        return { cluster, width: 2 * cluster.radius + CLUSTER_GAP, preferred: meanAngle(ties.filter((t) => t.angle !== null)) };
      });
      for (const { cluster, angle } of arrange(items)) place(cluster.anchor, radius * Math.cos(angle), radius * Math.sin(angle));
    }
    previousWidest = widest;
    // Members around their organisation, each on the side of the stakeholders they are tied to.
    for (const cluster of onRing) {
      if (!cluster.members.length) continue;
      const origin = positions.get(cluster.anchor);
      const items = cluster.members.map((id) => {
        const ties = around.get(id)
          .filter(({ id: other }) => clusterOf.get(other) !== cluster.anchor && positions.has(other))
          .map(({ id: other, edge }) => {
            const at = positions.get(other);
            return { angle: Math.atan2(at.y - origin.y, at.x - origin.x), weight: 0.2 + (edge.strength ?? 0) };
          });
        // With no such ties: away from the centre, where there is room.
        const outward = origin.x || origin.y ? Math.atan2(origin.y, origin.x) : null;
        return { id, width: 1, preferred: meanAngle(ties) ?? outward };
      });
      for (const { id, angle } of arrange(items)) {
        place(id, origin.x + cluster.inner * Math.cos(angle), origin.y + cluster.inner * Math.sin(angle));
      }
    }
  }
  // Whole numbers: the same picture to the pixel, whatever the floating point did.
  for (const [id, at] of positions) positions.set(id, { x: Math.round(at.x), y: Math.round(at.y) });
  return positions;
}
