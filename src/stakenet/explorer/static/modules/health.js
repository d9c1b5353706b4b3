// The relationship-health chart of an organisation's panel: interactions per month (bars), their
// mean sentiment (dots on a −1..1 strip) and our coverage of its top decision-makers (a line),
// for the twelve months up to the date the explorer shows. Drawn as SVG by hand; a table holds
// the same figures for screen readers and anyone who prefers to read them.

import { request } from "./graphql.js";
import { RELATIONSHIP_HEALTH } from "./queries.js";
import { periodEnd } from "./asof.js";
import { el, number, percent, sentimentClass, svg } from "./dom.js";

const MONTHS = 12;
// The chart's own coordinates; the SVG scales to the panel's width.
const WIDTH = 360;
const LEFT = 30;
const RIGHT = 330;
const BARS_TOP = 12;
const BARS_BOTTOM = 122;
const MOOD_MIDDLE = 156; // the sentiment strip: 0 here, ±1 at ±MOOD_HALF
const MOOD_HALF = 18;
const MONTH_LABELS = 196;
const HEIGHT = 204;

// The first instant the API's dates can name.
const EARLIEST = "0001-01-01T00:00:00.000Z";

/** The first instant of the calendar month (UTC) `months` before the one `iso` falls in, or
 * the first instant of year 1 if that month is earlier. */
function monthStart(iso, months) {
  const at = new Date(iso);
  // setUTCFullYear, not Date.UTC, which reads the years 0 to 99 as 1900 to 1999.
  const start = new Date(0);
  start.setUTCFullYear(at.getUTCFullYear(), at.getUTCMonth() - months, 1);
  return start < new Date(EARLIEST) ? EARLIEST : start.toISOString();
}

/** "Jul", "July 2024" ("long") or "Jul 2024" ("year"). */
function monthName(iso, style = "short") {
  const month = style === "long" ? "long" : "short";
  return new Date(iso).toLocaleDateString("en-GB", { month, year: style === "short" ? undefined : "numeric", timeZone: "UTC" });
}

/** The smallest of 1, 2, 5 × 10ⁿ at or above `value`: the top of the count axis. */
function niceCeiling(value) {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((top) => top >= value);
}

function chart(points, from, to) {
  const slot = (RIGHT - LEFT) / points.length;
  const centre = (index) => LEFT + slot * (index + 0.5);
  const top = niceCeiling(Math.max(...points.map((p) => p.interactions)));
  const barY = (count) => BARS_BOTTOM - (count / top) * (BARS_BOTTOM - BARS_TOP);
  const coverageY = (share) => BARS_BOTTOM - share * (BARS_BOTTOM - BARS_TOP);
  const total = points.reduce((sum, p) => sum + p.interactions, 0);
  const last = points[points.length - 1];
  const summary = `Interactions per month from ${monthName(points[0].start, "long")} to ${monthName(last.start, "long")}: `
    + `${total} in all. Coverage of the top decision-makers at the end: ${percent(last.coverage)}. The table below has every month.`;

  const grid = [
    svg("line", { x1: LEFT, x2: RIGHT, y1: BARS_BOTTOM, y2: BARS_BOTTOM, class: "axis" }),
    svg("line", { x1: LEFT, x2: RIGHT, y1: BARS_TOP, y2: BARS_TOP, class: "gridline" }),
    svg("text", { x: LEFT - 4, y: BARS_TOP + 4, class: "tick", "text-anchor": "end" }, String(top)),
    svg("text", { x: LEFT - 4, y: BARS_BOTTOM + 4, class: "tick", "text-anchor": "end" }, "0"),
    svg("text", { x: RIGHT + 4, y: BARS_TOP + 4, class: "tick coverage-tick" }, "100%"),
    svg("text", { x: RIGHT + 4, y: BARS_BOTTOM + 4, class: "tick coverage-tick" }, "0%"),
    svg("line", { x1: LEFT, x2: RIGHT, y1: MOOD_MIDDLE, y2: MOOD_MIDDLE, class: "gridline" }),
    svg("text", { x: LEFT - 4, y: MOOD_MIDDLE - MOOD_HALF + 4, class: "tick", "text-anchor": "end" }, "+1"),
    svg("text", { x: LEFT - 4, y: MOOD_MIDDLE + 4, class: "tick", "text-anchor": "end" }, "0"),
    svg("text", { x: LEFT - 4, y: MOOD_MIDDLE + MOOD_HALF + 4, class: "tick", "text-anchor": "end" }, "−1"),
  ];
  const bars = points.map((p, index) =>
    svg("rect", {
      class: "health-bar",
      x: centre(index) - slot * 0.32,
      width: slot * 0.64,
      y: barY(p.interactions),
      height: BARS_BOTTOM - barY(p.interactions),
      "data-count": p.interactions,
    }, svg("title", {}, `${monthName(p.start, "long")}: ${p.interactions} interaction${p.interactions === 1 ? "" : "s"}`)),
  );
  const moods = points.flatMap((p, index) => {
    if (p.meanSentiment === null) return [];
    const mood = sentimentClass(p.meanSentiment);
    return [svg("circle", {
      class: `health-mood mood-${mood.name}`,
      cx: centre(index),
      cy: MOOD_MIDDLE - p.meanSentiment * MOOD_HALF,
      r: 4,
      "data-sentiment": p.meanSentiment,
    }, svg("title", {}, `${monthName(p.start, "long")}: mean sentiment ${number(p.meanSentiment)} (${mood.label})`))];
  });
  const line = points.map((p, index) => `${centre(index)},${coverageY(p.coverage)}`).join(" ");
  const coverage = [
    svg("polyline", { class: "health-coverage", points: line }),
    ...points.map((p, index) => svg("circle", { class: "health-coverage-point", cx: centre(index), cy: coverageY(p.coverage), r: 2.5, "data-coverage": p.coverage },
      svg("title", {}, `${monthName(p.start, "long")}: coverage ${percent(p.coverage)} of ${p.decisionMakers} top decision-makers`))),
  ];
  const labels = points.map((p, index) =>
    svg("text", { x: centre(index), y: MONTH_LABELS, class: "tick", "text-anchor": "middle" }, monthName(p.start).slice(0, 3)),
  );
  return svg("svg", {
    class: "health-chart",
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-label": summary,
    "data-from": from,
    "data-to": to,
  }, [...grid, ...bars, ...coverage, ...moods, ...labels]);
}

function table(points) {
  const head = el("tr", {}, ["Month", "Interactions", "Sentiment", "Coverage"].map((h) => el("th", { scope: "col" }, h)));
  const rows = points.map((p) =>
    el("tr", {}, [
      el("th", { scope: "row" }, monthName(p.start, "year")),
      el("td", {}, String(p.interactions)),
      el("td", {}, p.meanSentiment === null ? "none recorded" : `${number(p.meanSentiment)} (${sentimentClass(p.meanSentiment).label})`),
      el("td", {}, `${percent(p.coverage)} of ${p.decisionMakers}`),
    ]),
  );
  return el("details", { class: "health-table" }, [
    el("summary", {}, "The chart as a table"),
    el("table", {}, [el("thead", {}, head), el("tbody", {}, rows)]),
  ]);
}

const LEGEND = el("ul", { class: "health-legend", "aria-hidden": "true" }, [
  el("li", {}, [el("span", { class: "key key-bar" }), "interactions"]),
  el("li", {}, [el("span", { class: "key key-line" }), "coverage of the top decision-makers (right axis)"]),
  el("li", {}, [el("span", { class: "key key-mood" }), "mean sentiment (−1 to +1, lower strip)"]),
]);

/** The section, filled in when the API answers; `asOf` null is the twelve months up to now. */
export function healthSection(organisation, asOf) {
  const body = el("div", { class: "health-body" }, el("p", { class: "muted" }, "Reading the last twelve months…"));
  const box = el("section", { class: "panel-section", id: "health", "aria-labelledby": "panel-health" }, [
    el("h3", { id: "panel-health" }, "Relationship health, last 12 months"),
    body,
  ]);
  const to = asOf ?? periodEnd();
  const from = monthStart(to, MONTHS - 1);
  request(RELATIONSHIP_HEALTH, { id: organisation.id, from, to })
    .then(({ relationshipHealth: points }) => {
      body.replaceChildren(chart(points, from, to), LEGEND.cloneNode(true), table(points));
      box.dataset.ready = "true";
    })
    .catch((error) => {
      body.replaceChildren(el("p", { class: "error" }, `Could not read the relationship health: ${error.message}`));
    });
  return box;
}
