// The portfolio: every account (an organisation we work with), the one most at risk first, with
// its coverage, interaction volume and sentiment against the 90 days before, its open risks and
// the API's explanation. Choosing an account opens it on the map and in the panel.

import { request } from "./graphql.js";
import { PORTFOLIO } from "./queries.js";
import { describeInstant } from "./asof.js";
import { KIND_LABELS, el, number, percent, words } from "./dom.js";

/** A change in words and an arrow; the arrow is decoration, the words carry it. */
function trend(change, format) {
  if (change === null || change === undefined) return el("span", { class: "trend" }, "no trend");
  if (Math.abs(change) < 1e-9) return el("span", { class: "trend" }, "unchanged");
  const up = change > 0;
  return el("span", { class: `trend trend-${up ? "up" : "down"}` }, [el("span", { "aria-hidden": "true" }, up ? "▲ " : "▼ "), `${up ? "up" : "down"} ${format(Math.abs(change))}`]);
}

function figure(label, value, change) {
  return el("div", { class: "account-figure" }, [el("dt", {}, label), el("dd", {}, [value, change ? [" ", change] : null].flat())]);
}

function account(a, open) {
  const name = el("button", { type: "button", class: "link account-name", "data-select": a.organization.id }, a.organization.name);
  name.addEventListener("click", () => open(a.organization.id));
  const risks = a.openRisks.length
    ? `${a.openRisks.length} (worst: ${words(a.openRisks[0].kind)}, ${number(a.openRisks[0].severity)})`
    : "none";
  const sentiment = a.meanSentiment === null ? "none recorded" : number(a.meanSentiment);
  return el("li", { class: "account", "data-id": a.organization.id }, [
    el("div", { class: "account-head" }, [
      el("span", { class: "rank" }, `${a.rank}.`),
      name,
      el("span", { class: "muted small" }, KIND_LABELS[a.organization.kind] ?? a.organization.kind),
      el("span", { class: "account-risk", title: "risk, 0 to 1" }, `risk ${number(a.risk)}`),
    ]),
    el("dl", { class: "account-figures" }, [
      figure("Coverage", percent(a.coverage), trend(a.coverageTrend, (v) => `${Math.round(v * 100)} pts`)),
      figure("Interactions, 90 days", `${a.interactions} (${a.interactionsBefore} before)`, trend(a.interactions - a.interactionsBefore, String)),
      figure("Sentiment", sentiment, trend(a.sentimentTrend, (v) => number(v))),
      figure("Open risks", risks),
    ]),
    el("p", { class: "account-why small" }, a.explanation),
  ]);
}

/** Draw the portfolio into `root`, asking the API afresh. */
export async function renderPortfolio(root, { open }) {
  root.setAttribute("aria-busy", "true");
  if (!root.firstChild) root.append(el("p", { class: "muted portfolio-note" }, "Reading the portfolio…"));
  try {
    const accounts = (await request(PORTFOLIO)).portfolio;
    const first = accounts[0];
    const note = first
      ? `${accounts.length} accounts, the one most at risk first; the last 90 days against the 90 before, at ${describeInstant(first.asOf)} (revision ${first.revision}).`
      : "No accounts: none of our people has a tie to an organisation or met one in the last 180 days.";
    root.replaceChildren(
      el("h2", { class: "portfolio-title", id: "portfolio-title" }, "Portfolio"),
      el("p", { class: "muted small portfolio-note" }, note),
      el("ol", { class: "accounts", "aria-labelledby": "portfolio-title" }, accounts.map((a) => account(a, open))),
    );
    root.dataset.ready = "true";
  } catch (error) {
    root.replaceChildren(el("p", { class: "error", role: "alert" }, `Could not read the portfolio: ${error.message}`));
  } finally {
    root.removeAttribute("aria-busy");
  }
}
