// The relationship map: a cytoscape.js graph of stakeholders (nodes) and ties (edges).
// Colour says what a stakeholder is, size how influential it is, a double ring marks our own
// people; line style and arrows say what a tie means, width how strong it is.

/* global cytoscape */

import { createLayout, OFF_THREAD } from "./layout.js";
import { groupStyle, linkInfo, tieKind } from "./vocabulary.js";

export const KIND_COLOURS = {
  PERSON: "#3567c9",
  COMPANY: "#d66a1f",
  MUNICIPALITY: "#2f8f55",
  ORGANIZATION: "#8250bd",
};

const LARGE_MAP = 250;

// Drawing a stakeholder the first time (style, label, bounding box, its ties' curves) costs
// about a millisecond, even hidden; a big map is added this many at a time, one frame each, so
// no frame of the page waits on all of them.
const ADD_PER_FRAME = 50;

function mapStyle() {
  const kindStyles = Object.entries(KIND_COLOURS).map(([kind, colour]) => ({
    selector: `node[kind = "${kind}"]`,
    style: { "background-color": colour },
  }));
  return [
    {
      selector: "node",
      style: {
        width: "data(size)",
        height: "data(size)",
        label: "data(label)",
        "font-size": 10,
        "font-family": "system-ui, sans-serif",
        color: "#1d2733",
        "text-valign": "bottom",
        "text-margin-y": 3,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.75,
        "text-background-padding": 1,
        "min-zoomed-font-size": 7,
        "border-width": 1,
        "border-color": "#ffffff",
      },
    },
    ...kindStyles,
    { selector: 'node[kind != "PERSON"]', style: { shape: "round-rectangle" } },
    { selector: "node[?internal]", style: { "border-width": 5, "border-style": "double", "border-color": "#c99a06" } },
    { selector: "node.center", style: { "font-weight": "bold", "font-size": 12 } },
    {
      selector: "node:selected",
      style: { "underlay-color": "#ffbf00", "underlay-opacity": 0.55, "underlay-padding": 7, "underlay-shape": "ellipse" },
    },
    {
      selector: "edge",
      style: {
        width: "mapData(strength, 0, 1, 0.8, 6)",
        "line-color": "data(colour)",
        "target-arrow-color": "data(colour)",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.7,
        "curve-style": "bezier",
        opacity: 0.75,
      },
    },
    { selector: "edge[?symmetric]", style: { "target-arrow-shape": "none" } },
    { selector: "edge[?dashed]", style: { "line-style": "dashed" } },
    { selector: ".dimmed", style: { opacity: 0.12 } },
    { selector: "node.on-path", style: { "underlay-color": "#0b63ce", "underlay-opacity": 0.35, "underlay-padding": 6 } },
    {
      selector: "edge.on-path",
      style: { opacity: 1, "line-color": "#0b63ce", "target-arrow-color": "#0b63ce", width: 6, "z-index": 10 },
    },
    {
      selector: "edge.weakest",
      style: {
        "line-color": "#d62828",
        "target-arrow-color": "#d62828",
        "line-style": "dashed",
        label: "weakest link",
        "font-size": 10,
        color: "#d62828",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.9,
      },
    },
  ];
}

function nodeElement(mapNode, centerId) {
  const s = mapNode.stakeholder;
  return {
    group: "nodes",
    data: {
      id: s.id,
      label: s.name,
      kind: s.kind,
      internal: s.internal,
      influence: mapNode.influence ?? 0,
      intensity: mapNode.interactionIntensity ?? null,
      distance: mapNode.distance ?? null,
      size: 24,
    },
    classes: s.id === centerId ? "center" : "",
  };
}

/** A tie on the map; `info` says what its kind means (a path's colleague link has its own). */
function edgeElement(edge, info = tieKind(edge.kind)) {
  const style = groupStyle(info.group);
  return {
    group: "edges",
    data: {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      kind: edge.kind,
      label: info.label,
      tieGroup: info.group,
      strength: edge.strength,
      colour: style.colour,
      dashed: Boolean(style.dashed),
      symmetric: info.symmetric,
    },
  };
}

/** Size by influence relative to the most influential on the map: sqrt keeps small ones visible. */
function sizeFor(influence, max) {
  return 18 + 34 * Math.sqrt(max > 0 ? influence / max : 0);
}

function resize(cy) {
  const max = Math.max(...cy.nodes().map((n) => n.data("influence")), 0);
  cy.batch(() => {
    cy.nodes().forEach((node) => node.data("size", sizeFor(node.data("influence"), max)));
  });
}

/** Centre on some elements and zoom to fit them, but no closer than a readable overview. */
function showAround(cy, eles) {
  const box = eles.boundingBox();
  const padding = 60;
  const fitting = Math.min((cy.width() - 2 * padding) / Math.max(box.w, 1), (cy.height() - 2 * padding) / Math.max(box.h, 1));
  cy.animate({ center: { eles }, zoom: Math.min(fitting, 1.2) }, { duration: 400 });
}

export function createMap(container, { onSelect, onExpand }) {
  if (!cytoscape("layout", "fcose") && window.cytoscapeFcose) cytoscape.use(window.cytoscapeFcose);

  const cy = cytoscape({
    container,
    style: mapStyle(),
    minZoom: 0.1,
    maxZoom: 4,
    selectionType: "single",
    boxSelectionEnabled: false,
  });

  cy.on("tap", "node", (event) => onSelect(event.target.id()));
  cy.on("dbltap", "node", (event) => onExpand(event.target.id()));

  // Large maps stay smooth while panning and zooming: the renderer draws a cached bitmap and
  // leaves edges out until the viewport settles. These are creation options in cytoscape; the
  // renderer reads them from these fields, so they can follow the map's size as it changes.
  function tuneForSize() {
    const large = cy.nodes().length > LARGE_MAP;
    cy.renderer().textureOnViewport = large;
    cy.renderer().hideEdgesOnViewport = large;
  }

  // A big map still being added: the element definitions not on the map yet.
  let pending = { nodes: [], edges: [] };
  let adding = 0;

  /** Add the next stakeholders (nearest the centre first) and every tie whose ends are both in. */
  function addSome(count) {
    const nodes = pending.nodes.splice(0, count).filter((def) => cy.getElementById(def.data.id).empty());
    cy.batch(() => {
      for (const def of nodes) cy.add({ ...def, position: layout.placeOf(def.data.id) ?? { x: 0, y: 0 } });
      pending.edges = pending.edges.filter((def) => {
        const ready = !cy.getElementById(def.data.source).empty() && !cy.getElementById(def.data.target).empty();
        if (ready && cy.getElementById(def.data.id).empty()) cy.add(def);
        return !ready;
      });
    });
    if (highlighted) markPath(highlighted, pathParts(highlighted));
  }

  function addGradually() {
    const mine = ++adding;
    const next = () => {
      if (mine !== adding || !pending.nodes.length) return;
      addSome(ADD_PER_FRAME);
      if (pending.nodes.length) requestAnimationFrame(next);
      else tuneForSize();
    };
    requestAnimationFrame(next);
  }

  /** The whole map as the layout needs it, including what is not added yet. */
  function pendingGraph() {
    const onMap = cy.nodes().map((n) => ({ id: n.id(), size: n.data("size"), distance: n.data("distance") }));
    const later = pending.nodes.map(({ data }) => ({ id: data.id, size: data.size, distance: data.distance }));
    const edges = [...cy.edges().map((e) => e.data()), ...pending.edges.map((def) => def.data)];
    return { nodes: [...onMap, ...later], edges: edges.map(({ id, source, target }) => ({ id, source, target })) };
  }

  function addElements(map, centerId) {
    const added = cy.collection();
    for (const mapNode of map.nodes) {
      if (cy.getElementById(mapNode.stakeholder.id).empty()) added.merge(cy.add(nodeElement(mapNode, centerId)));
    }
    for (const edge of map.edges) {
      if (cy.getElementById(edge.id).empty()) added.merge(cy.add(edgeElement(edge)));
    }
    return added;
  }

  const layout = createLayout(cy);
  let highlighted = null; // the introduction path on show, kept across redraws

  function pathEdgeId(link) {
    return link.tie?.id ?? `colleague:${link.source}:${link.target}`;
  }

  /** The path's stakeholders and ties on the map; steps or links missing from it are added. */
  function pathParts(path) {
    const parts = cy.collection();
    for (const step of path.steps) {
      let node = cy.getElementById(step.id);
      if (node.empty()) node = cy.add(nodeElement({ stakeholder: step, influence: 0 }, null));
      parts.merge(node);
    }
    for (const link of path.links) {
      const id = pathEdgeId(link);
      let edge = cy.getElementById(id);
      if (edge.empty()) edge = cy.add(edgeElement({ ...link, id }, linkInfo(link)));
      parts.merge(edge);
    }
    return parts;
  }

  /** Classes only, by id: the path's parts lit, the weakest link red, the rest dimmed. */
  function markPath(path, parts) {
    cy.batch(() => {
      cy.elements().removeClass("dimmed on-path weakest");
      parts.addClass("on-path");
      cy.getElementById(pathEdgeId(path.links[path.weakestLinkIndex] ?? {})).addClass("weakest");
      // The selected stakeholder (the organisation whose decision-maker is the goal) stays lit.
      cy.elements().difference(parts).difference(cy.$(":selected")).addClass("dimmed");
    });
  }

  return {
    cy,

    /**
     * Replace the map; keep the positions of stakeholders that stay, so a refresh does not jump.
     * The selection and a highlighted path are put back by id. Returns whether `selectId` is on
     * the new map (otherwise the centre is selected).
     */
    show(map, { keepPositions = false, selectId = null } = {}) {
      const previous = new Map(cy.nodes().map((n) => [n.id(), { ...n.position() }]));
      const centerId = map.center.id;
      let parts = null;
      const gradual = map.nodes.length > OFF_THREAD;
      adding += 1; // additions still running belong to the old map
      pending = { nodes: [], edges: [] };
      cy.batch(() => {
        cy.elements().remove();
        if (gradual) {
          const max = Math.max(...map.nodes.map((n) => n.influence ?? 0), 0);
          pending.nodes = map.nodes
            .map((mapNode) => nodeElement(mapNode, centerId))
            .map((def) => ({ ...def, data: { ...def.data, size: sizeFor(def.data.influence, max) } }))
            .sort((a, b) => (a.data.distance ?? 9) - (b.data.distance ?? 9));
          pending.edges = map.edges.map((edge) => edgeElement(edge));
          // The selection comes first, so it can be selected now.
          const first = pending.nodes.findIndex((def) => def.data.id === selectId);
          if (first > 0) pending.nodes.unshift(...pending.nodes.splice(first, 1));
        } else {
          addElements(map, centerId);
        }
        if (highlighted) parts = pathParts(highlighted);
      });
      if (!gradual) resize(cy);
      tuneForSize();
      const kept = !gradual && keepPositions && cy.nodes().every((n) => previous.has(n.id()));
      if (kept) cy.nodes().forEach((n) => n.position(previous.get(n.id())));
      if (gradual) {
        // Places for everyone, then the first stakeholders: the rest follow frame by frame.
        if (keepPositions && pending.nodes.every((def) => previous.has(def.data.id))) layout.remember(previous);
        else layout.run({ randomize: true, graph: pendingGraph() });
        addSome(ADD_PER_FRAME);
        addGradually();
      }
      const selected = selectId !== null && this.select(selectId);
      if (!selected) this.select(centerId);
      if (highlighted) markPath(highlighted, parts);
      if (!gradual && !kept) layout.run({ randomize: true });
      return selected;
    },

    /** Add a neighbourhood around `aroundId`: new stakeholders start next to it, then settle. */
    merge(map, aroundId) {
      const origin = cy.getElementById(aroundId).position() ?? { x: 0, y: 0 };
      const added = addElements(map, null);
      added.nodes().forEach((node, index, all) => {
        const angle = (2 * Math.PI * index) / all.length;
        node.position({ x: origin.x + 60 * Math.cos(angle), y: origin.y + 60 * Math.sin(angle) });
      });
      resize(cy);
      tuneForSize();
      if (highlighted) markPath(highlighted, pathParts(highlighted));
      if (added.nodes().length) layout.run({ randomize: false });
      return added.nodes().length;
    },

    select(id, { centre = false } = {}) {
      const node = cy.getElementById(id);
      cy.elements(":selected").unselect();
      if (node.empty()) return false;
      node.select();
      if (centre) cy.animate({ center: { eles: node }, duration: 300 });
      return true;
    },

    has(id) {
      return !cy.getElementById(id).empty();
    },

    /** Nodes in reading order for keyboard stepping: nearest to the centre first. */
    orderedIds() {
      return cy
        .nodes()
        .sort((a, b) => (a.data("distance") ?? 9) - (b.data("distance") ?? 9) || a.data("label").localeCompare(b.data("label")))
        .map((n) => n.id());
    },

    stakeholders() {
      return [...cy.nodes().map((n) => ({ ...n.data() })), ...pending.nodes.map((def) => ({ ...def.data }))];
    },

    /**
     * Emphasise an introduction path: its stakeholders and ties stay bright, the rest is dimmed,
     * the weakest link is drawn red. Steps or links missing from the map are added first. With
     * `focus`, the view moves to the path.
     */
    highlightPath(path, { focus = true } = {}) {
      highlighted = path;
      let parts;
      cy.batch(() => {
        parts = pathParts(path);
      });
      resize(cy);
      markPath(path, parts);
      const around = parts.union(cy.$(":selected"));
      const unplaced = parts.nodes().filter((n) => n.position().x === 0 && n.position().y === 0);
      const placed = unplaced.length ? layout.run({ randomize: false, fit: false }) : Promise.resolve();
      if (focus) placed.then(() => showAround(cy, around));
    },

    /** The highlighted introduction path, or null. */
    highlighted() {
      return highlighted;
    },

    clearHighlight() {
      highlighted = null;
      cy.elements().removeClass("dimmed on-path weakest");
    },

    zoomBy(factor) {
      cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    },

    fit() {
      cy.animate({ fit: { eles: cy.elements(), padding: 30 }, duration: 300 });
    },

    resize() {
      cy.resize();
    },
  };
}
