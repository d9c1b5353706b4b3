// The explorer page: wires search, the relationship map, the power/interest grid, the side panel
// and live refresh together. All data comes from the GraphQL API at /graphql.

import { request, subscribe } from "./modules/graphql.js";
import {
  GRAPH_CHANGED, INFLUENCE_RANKING, MAP, NETWORK_REVISION, ORGANISATION_KINDS, stillThere,
} from "./modules/queries.js";
import { createMap, KIND_COLOURS } from "./modules/map.js";
import { loadVocabulary, tieGroups, tieKind, tieKinds } from "./modules/vocabulary.js";
import { createSearch } from "./modules/search.js";
import { createPanel } from "./modules/panel.js";
import { renderQuadrant } from "./modules/quadrant.js";
import { renderPortfolio } from "./modules/portfolio.js";
import { createAlerts } from "./modules/alerts.js";
import { FIRST_DAY, asOfDay, asOfInstant, describeInstant, setAsOfDay, today } from "./modules/asof.js";
import { KIND_LABELS, date, debounce, el } from "./modules/dom.js";
import { installSignIn } from "./modules/signin.js";

// How often, and how many times, a refresh checks whether the analytics have caught up.
const ANALYTICS_WAIT_MS = 400;
const ANALYTICS_WAIT_TRIES = 75;
const $ = (selector) => document.querySelector(selector);

const state = {
  centerId: null,
  selectedId: null,
  map: null, // the last relationshipMap answer
  view: "map",
  refreshes: 0, // refreshes done: the map and the panel redrawn
  awaitingAnalytics: false, // a refresh waits for the analytics to catch up with the graph
  newAlerts: 0, // alerts raised while the alerts view was not shown
};

// ---- map settings -------------------------------------------------------------------------

function settings() {
  const kinds = [...document.querySelectorAll("input[name=tie-kind]:checked")].map((box) => box.value);
  return {
    depth: Number($("#depth").value),
    minStrength: Number($("#min-strength").value),
    limit: Number($("#limit").value),
    // null means every kind; an empty selection also means none are filtered out server-side.
    kinds: kinds.length === tieKinds().length || kinds.length === 0 ? null : kinds,
  };
}

function buildTieKindFilter() {
  const boxes = tieKinds().map((info) =>
    el("label", { class: "check" }, [el("input", { type: "checkbox", name: "tie-kind", value: info.kind, checked: true }), info.label]),
  );
  $("#tie-kinds").append(...boxes);
  for (const [id, checked] of [["#kinds-all", true], ["#kinds-none", false]]) {
    $(id).addEventListener("click", () => {
      document.querySelectorAll("input[name=tie-kind]").forEach((box) => { box.checked = checked; });
      settingsChanged();
    });
  }
}

function buildLegend() {
  const kinds = Object.entries(KIND_COLOURS).map(([kind, colour]) =>
    el("li", {}, [el("span", { class: `legend-node${kind === "PERSON" ? " round" : ""}`, style: `background:${colour}`, "aria-hidden": "true" }), KIND_LABELS[kind]]),
  );
  kinds.push(el("li", {}, [el("span", { class: "legend-node round internal", "aria-hidden": "true" }), "One of ours (gold ring)"]));
  kinds.push(el("li", {}, [el("span", { class: "legend-size", "aria-hidden": "true" }), "Size: influence"]));
  const ties = tieGroups().map((group) =>
    el("li", {}, [
      el("span", { class: `legend-edge${group.dashed ? " dashed" : ""}`, style: `border-color:${group.colour}`, "aria-hidden": "true" }),
      el("span", {}, [el("strong", {}, group.label), `: ${group.kinds.map((info) => info.label).join(", ")}`]),
    ]),
  );
  ties.push(el("li", {}, [el("span", { class: "legend-edge thick", "aria-hidden": "true" }), "Width: tie strength; arrow: direction"]));
  ties.push(el("li", {}, [el("span", { class: "legend-edge path", "aria-hidden": "true" }), "Introduction path (weakest link red)"]));
  $("#legend").append(el("ul", { class: "legend-list" }, kinds), el("ul", { class: "legend-list" }, ties));
}

// ---- the date the network is shown at -------------------------------------------------------

/** The address keeps the selected stakeholder, the chosen day and an open portfolio. */
function writeAddress() {
  const parts = [];
  if (state.selectedId) parts.push(`id=${encodeURIComponent(state.selectedId)}`);
  if (asOfDay()) parts.push(`asOf=${asOfDay()}`);
  if (state.view === "portfolio" || state.view === "alerts") parts.push(`view=${state.view}`);
  history.replaceState(null, "", parts.length ? `#${parts.join("&")}` : location.pathname);
}

/** Which date and revision the map answer describes, beside the date control. */
function describeAsOf(map) {
  const when = asOfDay() ? `As of ${date(`${asOfDay()}T12:00:00Z`)}` : "Today";
  const status = $("#as-of-status");
  status.textContent = map ? `${when} · revision ${map.revision}` : when;
  status.title = map?.asOf ? `The map describes ${describeInstant(map.asOf)}` : "The map describes the network as it is now";
}

async function asOfChanged(value) {
  const changed = setAsOfDay(value);
  // A later day, or none, shows as today even when the day shown does not change.
  $("#as-of").value = asOfDay() ?? today();
  if (!changed) return;
  document.body.dataset.asOf = asOfDay() ?? "";
  writeAddress();
  describeAsOf(null);
  // A highlighted path belongs to the answer of another date.
  clearPath();
  await loadMap();
  if (state.selectedId) await panel.show(state.selectedId);
}

// Chromium's date field fires `change` at each keystroke that leaves it a whole day or none
// (typing 2025 passes through the years 2, 20 and 202): a day is taken once typing pauses, on
// Enter or on leaving the field, so no day on the way is asked for (each a past snapshot the
// server computes), and a field half typed is not set back to today under the typist's hands.
const AS_OF_SETTLE_MS = 800;

function wireAsOf() {
  const input = $("#as-of");
  input.min = FIRST_DAY;
  input.max = today();
  input.value = asOfDay() ?? today();
  let settling = null;
  const take = () => {
    clearTimeout(settling);
    settling = null;
    asOfChanged(input.value);
  };
  input.addEventListener("change", () => {
    clearTimeout(settling);
    settling = input.value === "" && document.activeElement === input ? null : setTimeout(take, AS_OF_SETTLE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") take();
  });
  input.addEventListener("blur", () => {
    if (settling !== null || input.value === "") take();
  });
  $("#as-of-today").addEventListener("click", () => asOfChanged(null));
  $("#as-of-form").addEventListener("submit", (event) => event.preventDefault());
}

// ---- map loading ----------------------------------------------------------------------------

function describeMap(map) {
  const counts = `${map.nodes.length} stakeholders, ${map.edges.length} ties around ${map.center.name}`;
  const when = map.asOf ? ` as of ${date(map.asOf)}` : "";
  return `${counts}${when}${map.truncated ? " (limited: raise the limit or the minimum strength to see more)" : ""}.`;
}

async function loadMap({ keepPositions = false } = {}) {
  if (!state.centerId) return;
  const { depth, minStrength, limit, kinds } = settings();
  $("#map-status").textContent = "Drawing the map…";
  try {
    const data = await request(MAP, { id: state.centerId, depth, minStrength, limit, kinds, asOf: asOfInstant() });
    state.map = data.relationshipMap;
    describeAsOf(state.map);
    $("#map-empty").hidden = true;
    explorer.show(state.map, { keepPositions, selectId: state.selectedId });
    $("#map-status").textContent = describeMap(state.map);
    renderMapList();
    if (state.view === "grid") drawGrid();
  } catch (error) {
    $("#map-status").textContent = `Could not draw the map: ${error.message}`;
  }
}

/** The map as a list, for screen readers and anyone who prefers to read it. */
function renderMapList() {
  const items = explorer.listing().map((s) => {
    const open = el("button", { type: "button", class: "link" }, s.name);
    open.addEventListener("click", () => select(s.id));
    const steps = s.distance === null ? "added" : `${s.distance} step${s.distance === 1 ? "" : "s"} from the centre`;
    const where = s.centre ? "the centre" : s.addedBy ? `${steps}, added by expanding ${s.addedBy}` : steps;
    const ties = s.ties
      .sort((a, b) => b.strength - a.strength)
      .map((t) => (t.outgoing ? `${t.label} ${t.otherName}` : `${t.otherName} ${t.label} them`) + ` (${t.strength.toFixed(2)}${t.onPath ? ", on the highlighted path" : ""})`);
    return el("li", {}, [
      open,
      ` — ${KIND_LABELS[s.kind] ?? s.kind}${s.internal ? ", one of ours" : ""}, ${where}${s.onPath ? ", on the highlighted path" : ""}.`,
      ties.length ? el("span", { class: "muted small" }, ` Ties: ${ties.join("; ")}.`) : null,
    ]);
  });
  $("#map-list-items").replaceChildren(...items);
}

async function expand(id) {
  const { minStrength, limit, kinds } = settings();
  try {
    const data = await request(MAP, { id, depth: 1, minStrength, limit, kinds, asOf: asOfInstant() });
    const added = explorer.merge(data.relationshipMap, id);
    renderMapList();
    $("#map-status").textContent = `Added ${added} stakeholder${added === 1 ? "" : "s"} around ${data.relationshipMap.center.name}.`;
    if (state.view === "grid") drawGrid();
  } catch (error) {
    $("#map-status").textContent = `Could not expand: ${error.message}`;
  }
}

function select(id) {
  state.selectedId = id;
  explorer.select(id);
  panel.show(id);
  writeAddress();
  if (state.view === "grid") drawGrid();
}

async function centre(id) {
  state.centerId = id;
  state.selectedId = id;
  // A highlighted path belongs to the organisation in the panel, which is about to change.
  clearPath();
  await loadMap();
  select(id);
}

const settingsChanged = debounce(() => loadMap(), 250);

// ---- power / interest view ---------------------------------------------------------------

function drawGrid() {
  renderQuadrant($("#view-grid"), explorer.stakeholders(), { onSelect: select, selectedId: state.selectedId });
}

function drawPortfolio() {
  return renderPortfolio($("#view-portfolio"), { open: centre });
}

function showView(view) {
  state.view = view;
  writeAddress();
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const active = tab.dataset.view === view;
    tab.setAttribute("aria-selected", String(active));
    tab.tabIndex = active ? 0 : -1;
    $(`#${tab.getAttribute("aria-controls")}`).hidden = !active;
  }
  if (view === "grid") drawGrid();
  else if (view === "portfolio") drawPortfolio();
  else if (view === "alerts") {
    state.newAlerts = 0;
    $("#alerts-new").hidden = true;
    alerts.draw();
  }
  else explorer.resize();
}

function wireTabs() {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => showView(tab.dataset.view));
    // Tabs pattern: arrows move between tabs, the selected tab alone is in the tab order.
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(index + step + tabs.length) % tabs.length];
      next.focus();
      showView(next.dataset.view);
    });
  });
}

// ---- keyboard on the map -----------------------------------------------------------------

function wireMapKeys() {
  $("#map").addEventListener("keydown", (event) => {
    const ids = explorer.orderedIds();
    if (!ids.length) return;
    const at = ids.indexOf(state.selectedId);
    const actions = {
      ArrowRight: () => select(ids[(at + 1) % ids.length]),
      ArrowDown: () => select(ids[(at + 1) % ids.length]),
      ArrowLeft: () => select(ids[(at - 1 + ids.length) % ids.length]),
      ArrowUp: () => select(ids[(at - 1 + ids.length) % ids.length]),
      Enter: () => state.selectedId && expand(state.selectedId),
      "+": () => explorer.zoomBy(1.25),
      "=": () => explorer.zoomBy(1.25),
      "-": () => explorer.zoomBy(0.8),
      0: () => explorer.fit(),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
  $("#zoom-in").addEventListener("click", () => explorer.zoomBy(1.25));
  $("#zoom-out").addEventListener("click", () => explorer.zoomBy(0.8));
  $("#zoom-fit").addEventListener("click", () => explorer.fit());
  $("#save-png").addEventListener("click", () => saveMap("png"));
  $("#save-svg").addEventListener("click", () => saveMap("svg"));
  $("#map-note-close").addEventListener("click", hideNote);
}

/** Download the map as drawn, named after its centre. */
function saveMap(format) {
  if (!state.map) return;
  const name = state.map.center.name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "");
  const href = format === "png" ? explorer.toPng() : `data:image/svg+xml;charset=utf-8,${encodeURIComponent(explorer.toSvg())}`;
  const link = el("a", { href, download: `stakenet-map-${name}.${format}` });
  document.body.append(link);
  link.click();
  link.remove();
}

// ---- live refresh ------------------------------------------------------------------------

function setLive(status) {
  const text = { live: "Live", connecting: "Connecting…", offline: "Not live" }[status];
  $("#live-status").textContent = text;
  $("#live-status").dataset.status = status;
}

/**
 * What is gone of an introduction path, in words, or null if all of it is still there. Ties
 * between colleagues are derived, not stored, so only their two people are checked.
 */
async function missingFromPath(path) {
  const stored = path.links.filter((link) => link.tie);
  const ids = [...path.steps.map((step) => step.id), ...stored.map((link) => link.tie.id)];
  const variables = Object.fromEntries(ids.map((id, index) => [`n${index}`, id]));
  const found = await request(stillThere(ids.length), variables);
  const gone = path.steps.find((step, index) => !found[`n${index}`]);
  if (gone) return `${gone.name} no longer exists`;
  const names = new Map(path.steps.map((step) => [step.id, step.name]));
  const cut = stored.find((link, index) => !found[`n${path.steps.length + index}`]);
  if (cut) return `the tie between ${names.get(cut.source)} and ${names.get(cut.target)} (${tieKind(cut.kind).label}) is gone`;
  return null;
}

let noteTimer = 0;

/** A short note over the map about something the page did on its own, such as clearing a highlight. */
function showNote(text) {
  $("#map-note-text").textContent = text;
  $("#map-note").hidden = false;
  clearTimeout(noteTimer);
  noteTimer = setTimeout(hideNote, 15_000);
}

function hideNote() {
  $("#map-note").hidden = true;
}

function highlightPath(path, options) {
  hideNote();
  explorer.highlightPath(path, options);
  renderMapList();
}

function clearPath() {
  explorer.clearHighlight();
  panel.forgetPath();
  renderMapList();
}

/**
 * The refreshed list no longer offers the highlighted path. Either stronger paths outrank it,
 * or a step of it is gone (the list can be drawn from analytics newer than the check in
 * `refresh`): the note says which.
 */
async function pathOutranked() {
  const path = explorer.highlighted();
  clearPath();
  let gone = null;
  if (path) {
    try {
      gone = await missingFromPath(path);
    } catch {
      // Not known to be gone: say what the list shows.
    }
  }
  if (explorer.highlighted()) return; // another path was chosen meanwhile
  const why = gone ?? "stronger paths now lead there; pick one from the list";
  showNote(`Introduction path no longer highlighted: ${why}.`);
}

/** Whether the analytics are behind the graph now, so answers drawn now may be older than it. */
async function analyticsBehind() {
  try {
    const { revision, analyticsRevision } = (await request(NETWORK_REVISION)).networkStats;
    return analyticsRevision !== null && analyticsRevision < revision;
  } catch {
    return false; // offline: the live status says so
  }
}

async function refresh() {
  const drawnBehind = await analyticsBehind();
  const path = explorer.highlighted();
  if (path) {
    try {
      const gone = await missingFromPath(path);
      if (gone && explorer.highlighted() === path) {
        clearPath();
        showNote(`Introduction path no longer highlighted: ${gone}.`);
      }
    } catch {
      // Not known to be gone: it stays highlighted, and the next refresh checks again.
    }
  }
  await loadMap({ keepPositions: true });
  if (state.selectedId) await panel.show(state.selectedId);
  if (state.view === "portfolio") await drawPortfolio();
  state.refreshes += 1;
  refreshWhenAnalyticsCatchUp(drawnBehind);
}

const refreshSoon = debounce(refresh, 300);

/**
 * Paths, decision-makers, risks, metrics and the portfolio come from the analytics, which follow
 * a change of the graph a moment later. When a refresh drew them from analytics older than the
 * graph (they were behind when it started, or still are when it ends), draw again once the
 * analytics have caught up (or stop waiting after a while: the next change or poll refreshes
 * then).
 */
async function refreshWhenAnalyticsCatchUp(drawnBehind = false) {
  if (state.awaitingAnalytics) return;
  state.awaitingAnalytics = true;
  try {
    for (let tries = 0; tries < ANALYTICS_WAIT_TRIES; tries += 1) {
      const { networkStats } = await request(NETWORK_REVISION);
      const { revision, analyticsRevision } = networkStats;
      if (analyticsRevision === null || analyticsRevision >= revision) {
        if (tries > 0 || drawnBehind) refreshSoon();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, ANALYTICS_WAIT_MS));
    }
  } catch {
    // Offline: the live status says so, and the next change refreshes.
  } finally {
    state.awaitingAnalytics = false;
  }
}

/**
 * Refresh only when a change touches what is shown: a stakeholder on the map or the selected
 * one, or any account of an open portfolio.
 */
function onGraphChanged({ graphChanged }) {
  if (state.view === "portfolio") {
    refreshSoon();
    return;
  }
  const shown = new Set(explorer.stakeholders().map((s) => s.id));
  if (state.selectedId) shown.add(state.selectedId);
  if (graphChanged.stakeholderIds.some((id) => shown.has(id))) refreshSoon();
}

function startLive() {
  subscribe(GRAPH_CHANGED, { onNext: onGraphChanged, onStatus: setLive });
}

// ---- start -------------------------------------------------------------------------------

async function showStartingPoints() {
  const box = $("#starting-points");
  try {
    const picks = (await request(INFLUENCE_RANKING)).influenceRanking.map((r) => r.stakeholder);
    const buttons = picks.map((s) => {
      const button = el("button", { type: "button", class: "chip" }, [el("span", { class: `kind-dot kind-${s.kind.toLowerCase()}`, "aria-hidden": "true" }), s.name]);
      button.addEventListener("click", () => centre(s.id));
      return el("li", {}, button);
    });
    box.replaceChildren(...buttons);
    if (!picks.length) {
      // Nothing stored yet: say how a network gets here rather than offer an empty list.
      $("#map-empty-text").textContent =
        "The network is empty. Import a document (stakenet import FILE) or add stakeholders through the API, then search for one here.";
    }
  } catch {
    box.replaceChildren();
  }
}

let explorer;
let panel;
let alerts;

async function start() {
  installSignIn($(".topbar"));
  try {
    await loadVocabulary();
  } catch (error) {
    $("#map-status").textContent = `Could not reach the server: ${error.message}`;
  }
  buildTieKindFilter();
  buildLegend();
  // A big map is added frame by frame: its list is written again once all of it is there.
  explorer = createMap($("#map"), { onSelect: select, onExpand: expand, onDrawn: () => renderMapList() });
  alerts = createAlerts($("#view-alerts"), {
    open: centre,
    onNew: () => {
      if (state.view === "alerts") return;
      state.newAlerts += 1;
      $("#alerts-new").textContent = `${state.newAlerts} new`;
      $("#alerts-new").hidden = false;
    },
  });
  panel = createPanel($("#panel"), {
    asOf: asOfInstant,
    shown: (s) => alerts.setOrganisation(ORGANISATION_KINDS.has(s.kind) ? { id: s.id, name: s.name } : null),
    select,
    centre,
    expand,
    highlightPath,
    clearPath,
    pathOutranked,
  });
  createSearch({ input: $("#search-input"), listbox: $("#search-results"), status: $("#search-status") }, { onChoose: (node) => centre(node.id) });
  wireTabs();
  wireMapKeys();
  const address = new URLSearchParams(location.hash.slice(1));
  setAsOfDay(address.get("asOf"));
  document.body.dataset.asOf = asOfDay() ?? "";
  wireAsOf();
  describeAsOf(null);
  for (const view of ["portfolio", "alerts"]) {
    $(`#${view}-link`).addEventListener("click", (event) => {
      event.preventDefault();
      showView(view);
      $(`#tab-${view}`).focus();
    });
  }
  $("#map-form").addEventListener("input", settingsChanged);
  $("#map-form").addEventListener("submit", (event) => event.preventDefault());
  $("#min-strength").addEventListener("input", () => { $("#min-strength-value").value = Number($("#min-strength").value).toFixed(2); });
  // Phones start with the settings folded away so the map gets the screen.
  if (matchMedia("(max-width: 760px)").matches) $("#controls").open = false;
  window.addEventListener("resize", debounce(() => explorer.resize(), 150));

  window.__stakenet = { state, explorer, get cy() { return explorer.cy; }, centre, select, expand };
  startLive();

  const fromHash = address.get("id");
  if (["portfolio", "alerts"].includes(address.get("view"))) showView(address.get("view"));
  if (fromHash) await centre(fromHash);
  else await showStartingPoints();
  document.body.dataset.ready = "true";
}

start();
