// The side panel: everything about the selected stakeholder. For organisations it adds who
// decides there (with the factors behind each score), where we hang on one contact, and the
// introduction paths to a chosen decision-maker.

import { request } from "./graphql.js";
import { DETAIL, INTRODUCTION_PATHS, ORGANISATION, ORGANISATION_KINDS } from "./queries.js";
import { KIND_LABELS, date, describe, el, number, percent, sentimentClass, words } from "./dom.js";
import { linkInfo, tieKind } from "./vocabulary.js";
import { describeInstant } from "./asof.js";
import { healthSection } from "./health.js";

const FACTOR_COLOURS = ["#3567c9", "#2f8f55", "#d66a1f", "#8250bd", "#c2375b", "#5b7083", "#c99a06"];

const KIND_FIELDS = {
  PERSON: [["title", "Title"], ["seniority", "Seniority", (v) => (v === "C_LEVEL" ? "C-level" : words(v))], ["email", "E-mail"], ["phone", "Phone"]],
  COMPANY: [["industry", "Industry"], ["city", "City"], ["country", "Country"], ["registrationNumber", "Registration no."], ["website", "Web site"]],
  MUNICIPALITY: [["code", "Code"], ["region", "Region"], ["country", "Country"], ["population", "Population", (v) => v.toLocaleString("en-GB")]],
  ORGANIZATION: [["category", "Category", words], ["city", "City"], ["country", "Country"], ["website", "Web site"]],
};

const METRICS = [
  ["influence", "Influence"], ["pagerank", "PageRank"], ["betweenness", "Betweenness"],
  ["closeness", "Closeness"], ["eigenvector", "Eigenvector"], ["degree", "Degree"],
  ["coreness", "Coreness (inner circle)", (v) => String(v)],
  ["constraint", "Constraint (low = broker)"], ["community", "Community", (v) => String(v)],
];

function section(title, id, children) {
  return el("section", { class: "panel-section", "aria-labelledby": id }, [el("h3", { id }, title), ...children]);
}

function definitionList(rows) {
  const items = rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]);
  return items.length ? el("dl", { class: "facts" }, items) : el("p", { class: "muted" }, "Nothing recorded.");
}

function stakeholderButton(stakeholder, actions) {
  const button = el("button", { type: "button", class: "link", "data-select": stakeholder.id }, stakeholder.name);
  button.addEventListener("click", () => actions.select(stakeholder.id));
  return button;
}

function detailsSection(s) {
  const rows = (KIND_FIELDS[s.kind] ?? [])
    .filter(([field]) => s[field] !== null && s[field] !== undefined && s[field] !== "")
    .map(([field, label, format]) => [label, format ? format(s[field]) : String(s[field])]);
  if (s.key) rows.push(["Key", s.key]);
  if (s.tags?.length) rows.push(["Tags", s.tags.join(", ")]);
  return section("Details", "panel-details", [definitionList(rows)]);
}

function metricsSection(metrics) {
  if (!metrics) {
    return section("Metrics", "panel-metrics", [el("p", { class: "muted" }, "Not computed yet: analytics run in the background.")]);
  }
  const rows = METRICS.filter(([field]) => metrics[field] !== null && metrics[field] !== undefined).map(
    ([field, label, format]) => [label, format ? format(metrics[field]) : number(metrics[field], 3)],
  );
  return section("Metrics", "panel-metrics", [definitionList(rows), el("p", { class: "muted small" }, `At revision ${metrics.revision}.`)]);
}

function tiesSection(s, actions) {
  if (!s.ties) return null;
  const items = s.ties.edges.map(({ node: tie }) => {
    const outgoing = tie.source.id === s.id;
    const other = outgoing ? tie.target : tie.source;
    const role = [tie.role, words(tie.decisionRole)].filter(Boolean).join(", ");
    return el("li", { class: "tie" }, [
      el("span", { class: "tie-kind" }, `${outgoing ? "" : "← "}${tieKind(tie.kind).label}${outgoing ? " →" : ""}`),
      stakeholderButton(other, actions),
      role ? el("span", { class: "muted small" }, role) : null,
      el("meter", { min: 0, max: 1, value: tie.strength, title: `strength ${number(tie.strength)}`, "aria-label": `strength ${number(tie.strength)}` }),
    ]);
  });
  const heading = `Ties (${s.ties.totalCount})`;
  return section(heading, "panel-ties", [items.length ? el("ul", { class: "ties" }, items) : el("p", { class: "muted" }, "No ties.")]);
}

function interactionsSection(s) {
  if (!s.interactions) return null;
  const items = s.interactions.edges.map(({ node: interaction }) => {
    const mood = sentimentClass(interaction.sentiment);
    const others = interaction.participants.map((p) => p.stakeholder).filter((p) => p.id !== s.id).map((p) => p.name);
    return el("li", { class: "interaction" }, [
      el("span", { class: `sentiment sentiment-${mood.name}`, title: `sentiment ${number(interaction.sentiment)}` }, mood.label),
      el("div", {}, [
        el("strong", {}, interaction.subject ?? words(interaction.kind)),
        el("div", { class: "muted small" }, `${date(interaction.occurredAt)} · ${words(interaction.kind)}${others.length ? ` · with ${others.join(", ")}` : ""}`),
      ]),
    ]);
  });
  const heading = `Recent interactions (${s.interactions.totalCount})`;
  return section(heading, "panel-interactions", [items.length ? el("ul", { class: "interactions" }, items) : el("p", { class: "muted" }, "No interactions recorded.")]);
}

/** One horizontal bar per decision-maker: segments are the factors' contributions to the score. */
function factorBar(dm, scale, colourOf) {
  const segments = dm.factors.map((factor) =>
    el("span", {
      class: "segment",
      style: `width:${(Math.max(0, factor.contribution) / scale) * 100}%;background:${colourOf(factor.name)}`,
      title: `${words(factor.name)}: ${number(factor.contribution, 3)}`,
    }),
  );
  const summary = dm.factors.map((f) => `${words(f.name)} ${number(f.contribution, 3)}`).join(", ");
  return el("div", { class: "factor-bar", role: "img", "aria-label": `score ${number(dm.score, 3)}: ${summary}` }, segments);
}

/** Each factor's figures on one row and its reason on the next, so the table fits the panel. */
function factorTable(dm) {
  const rows = dm.factors.flatMap((f) => [
    el("tr", {}, [
      el("th", { scope: "row" }, words(f.name)),
      el("td", {}, number(f.value)),
      el("td", {}, number(f.weight)),
      el("td", {}, number(f.contribution, 3)),
    ]),
    f.detail ? el("tr", { class: "factor-why" }, el("td", { colspan: 4, class: "small muted" }, f.detail)) : null,
  ]);
  const head = el("tr", {}, ["Factor", "Value", "Weight", "Contribution"].map((h) => el("th", { scope: "col" }, h)));
  return el("details", { class: "factor-details" }, [
    el("summary", {}, "Why this score"),
    el("table", {}, [el("thead", {}, head), el("tbody", {}, rows)]),
  ]);
}

function decisionMakersSection(decisionMakers, actions, paths) {
  const names = [...new Set(decisionMakers.flatMap((dm) => dm.factors.map((f) => f.name)))];
  const colourOf = (name) => FACTOR_COLOURS[names.indexOf(name) % FACTOR_COLOURS.length];
  const scale = Math.max(...decisionMakers.map((dm) => dm.factors.reduce((sum, f) => sum + Math.max(0, f.contribution), 0)), 1e-9);
  const legend = el(
    "ul",
    { class: "factor-legend", "aria-label": "Factors" },
    names.map((name) => el("li", {}, [el("span", { class: "swatch", style: `background:${colourOf(name)}`, "aria-hidden": "true" }), words(name)])),
  );
  const items = decisionMakers.map((dm) => {
    const pathButton = el("button", { type: "button", class: "small-button", "aria-controls": "paths" }, "Introduction paths");
    pathButton.addEventListener("click", () => paths.show(dm.person));
    return el("li", { class: "decision-maker" }, [
      el("div", { class: "dm-head" }, [
        el("span", { class: "rank" }, `${dm.rank}.`),
        stakeholderButton(dm.person, actions),
        el("span", { class: "score", title: "score" }, number(dm.score, 2)),
      ]),
      dm.person.title ? el("div", { class: "muted small" }, dm.person.title) : null,
      factorBar(dm, scale, colourOf),
      el("div", { class: "dm-actions" }, [factorTable(dm), pathButton]),
    ]);
  });
  return section("Key decision-makers", "panel-dms", [
    decisionMakers.length ? el("ol", { class: "decision-makers" }, items) : el("p", { class: "muted" }, "No decision-makers found."),
    decisionMakers.length ? legend : null,
  ]);
}

/** Severity is 0..1; three bands are enough to sort attention. */
function severityBand(severity) {
  if (severity >= 0.7) return "high";
  return severity >= 0.4 ? "medium" : "low";
}

function risksSection(risks, actions) {
  const items = risks.map((risk) =>
    el("li", { class: `risk severity-${severityBand(risk.severity)}` }, [
      el("span", { class: "risk-kind" }, `${words(risk.kind)} · ${severityBand(risk.severity)} (${number(risk.severity)})`),
      el("p", {}, risk.explanation),
      el("div", { class: "small" }, [
        risk.decisionMaker ? ["Decision-maker: ", stakeholderButton(risk.decisionMaker, actions)] : null,
        risk.contact ? [" · contact: ", stakeholderButton(risk.contact, actions)] : null,
      ].flat()),
    ]),
  );
  return section("Key-person risks", "panel-risks", [
    items.length ? el("ul", { class: "risks" }, items) : el("p", { class: "muted" }, "No key-person risks found."),
  ]);
}

function pathLabel(path) {
  return path.steps.map((step) => (step.internal ? `${step.name} (ours)` : step.name)).join(" → ");
}

/** Which path this is: its stakeholders and stored ties, in order. */
function pathKey(path) {
  return [...path.steps.map((step) => step.id), ...path.links.map((link) => link.tie?.id ?? "-")].join(" ");
}

/**
 * The introduction-path chooser: the first path is shown on the map straight away. `memory`
 * records the person and the chosen path, so a panel redrawn by a live refresh can show them
 * again; `restore` is that record.
 */
function createPaths(container, actions, memory) {
  let token = 0;

  function choose(buttons, index, path, { focus = true } = {}) {
    buttons.forEach((b, i) => b.setAttribute("aria-pressed", String(i === index)));
    memory.chosen = pathKey(path);
    actions.highlightPath(path, { focus });
  }

  async function show(person, restore = null) {
    memory.person = person;
    memory.chosen = restore?.chosen ?? null;
    const mine = ++token;
    container.replaceChildren(el("h3", { id: "paths-heading" }, `Introduction paths to ${person.name}`), el("p", { class: "muted" }, "Finding paths…"));
    let paths;
    try {
      paths = (await request(INTRODUCTION_PATHS, { to: person.id, asOf: actions.asOf() })).introductionPaths;
    } catch (error) {
      if (mine === token) container.lastChild.textContent = `Could not find paths: ${error.message}`;
      return;
    }
    // A newer answer is coming, or a redrawn panel replaced this one: this one must neither
    // fill a list nobody sees nor change what the map highlights.
    if (mine !== token || !container.isConnected) return;
    if (!paths.length) {
      container.lastChild.textContent = "None of our people reaches them within four steps.";
      return;
    }
    const buttons = paths.map((path, index) => {
      const weak = path.links[path.weakestLinkIndex];
      const weakFrom = path.steps[path.weakestLinkIndex];
      const weakTo = path.steps[path.weakestLinkIndex + 1];
      const button = el("button", { type: "button", class: "path", "aria-pressed": "false" }, [
        el("span", { class: "path-steps" }, pathLabel(path)),
        el("span", { class: "muted small" }, `strength ${number(path.strength)} · ${path.hops} hop${path.hops === 1 ? "" : "s"}`),
        weak
          ? el("span", { class: "weakest-note small" }, `weakest link: ${weakFrom.name} → ${weakTo.name} (${linkInfo(weak).label}, ${number(weak.strength)})`)
          : null,
      ]);
      button.addEventListener("click", () => choose(buttons, index, path));
      return button;
    });
    const clear = el("button", { type: "button", class: "small-button" }, "Clear highlight");
    clear.addEventListener("click", () => {
      buttons.forEach((b) => b.setAttribute("aria-pressed", "false"));
      memory.chosen = null;
      actions.clearPath();
    });
    container.replaceChildren(
      el("h3", { id: "paths-heading" }, `Introduction paths to ${person.name}`),
      el("ol", { class: "paths" }, buttons.map((b) => el("li", {}, b))),
      clear,
    );
    if (!restore) {
      choose(buttons, 0, paths[0]);
      return;
    }
    // After a refresh: the same path again, with its figures as they are now, and no jump.
    if (restore.chosen === null) return;
    const again = paths.findIndex((path) => pathKey(path) === restore.chosen);
    if (again >= 0) choose(buttons, again, paths[again], { focus: false });
    // Still there but outranked: the map must not keep a path the list no longer offers.
    else actions.pathOutranked();
  }

  return { show };
}

export function createPanel(root, actions) {
  let token = 0;
  // The introduction paths open for an organisation: { organisationId, person, chosen }.
  let openPaths = null;

  function header(s) {
    const centre = el("button", { type: "button", class: "small-button" }, "Centre map here");
    centre.addEventListener("click", () => actions.centre(s.id));
    const expand = el("button", { type: "button", class: "small-button", title: "Add this stakeholder's neighbours to the map (or double-click it)" }, "Expand neighbours");
    expand.addEventListener("click", () => actions.expand(s.id));
    const brief = ORGANISATION_KINDS.has(s.kind)
      ? el("a", { class: "small-button", href: `/brief.html#id=${encodeURIComponent(s.id)}` }, "Negotiation brief")
      : null;
    return el("header", { class: "panel-header" }, [
      el("h2", { id: "panel-title" }, s.name),
      el("p", { class: "muted" }, [
        el("span", { class: `kind-dot kind-${s.kind.toLowerCase()}`, "aria-hidden": "true" }),
        s.internal ? `${KIND_LABELS[s.kind]} · one of ours` : describe({ kind: s.kind }),
      ]),
      el("div", { class: "panel-actions" }, [centre, expand, brief]),
    ]);
  }

  /** Which instant and revision the decision-makers, paths and risks describe, as the API said;
   * with none to say it, the past instant asked about, and nothing for today. */
  function asOfNote(data, asOf) {
    const answer = data.keyDecisionMakers[0] ?? data.keyPersonRisks[0];
    if (!answer) {
      if (!asOf) return null;
      return el("p", { class: "as-of-note small", id: "panel-as-of", "data-asked": asOf },
        `As of ${describeInstant(asOf)}: no decision-makers or key-person risks.`);
    }
    const when = asOf ? `As of ${describeInstant(answer.asOf)}` : `Today (analytics of ${describeInstant(answer.asOf)})`;
    return el("p", { class: "as-of-note small", id: "panel-as-of", "data-as-of": answer.asOf, "data-revision": answer.revision, "data-asked": asOf ?? "" },
      `${when}, revision ${answer.revision}: decision-makers, introduction paths and risks.`);
  }

  async function organisationSections(s, asOf) {
    const data = await request(ORGANISATION, { id: s.id, asOf });
    const pathsBox = el("section", { id: "paths", class: "panel-section", "aria-live": "polite", "aria-labelledby": "paths-heading" });
    const earlier = openPaths?.organisationId === s.id && openPaths.person ? { ...openPaths } : null;
    openPaths = { organisationId: s.id, person: null, chosen: null };
    const paths = createPaths(pathsBox, actions, openPaths);
    if (earlier) paths.show(earlier.person, earlier);
    return [
      asOfNote(data, asOf),
      decisionMakersSection(data.keyDecisionMakers, actions, paths),
      pathsBox,
      risksSection(data.keyPersonRisks, actions),
      healthSection(s, asOf),
    ];
  }

  async function show(id) {
    const mine = ++token;
    root.setAttribute("aria-busy", "true");
    try {
      const asOf = actions.asOf();
      const { stakeholder: s } = await request(DETAIL, { id, asOf });
      if (mine !== token) return;
      if (!s) {
        root.replaceChildren(el("p", { class: "muted" }, "This stakeholder no longer exists."));
        return;
      }
      const organisation = ORGANISATION_KINDS.has(s.kind) ? await organisationSections(s, asOf) : [];
      if (mine !== token) return;
      root.replaceChildren(
        header(s),
        // A section left out is null, which replaceChildren would write out as text.
        ...organisation.filter((section) => section !== null),
        detailsSection(s),
        metricsSection(s.metrics),
        tiesSection(s, actions),
        interactionsSection(s),
      );
      root.scrollTop = 0;
      actions.shown?.(s);
    } catch (error) {
      if (mine === token) root.replaceChildren(el("p", { class: "error", role: "alert" }, `Could not load the stakeholder: ${error.message}`));
    } finally {
      if (mine === token) root.removeAttribute("aria-busy");
    }
  }

  /**
   * The highlighted path is gone: the list shown until the panel is redrawn presses none, and
   * neither does the redrawn one.
   */
  function forgetPath() {
    if (openPaths) openPaths.chosen = null;
    root.querySelectorAll("button.path[aria-pressed=true]").forEach((b) => b.setAttribute("aria-pressed", "false"));
  }

  return { show, forgetPath };
}
