// The negotiation brief for one organisation (`/brief.html#id=<global id>`): who decides there and
// why, how to reach them (each one's strongest introduction path and its weakest link), where we
// hang on one person, what happened lately, and the map around it. One page, made to be printed.

import { request } from "./modules/graphql.js";
import { BRIEF, MAP, PATHS_FOR, briefPaths } from "./modules/queries.js";
import { createMap } from "./modules/map.js";
import { loadVocabulary, linkInfo } from "./modules/vocabulary.js";
import { KIND_LABELS, date, el, number, sentimentClass, words } from "./modules/dom.js";
import { installSignIn } from "./modules/signin.js";

// What fits one printed A4 page; the rest is named as "N more in the explorer".
const RISKS_SHOWN = 3;
const INTERACTIONS_SHOWN = 8;


const $ = (selector) => document.querySelector(selector);

function section(title, children, area) {
  return el("section", { "aria-label": title, class: `brief-${area}` }, [el("h2", {}, title), ...children]);
}

/** The line under a shortened list: how many more the explorer shows (`atLeast` when not all were fetched). */
function more(count, what, atLeast = false) {
  return count > 0 ? el("p", { class: "more muted small" }, `${atLeast ? "At least " : ""}${count} more ${what} in the explorer.`) : null;
}

function describeOrganisation(s) {
  const place = [s.city ?? s.region, s.country].filter(Boolean).join(", ");
  const extra = s.industry ?? words(s.category) ?? (s.population ? `population ${s.population.toLocaleString("en-GB")}` : null);
  return [KIND_LABELS[s.kind], extra, place].filter(Boolean).join(" · ");
}

/** The factors that carry most of a score, with their reasons. */
function mainFactors(dm) {
  return [...dm.factors]
    .filter((f) => f.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, 3)
    .map((f) => el("span", { class: "factor" }, [el("strong", {}, words(f.name)), ` ${number(f.contribution, 2)}`, f.detail ? el("span", { class: "factor-detail muted small" }, ` — ${f.detail}`) : null]));
}

function decisionMakers(dms, ranked) {
  if (!dms.length) return section("Key decision-makers", [el("p", { class: "muted" }, "No decision-makers found.")], "decision-makers");
  const head = el("tr", {}, ["#", "Decision-maker", "Score", "Why"].map((h) => el("th", { scope: "col" }, h)));
  const rows = dms.map((dm) =>
    el("tr", {}, [
      el("td", { class: "number" }, String(dm.rank)),
      el("td", {}, [el("strong", {}, dm.person.name), " ", dm.person.title ? el("span", { class: "job-title muted small" }, dm.person.title) : null]),
      el("td", { class: "number" }, number(dm.score, 2)),
      el("td", {}, mainFactors(dm)),
    ]),
  );
  return section("Key decision-makers", [el("table", {}, [el("thead", {}, head), el("tbody", {}, rows)]), more(ranked - dms.length, "decision-makers")], "decision-makers");
}

function pathsSection(dms, paths) {
  const items = dms.slice(0, PATHS_FOR).map((dm, index) => {
    const path = paths[index]?.[0];
    if (!path) return el("li", {}, [el("strong", {}, dm.person.name), el("span", { class: "muted" }, ": none of our people reaches them within four steps.")]);
    const weak = path.links[path.weakestLinkIndex];
    const from = path.steps[path.weakestLinkIndex];
    const to = path.steps[path.weakestLinkIndex + 1];
    return el("li", {}, [
      el("div", {}, [el("strong", {}, `To ${dm.person.name}: `), el("span", { class: "path-steps" }, path.steps.map((s) => (s.internal ? `${s.name} (ours)` : s.name)).join(" → "))]),
      el("div", { class: "small" }, [
        `strength ${number(path.strength)} · ${path.hops} hop${path.hops === 1 ? "" : "s"} · `,
        weak ? el("span", { class: "weakest" }, `weakest link: ${from.name} → ${to.name} (${linkInfo(weak).label}, ${number(weak.strength)})`) : null,
      ]),
    ]);
  });
  return section("Introduction paths", [el("ul", { class: "paths" }, items)], "paths");
}

function severityBand(severity) {
  if (severity >= 0.7) return "high";
  return severity >= 0.4 ? "medium" : "low";
}

function risksSection(risks) {
  const items = [...risks].sort((a, b) => b.severity - a.severity).slice(0, RISKS_SHOWN).map((risk) =>
    el("li", { class: `risk ${severityBand(risk.severity)}` }, [
      el("strong", {}, `${words(risk.kind)} · ${severityBand(risk.severity)} (${number(risk.severity)})`),
      el("div", {}, risk.explanation),
    ]),
  );
  return section("Key-person risks", [items.length ? el("ul", { class: "risks" }, items) : el("p", { class: "muted" }, "No key-person risks found."), more(risks.length - items.length, "key-person risks")], "risks");
}

function interactionsSection(organisation, dms) {
  const all = new Map();
  const lists = [organisation.interactions, ...dms.map((dm) => dm.person.interactions)];
  for (const edge of lists.flatMap((list) => list.edges)) all.set(edge.node.id, edge.node);
  // Shared interactions count once, so the count is exact only when every list came whole.
  const partly = lists.some((list) => list.totalCount > list.edges.length);
  const recent = [...all.values()].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt)).slice(0, INTERACTIONS_SHOWN);
  if (!recent.length) return section("Recent interactions", [el("p", { class: "muted" }, "No interactions recorded.")], "interactions");
  const head = el("tr", {}, ["Date", "What", "With", "Sentiment"].map((h) => el("th", { scope: "col" }, h)));
  const rows = recent.map((i) => {
    const mood = sentimentClass(i.sentiment);
    return el("tr", {}, [
      el("td", { class: "number" }, date(i.occurredAt)),
      el("td", {}, [i.subject ?? words(i.kind), el("span", { class: "muted small" }, ` · ${words(i.kind)}`)]),
      el("td", {}, i.participants.map((p) => p.stakeholder.name).join(", ")),
      el("td", { class: `sentiment-${mood.name}` }, mood.label),
    ]);
  });
  return section("Recent interactions", [el("table", {}, [el("thead", {}, head), el("tbody", {}, rows)]), more(all.size - recent.length, "interactions", partly)], "interactions");
}

/** The map around the organisation, laid out out of sight and drawn into the brief as SVG. */
async function mapFigure(id) {
  const { relationshipMap: map } = await request(MAP, { id, depth: 1, minStrength: 0, limit: 60, kinds: null });
  const board = el("div", { class: "drawing-board", "aria-hidden": "true" });
  document.body.append(board);
  const explorer = createMap(board, { onSelect: () => {}, onExpand: () => {} });
  explorer.show(map);
  const drawing = explorer.toSvg();
  explorer.cy.destroy();
  board.remove();
  const figure = el("figure", {}, [el("figcaption", {}, `${map.nodes.length} stakeholders and ${map.edges.length} ties one step from ${map.center.name}.`)]);
  figure.insertAdjacentHTML("afterbegin", drawing);
  const picture = figure.querySelector("svg");
  picture.setAttribute("role", "img");
  picture.setAttribute("aria-label", `Relationship map around ${map.center.name}`);
  picture.removeAttribute("width");
  picture.removeAttribute("height");
  return section("Relationship map", [figure], "map");
}

async function start() {
  const id = new URLSearchParams(location.hash.slice(1)).get("id");
  const main = $("#brief");
  installSignIn($(".brief-tools"));
  $("#print").addEventListener("click", () => window.print());
  if (!id) {
    main.replaceChildren(el("p", {}, "Open a brief from an organisation's panel in the explorer."));
    main.removeAttribute("aria-busy");
    return;
  }
  $("#back").href = `/#id=${encodeURIComponent(id)}`;
  try {
    await loadVocabulary();
    const data = await request(BRIEF, { id });
    const organisation = data.stakeholder;
    if (!organisation) throw new Error("this organisation no longer exists");
    const dms = data.keyDecisionMakers;
    const targets = dms.slice(0, PATHS_FOR).map((dm) => dm.person.id);
    const found = targets.length ? await request(briefPaths(targets.length), Object.fromEntries(targets.map((t, i) => [`t${i}`, t]))) : {};
    const paths = targets.map((_, i) => found[`p${i}`] ?? []);
    document.title = `Negotiation brief: ${organisation.name} · stakenet`;
    main.replaceChildren(
      el("header", { class: "brief-head" }, [
        el("p", { class: "muted small" }, "Negotiation brief"),
        el("h1", {}, organisation.name),
        el("p", { class: "meta" }, `${describeOrganisation(organisation)} · prepared ${date(new Date().toISOString())}`),
      ]),
      decisionMakers(dms, data.ranked.length),
      pathsSection(dms, paths),
      risksSection(data.keyPersonRisks),
      interactionsSection(organisation, dms),
      await mapFigure(id),
    );
  } catch (error) {
    main.replaceChildren(el("p", { role: "alert" }, `Could not prepare the brief: ${error.message}`));
  } finally {
    main.removeAttribute("aria-busy");
    document.body.dataset.ready = "true";
  }
}

start();
