// The relationship map: a cytoscape.js graph of stakeholders (nodes) and ties (edges).
// Colour says what a stakeholder is, size how influential it is, a double ring marks our own
// people; line colour and arrows say what a tie means, width and opacity how strong it is.
// Names are shown by importance where they fit (labels.js); a highlighted path is drawn above
// everything else.

/* global cytoscape */

import { createLayout, layoutEdge, layoutNode, OFF_THREAD } from "./layout.js";
import { chooseLabels } from "./labels.js";
import { groupStyle, linkInfo, tieKind } from "./vocabulary.js";

export const KIND_COLOURS = {
  PERSON: "#3567c9",
  COMPANY: "#d66a1f",
  MUNICIPALITY: "#2f8f55",
  ORGANIZATION: "#8250bd",
};

const LARGE_MAP = 250;

// Names keep this size on screen whatever the zoom; the centre's is a little larger.
const LABEL_PX = 11;
const RELABEL_AFTER_ZOOM_MS = 120;

// Drawing a stakeholder the first time (style, label, bounding box, its ties' curves) costs
// about a millisecond, even hidden; a big map is added this many at a time, one frame each, so
// no frame of the page waits on all of them.
const ADD_PER_FRAME = 50;

// Drawing order, bottom to top: ties, stakeholders, the selection and centre, the path's ties,
// the path's stakeholders. "manual" lets a tie be drawn above a stakeholder it passes.
const Z = { edge: 1, node: 10, selected: 20, center: 30, pathEdge: 100, pathNode: 110 };

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
        label: "",
        "font-size": "data(fontSize)",
        "font-family": "system-ui, sans-serif",
        color: "#1d2733",
        "text-valign": "bottom",
        "text-halign": "center",
        "text-margin-x": "data(labelDx)",
        "text-margin-y": "data(labelDy)",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.8,
        "text-background-padding": 1,
        "border-width": 1,
        "border-color": "#ffffff",
        "z-index-compare": "manual",
        "z-index": Z.node,
      },
    },
    { selector: "node.named", style: { label: "data(label)" } },
    { selector: "node.label-top", style: { "text-valign": "top" } },
    { selector: "node.label-right", style: { "text-valign": "center", "text-halign": "right" } },
    { selector: "node.label-left", style: { "text-valign": "center", "text-halign": "left" } },
    ...kindStyles,
    { selector: 'node[kind != "PERSON"]', style: { shape: "round-rectangle" } },
    { selector: "node[?internal]", style: { "border-width": 5, "border-style": "double", "border-color": "#c99a06" } },
    { selector: "node.center", style: { "font-weight": "bold", "text-background-opacity": 1, "z-index": Z.center } },
    {
      selector: "node:selected",
      style: { "underlay-color": "#ffbf00", "underlay-opacity": 0.55, "underlay-padding": 7, "underlay-shape": "ellipse", "z-index": Z.selected },
    },
    {
      selector: "edge",
      style: {
        width: "mapData(strength, 0, 1, 0.8, 5)",
        "line-color": "data(colour)",
        "target-arrow-color": "data(colour)",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.7,
        "curve-style": "bezier",
        // Weak ties fade into the background; strong ones carry the picture.
        opacity: "mapData(strength, 0, 1, 0.25, 0.85)",
        "z-index-compare": "manual",
        "z-index": Z.edge,
      },
    },
    { selector: "edge[?symmetric]", style: { "target-arrow-shape": "none" } },
    { selector: "edge[?dashed]", style: { "line-style": "dashed" } },
    { selector: ".dimmed", style: { opacity: 0.12 } },
    { selector: "node.on-path", style: { "underlay-color": "#0b63ce", "underlay-opacity": 0.35, "underlay-padding": 6, "z-index": Z.pathNode } },
    {
      selector: "edge.on-path",
      style: { opacity: 1, "line-color": "#0b63ce", "target-arrow-color": "#0b63ce", width: 6, "z-index": Z.pathEdge },
    },
    {
      selector: "edge.weakest",
      style: {
        "line-color": "#d62828",
        "target-arrow-color": "#d62828",
        "line-style": "dashed",
        label: "weakest link",
        "font-size": 10,
        color: "#b71c1c",
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
      fontSize: LABEL_PX,
      labelDx: 0,
      labelDy: 3,
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

export function createMap(container, { onSelect, onExpand, onDrawn = () => {} }) {
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
      else {
        tuneForSize();
        relabel();
        onDrawn();
      }
    };
    requestAnimationFrame(next);
  }

  /** The whole map as the layout needs it, including what is not added yet. */
  function pendingGraph() {
    const onMap = cy.nodes().map((n) => layoutNode(n.data(), n.hasClass("center")));
    const later = pending.nodes.map((def) => layoutNode(def.data, def.classes === "center"));
    const edges = [...cy.edges().map((e) => e.data()), ...pending.edges.map((def) => def.data)];
    return { nodes: [...onMap, ...later], edges: edges.map(layoutEdge) };
  }

  /**
   * Steps from the centre of stakeholders added by expanding, along the ties on the map: one more
   * than their nearest neighbour's, repeated until nothing changes, from the distances the server
   * gave for the map itself.
   */
  function countStepsFromCentre() {
    const derived = cy.nodes().filter((n) => n.data("distanceOnMap"));
    for (let changed = true; changed; ) {
      changed = false;
      derived.forEach((node) => {
        const near = node.neighborhood("node").map((n) => n.data("distance")).filter((d) => d !== null && d !== undefined);
        const steps = near.length ? Math.min(...near) + 1 : null;
        const known = node.data("distance");
        if (steps !== null && (known === null || steps < known)) {
          node.data("distance", steps);
          changed = true;
        }
      });
    }
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

  let highlighted = null; // the introduction path on show, kept across redraws

  /**
   * Most important first: the centre, the path, the selection, the centre's neighbours, the
   * organisations (each the middle of a cluster), then the rest (each by influence).
   */
  function importance(node) {
    if (node.hasClass("center")) return 5;
    if (node.hasClass("on-path")) return 4;
    if (node.selected()) return 3;
    if (node.data("distance") === 1) return 2;
    return node.data("kind") !== "PERSON" ? 1 : 0;
  }

  /** Show the names that fit at the current zoom, most important first (see labels.js). */
  function relabel() {
    if (cy.destroyed()) return; // a drawing already taken (the brief's) and let go
    const nodes = cy
      .nodes()
      .sort((a, b) => importance(b) - importance(a) || b.data("influence") - a.data("influence") || (a.id() < b.id() ? -1 : 1))
      .map((n) => ({ id: n.id(), label: n.data("label"), size: n.data("size"), at: n.position(), bold: n.hasClass("center"), always: n.hasClass("center"), far: n.data("kind") !== "PERSON" }));
    const zoom = cy.zoom();
    // The whole map's box when the map is not on screen (the brief's drawing board).
    const bounds = cy.width() > 0 ? cy.extent() : null;
    const shown = chooseLabels(nodes, { zoom, screenSize: LABEL_PX, bounds, obstacles: overlays(zoom) });
    const offsets = (side, gap) => ({ bottom: [0, gap], top: [0, -gap], right: [gap, 0], left: [-gap, 0] })[side];
    // Only stakeholders whose name changes are touched: each change costs cytoscape a restyle.
    cy.batch(() => {
      cy.nodes().forEach((node) => {
        const place = shown.get(node.id());
        const side = place?.side ?? null;
        const fontSize = (LABEL_PX * (node.hasClass("center") ? 1.15 : 1)) / zoom;
        const [dx, dy] = place ? offsets(place.side, place.gap) : [0, 0];
        if (node.scratch("_labelSide") === side && node.data("fontSize") === fontSize && node.data("labelDx") === dx && node.data("labelDy") === dy) return;
        node.scratch("_labelSide", side);
        node.removeClass("named label-top label-right label-left");
        node.data({ fontSize, labelDx: dx, labelDy: dy });
        if (side) node.addClass(side === "bottom" ? "named" : `named label-${side}`);
      });
    });
  }

  /** Controls drawn over the map (its toolbar), as boxes in the map's coordinates. */
  function overlays(zoom) {
    const pan = cy.pan();
    const origin = container.getBoundingClientRect();
    return [...(container.parentElement?.querySelectorAll(".map-tools") ?? [])].map((tools) => {
      const r = tools.getBoundingClientRect();
      const toModel = (x, y) => ({ x: (x - origin.left - pan.x) / zoom, y: (y - origin.top - pan.y) / zoom });
      const [a, b] = [toModel(r.left - 4, r.top - 4), toModel(r.right + 4, r.bottom + 4)];
      return { x1: a.x, y1: a.y, x2: b.x, y2: b.y };
    });
  }

  let relabelTimer = 0;
  cy.on("zoom", () => {
    clearTimeout(relabelTimer);
    relabelTimer = setTimeout(relabel, RELABEL_AFTER_ZOOM_MS);
  });
  cy.on("dragfree", "node", relabel);
  // Names cut by the map's edge are left out, so moving the view decides them again.
  cy.on("pan", () => {
    clearTimeout(relabelTimer);
    relabelTimer = setTimeout(relabel, RELABEL_AFTER_ZOOM_MS);
  });

  const layout = createLayout(cy, { onPlaced: relabel });

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
    relabel();
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
      if (kept) {
        cy.nodes().forEach((n) => n.position(previous.get(n.id())));
        relabel();
      }
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
      const around = cy.getElementById(aroundId);
      const origin = around.position() ?? { x: 0, y: 0 };
      const added = addElements(map, null);
      // The expanded map's distances count from the expanded stakeholder, not from the centre.
      added.nodes().data({ distance: null, addedBy: around.data("label") ?? map.center.name, distanceOnMap: true });
      countStepsFromCentre();
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
      relabel();
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

    /** The map in words: each stakeholder (nearest the centre first) with its ties on the map. */
    listing() {
      return this.orderedIds().map((id) => {
        const node = cy.getElementById(id);
        const ties = node.connectedEdges().map((edge) => {
          const outgoing = edge.source().id() === id;
          const other = outgoing ? edge.target() : edge.source();
          return { label: edge.data("label"), outgoing, otherId: other.id(), otherName: other.data("label"), strength: edge.data("strength"), onPath: edge.hasClass("on-path") };
        });
        return { id, name: node.data("label"), kind: node.data("kind"), internal: node.data("internal"), distance: node.data("distance"), addedBy: node.data("addedBy") ?? null, centre: node.hasClass("center"), onPath: node.hasClass("on-path"), ties };
      });
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
      relabel();
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

    /** The whole map as a PNG data URL, at twice its size, on white. */
    toPng() {
      return cy.png({ full: true, scale: 2, bg: "#ffffff" });
    },

    /** The whole map as an SVG document: what is drawn, as drawn (see mapSvg). */
    toSvg() {
      return mapSvg(cy);
    },
  };
}

const escapeXml = (text) => String(text).replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]);

/**
 * The map as SVG text: ties as straight lines (arrows on directed ones), stakeholders as circles
 * and rounded squares in their colours, and the names shown on screen, on their sides. Styles
 * are read from cytoscape, so a highlighted path or dimming comes out as on screen.
 */
export function mapSvg(cy) {
  const box = cy.elements().boundingBox({ includeLabels: true });
  const pad = 20;
  const [x0, y0] = [box.x1 - pad, box.y1 - pad];
  const [w, h] = [box.w + 2 * pad, box.h + 2 * pad];
  const parts = [];
  const sorted = cy.elements().sort((a, b) => a.pstyle("z-index").value - b.pstyle("z-index").value);
  sorted.forEach((e) => {
    const opacity = e.pstyle("opacity").value;
    if (e.isEdge()) {
      const [a, to] = [e.source().position(), e.target().position()];
      // The line ends at the target's edge, so its arrow shows.
      const length = Math.hypot(to.x - a.x, to.y - a.y) || 1;
      const back = e.target().data("size") / 2 + 1;
      const b = { x: to.x - ((to.x - a.x) * back) / length, y: to.y - ((to.y - a.y) * back) / length };
      const colour = e.pstyle("line-color").strValue;
      const width = e.pstyle("width").pfValue;
      const dash = e.pstyle("line-style").value === "dashed" ? ` stroke-dasharray="${width * 2.5} ${width * 2}"` : "";
      const arrow = e.pstyle("target-arrow-shape").value !== "none" ? ` marker-end="url(#arrow)"` : "";
      parts.push(`<line x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke="${colour}" stroke-width="${width}" opacity="${opacity}"${dash}${arrow}/>`);
      return;
    }
    const at = e.position();
    const size = e.data("size");
    const fill = e.pstyle("background-color").strValue;
    const ring = e.data("internal") ? ` stroke="#c99a06" stroke-width="4"` : ` stroke="#ffffff" stroke-width="1"`;
    parts.push(
      e.data("kind") === "PERSON"
        ? `<circle cx="${at.x}" cy="${at.y}" r="${size / 2}" fill="${fill}"${ring} opacity="${opacity}"/>`
        : `<rect x="${at.x - size / 2}" y="${at.y - size / 2}" width="${size}" height="${size}" rx="${size / 6}" fill="${fill}"${ring} opacity="${opacity}"/>`,
    );
    if (!e.hasClass("named")) return;
    const font = e.data("fontSize");
    const half = size / 2;
    const [dx, dy] = [e.data("labelDx"), e.data("labelDy")];
    const side = e.hasClass("label-top") ? "top" : e.hasClass("label-right") ? "right" : e.hasClass("label-left") ? "left" : "bottom";
    const place = {
      bottom: [at.x, at.y + half + dy + font, "middle"],
      top: [at.x, at.y - half + dy - font * 0.3, "middle"],
      right: [at.x + half + dx, at.y + font * 0.35, "start"],
      left: [at.x - half + dx, at.y + font * 0.35, "end"],
    }[side];
    const weight = e.hasClass("center") ? ` font-weight="bold"` : "";
    parts.push(
      `<text x="${place[0]}" y="${place[1]}" text-anchor="${place[2]}" font-size="${font}"${weight} opacity="${opacity}" paint-order="stroke" stroke="#ffffff" stroke-width="${font / 4}">${escapeXml(e.data("label"))}</text>`,
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${x0} ${y0} ${w} ${h}" width="${Math.round(w)}" height="${Math.round(h)}" font-family="system-ui, sans-serif" fill="#1d2733">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="4" markerHeight="4" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5a6775"/></marker></defs>`,
    `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="#ffffff"/>`,
    ...parts,
    "</svg>",
  ].join("\n");
}
