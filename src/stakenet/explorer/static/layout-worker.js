// Lays out a relationship map off the page's main thread: a headless cytoscape with fcose, fed
// the map's nodes (with their sizes and, for an incremental layout, their current places) and
// ties, answering with a position per node. A classic worker script, because the vendored
// libraries are UMD builds that register globals (see vendor/README.md).

/* global cytoscape, cytoscapeFcose */

importScripts(
  "/vendor/cytoscape/cytoscape.min.js",
  "/vendor/layout-base/layout-base.js",
  "/vendor/cose-base/cose-base.js",
  "/vendor/cytoscape-fcose/cytoscape-fcose.js",
);
cytoscape.use(cytoscapeFcose);

// fcose reads node sizes from the style, so the headless instance keeps a one-rule style.
const STYLE = [{ selector: "node", style: { width: "data(size)", height: "data(size)" } }];

/**
 * Math.random from a fixed seed (mulberry32), set afresh for every layout: fcose's random start
 * and jitter then come out the same for the same map, so a map looks the same on every load.
 */
function seedRandom(seed) {
  let state = seed >>> 0;
  Math.random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function layOut({ nodes, edges, options }) {
  seedRandom(20240611);
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    style: STYLE,
    elements: [
      ...nodes.map(({ id, size, x, y }) => ({ group: "nodes", data: { id, size }, position: { x, y } })),
      ...edges.map(({ id, source, target }) => ({ group: "edges", data: { id, source, target } })),
    ],
  });
  // Functions do not cross postMessage: the page sends numbers, the worker wraps them.
  const { nodeRepulsion, idealEdgeLength, ...rest } = options;
  cy.layout({
    ...rest,
    name: "fcose",
    animate: false,
    fit: false,
    nodeRepulsion: () => nodeRepulsion,
    idealEdgeLength: () => idealEdgeLength,
  }).run();
  const positions = {};
  cy.nodes().forEach((node) => {
    const { x, y } = node.position();
    positions[node.id()] = [x, y];
  });
  cy.destroy();
  return positions;
}

self.onmessage = ({ data }) => {
  try {
    self.postMessage({ token: data.token, positions: layOut(data) });
  } catch (error) {
    self.postMessage({ token: data.token, error: String(error?.message ?? error) });
  }
};
