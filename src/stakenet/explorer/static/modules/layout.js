// Where the map's stakeholders go. Maps of up to STRUCTURED_MAX stakeholders get the structured
// layout of structure.js: the centre in the middle, people around their organisations, clusters
// on rings by distance; it is arithmetic, quick on the page's thread, and the same on every load.
// Bigger maps are for overview: fcose on a few hundred stakeholders takes a second or more, and
// on the page's own thread that second would freeze scrolling, typing and clicks, so they get a
// cheap preview at once (rings by distance from the centre) while fcose runs in a worker
// (layout-worker.js, seeded, so also the same on every load), and the stakeholders move to the
// worker's places when it answers. A big map may still be being added to the page
// (see map.js), so these work from a description of the whole map and remember each place for
// the stakeholders still to come. The map element's `data-layout` says `running` or `settled`,
// and `data-layout-engine` whether the last layout was computed in the `worker` or the `page`.

/* global cytoscape */

import { structuredLayout } from "./structure.js";

// Above this many stakeholders fcose costs the page more than a frame or two (measured: about
// 400 ms for 200 stakeholders, a second or more for 500).
export const OFF_THREAD = 60;

// Up to this many stakeholders the structured layout is used (it takes a few milliseconds).
export const STRUCTURED_MAX = 250;

const WORKER_URL = "/layout-worker.js";
const PADDING = 30;
const NAME_ROOM = 30; // screen pixels beside the map for the names of those at its edges

/** fcose settings as plain values, so the same ones can be posted to the worker. */
function fcoseSettings(count, { randomize }) {
  return {
    randomize,
    padding: PADDING,
    quality: "default",
    numIter: count > 250 ? 1500 : 2500,
    nodeRepulsion: 14000,
    idealEdgeLength: 110,
    nodeSeparation: 60,
    packComponents: true,
  };
}

/** What a layout needs to know of a stakeholder's node definition's data. */
export function layoutNode(data, centre) {
  return { id: data.id, label: data.label, size: data.size, distance: data.distance, organisation: data.kind !== "PERSON", influence: data.influence, centre };
}

/** What a layout needs to know of a tie's data. */
export function layoutEdge(data) {
  return { id: data.id, source: data.source, target: data.target, group: data.tieGroup, strength: data.strength };
}

/** The map as cytoscape holds it, in the shape the layouts read. */
function graphOf(cy) {
  return {
    nodes: cy.nodes().map((n) => layoutNode(n.data(), n.hasClass("center"))),
    edges: cy.edges().map((e) => layoutEdge(e.data())),
  };
}

/** `onPlaced()` hears whenever stakeholders have moved to new places. */
export function createLayout(cy, { onPlaced = () => {} } = {}) {
  const container = cy.container();
  let current = 0; // the newest layout; older answers are dropped
  let worker = null;
  let workerBroken = false;
  const waiting = new Map(); // token -> settle function of a layout waiting for the worker
  let known = new Map(); // id -> { x, y }: the latest place of every stakeholder of the map

  function mark(state, engine = null) {
    container.dataset.layout = state;
    // Which thread computed the last finished layout: "worker" or "page".
    if (engine) container.dataset.layoutEngine = engine;
  }

  /** Run a cytoscape layout on the page; resolves when it stopped, settled if still the newest. */
  function runInPage(token, layout) {
    const done = new Promise((resolve) => layout.one("layoutstop", resolve));
    layout.run();
    return done.then(() => {
      if (token === current) {
        mark("settled", "page");
        onPlaced();
      }
    });
  }

  function inPlace(token, { randomize, fit, animate }) {
    const count = cy.nodes().length;
    const { nodeRepulsion, idealEdgeLength, ...settings } = fcoseSettings(count, { randomize });
    const name = cytoscape("layout", "fcose") ? "fcose" : "cose";
    const layout = cy.layout({
      ...settings,
      name,
      fit,
      animate,
      animationDuration: 500,
      nodeRepulsion: () => nodeRepulsion,
      idealEdgeLength: () => idealEdgeLength,
    });
    return runInPage(token, layout);
  }

  /** The structured layout: computed at once, then shown (moving there smoothly if asked). */
  function structured(token, graph, { fit, animate }) {
    const positions = structuredLayout(graph);
    for (const [id, at] of positions) known.set(id, at);
    const onMap = cy.nodes().filter((n) => positions.has(n.id()));
    if (!animate || onMap.empty()) {
      place(graph, positions, fit);
      mark("settled", "page");
      return Promise.resolve();
    }
    const layout = onMap.layout({ name: "preset", positions: (node) => positions.get(node.id()), fit, padding: PADDING, animate: true, animationDuration: 400 });
    return runInPage(token, layout);
  }

  function startWorker() {
    if (worker || workerBroken) return worker;
    try {
      worker = new Worker(WORKER_URL);
    } catch {
      workerBroken = true;
      return null;
    }
    worker.onmessage = ({ data }) => waiting.get(data.token)?.(data);
    // A worker that cannot start (its scripts failed to load) fails every layout waiting on it.
    worker.onerror = (event) => {
      event.preventDefault();
      workerBroken = true;
      worker.terminate();
      worker = null;
      for (const settle of [...waiting.values()]) settle({ error: "layout worker failed" });
    };
    return worker;
  }

  /** Remember places and move the stakeholders already on the map there. */
  function place(graph, positions, fit) {
    for (const [id, at] of positions) known.set(id, at);
    cy.batch(() => {
      cy.nodes().forEach((node) => {
        const at = positions.get(node.id());
        if (at) node.position(at);
      });
    });
    if (fit) fitTo(graph, positions);
    onPlaced();
  }

  /**
   * Fit the view without measuring labels (cytoscape's fit does, over 50 ms for 500): node sizes
   * and room for a label below are enough.
   */
  function fitTo(graph, positions) {
    let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const { id, size } of graph.nodes) {
      const at = positions.get(id);
      if (!at) continue;
      const half = (size ?? 24) / 2;
      x1 = Math.min(x1, at.x - half);
      y1 = Math.min(y1, at.y - half);
      x2 = Math.max(x2, at.x + half);
      y2 = Math.max(y2, at.y + half + 14);
    }
    if (!Number.isFinite(x1)) return;
    // A little room beside the outermost stakeholders for names on their outer side.
    const sideRoom = PADDING + Math.min(NAME_ROOM, cy.width() * 0.05);
    const fitting = Math.min((cy.width() - 2 * sideRoom) / Math.max(x2 - x1, 1), (cy.height() - 2 * PADDING) / Math.max(y2 - y1, 1));
    const zoom = Math.min(Math.max(fitting, cy.minZoom()), cy.maxZoom());
    cy.viewport({ zoom, pan: { x: (cy.width() - zoom * (x1 + x2)) / 2, y: (cy.height() - zoom * (y1 + y2)) / 2 } });
  }

  /**
   * A quick first picture: rings around the centre by distance. Placed by arithmetic, because
   * cytoscape's own concentric layout measures every label (over 100 ms for 500).
   */
  function preview(graph, fit) {
    const rings = new Map();
    for (const node of graph.nodes) {
      const distance = node.distance ?? 9;
      if (!rings.has(distance)) rings.set(distance, []);
      rings.get(distance).push(node.id);
    }
    const positions = new Map();
    let radius = 0;
    for (const distance of [...rings.keys()].sort((a, b) => a - b)) {
      const ring = rings.get(distance);
      // Each ring at least 120 further out, and long enough for about 40 per stakeholder.
      radius = ring.length === 1 && radius === 0 ? 0 : Math.max(radius + 120, (ring.length * 40) / (2 * Math.PI));
      ring.forEach((id, index) => {
        const angle = (2 * Math.PI * index) / ring.length;
        positions.set(id, { x: radius * Math.cos(angle), y: radius * Math.sin(angle) });
      });
    }
    place(graph, positions, fit);
  }

  function offThread(token, graph, { randomize, fit }) {
    if (randomize) preview(graph, fit);
    // One layout at a time: a newer map replaces the worker rather than queueing behind it.
    if (waiting.size && worker) {
      worker.terminate();
      worker = null;
      for (const settle of [...waiting.values()]) settle({ stale: true });
    }
    const target = startWorker();
    if (!target) return inPlace(token, { randomize, fit, animate: false });
    const nodes = graph.nodes.map(({ id, size }) => {
      const at = known.get(id) ?? cy.getElementById(id).position() ?? { x: 0, y: 0 };
      return { id, size: size ?? 24, x: at.x, y: at.y };
    });
    return new Promise((resolve) => {
      waiting.set(token, (answer) => {
        waiting.delete(token);
        if (answer.stale || token !== current) {
          resolve();
        } else if (answer.error) {
          // Slower, but the map still gets its layout.
          resolve(inPlace(token, { randomize, fit, animate: false }));
        } else {
          const positions = new Map(Object.entries(answer.positions).map(([id, [x, y]]) => [id, { x, y }]));
          place(graph, positions, fit);
          mark("settled", "worker");
          resolve();
        }
      });
      target.postMessage({ token, nodes, edges: graph.edges, options: fcoseSettings(nodes.length, { randomize }) });
    });
  }

  return {
    /**
     * Lay the map out; resolves when the stakeholders are in their places (or a newer layout
     * took over). `randomize` starts afresh; without it the current places are the start.
     * `graph` describes the whole map when part of it is not on the page yet.
     */
    run({ randomize, fit = true, graph = null }) {
      const token = ++current;
      mark("running");
      if (randomize) known = new Map();
      const whole = graph ?? graphOf(cy);
      if (whole.nodes.length <= STRUCTURED_MAX) return structured(token, whole, { fit, animate: !randomize });
      if (whole.nodes.length > OFF_THREAD) return offThread(token, whole, { randomize, fit });
      return inPlace(token, { randomize, fit, animate: !randomize });
    },

    /** Places to keep (a refresh that added no one): no layout runs. */
    remember(positions) {
      current += 1;
      known = new Map(positions);
      mark("settled");
    },

    /** Where a stakeholder not yet on the map should appear. */
    placeOf(id) {
      return known.get(id) ?? null;
    },
  };
}
