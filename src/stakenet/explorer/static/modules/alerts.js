// The alerts list: what got worse in our access to an organisation, newest first, updated live
// by the `alertRaised` subscription. With an organisation open it can show that one's alone.

import { request, subscribe } from "./graphql.js";
import { ALERT_RAISED, ALERTS } from "./queries.js";
import { describeInstant } from "./asof.js";
import { el, words } from "./dom.js";

// The list keeps the newest this many; the API pages oldest first, so the page reads to the end.
const KEEP = 50;
const PAGE = 100;

function alertItem(alert, open) {
  const organisation = alert.organization
    ? el("button", { type: "button", class: "link", "data-select": alert.organization.id }, alert.organization.name)
    : el("span", { class: "muted" }, "an organisation deleted since");
  if (alert.organization) organisation.addEventListener("click", () => open(alert.organization.id));
  const people = alert.stakeholders.map((person) => {
    const button = el("button", { type: "button", class: "link", "data-select": person.id }, person.name);
    button.addEventListener("click", () => open(person.id));
    return button;
  });
  const severity = alert.severity.toLowerCase();
  return el("li", { class: `alert severity-${severity === "medium" ? "medium" : severity}`, "data-id": alert.id }, [
    el("div", { class: "alert-head" }, [
      el("span", { class: "alert-kind" }, `${words(alert.kind)} · ${severity}`),
      el("span", { class: "muted small" }, describeInstant(alert.raisedAt)),
    ]),
    el("p", { class: "alert-why" }, alert.explanation),
    el("div", { class: "small" }, [
      "At ", organisation,
      people.length ? [" · about ", ...people.flatMap((b, i) => (i ? [", ", b] : [b]))] : null,
      alert.clearedAt ? el("span", { class: "muted" }, ` · cleared ${describeInstant(alert.clearedAt)}`) : null,
    ].flat()),
  ]);
}

/**
 * The alerts view in `root`. `open(id)` opens a stakeholder. `setOrganisation({ id, name })`
 * (or null) offers the filter to the open organisation; `draw()` asks the API afresh.
 */
export function createAlerts(root, { open, onNew }) {
  let alerts = []; // newest first
  let organisation = null;
  let onlyOrganisation = true;
  let token = 0;

  const list = el("ol", { class: "alerts", "aria-labelledby": "alerts-title" });
  const note = el("p", { class: "muted small alerts-note" });
  const filterBox = el("input", { type: "checkbox", id: "alerts-only", checked: true });
  const filterLabel = el("label", { for: "alerts-only", class: "check" }, [filterBox, el("span", { id: "alerts-only-name" })]);
  const announce = el("p", { class: "visually-hidden", "aria-live": "polite" });
  filterBox.addEventListener("change", () => {
    onlyOrganisation = filterBox.checked;
    draw();
  });
  root.replaceChildren(el("h2", { id: "alerts-title", class: "portfolio-title" }, "Alerts"), note, filterLabel, list, announce);

  const filtered = () => (organisation && onlyOrganisation ? organisation.id : null);

  function render() {
    const about = filtered() ? `about ${organisation.name}` : "about every organisation";
    note.textContent = alerts.length
      ? `The ${alerts.length === 1 ? "alert" : `${alerts.length} latest alerts`} ${about}, newest first; new ones appear as they are raised.`
      : `No alerts ${about} yet; new ones appear as they are raised.`;
    filterLabel.hidden = !organisation;
    filterLabel.querySelector("#alerts-only-name").textContent = organisation ? ` Only ${organisation.name}` : "";
    list.replaceChildren(...alerts.map((alert) => alertItem(alert, open)));
  }

  async function draw() {
    const mine = ++token;
    root.setAttribute("aria-busy", "true");
    try {
      const organizationId = filtered();
      let after = null;
      let found = [];
      for (;;) {
        const page = (await request(ALERTS, { organizationId, first: PAGE, after })).alerts;
        found = [...found, ...page.edges.map((edge) => edge.node)].slice(-KEEP);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      if (mine !== token) return;
      alerts = found.reverse();
      render();
      root.dataset.ready = "true";
    } catch (error) {
      if (mine === token) note.textContent = `Could not read the alerts: ${error.message}`;
    } finally {
      if (mine === token) root.removeAttribute("aria-busy");
    }
  }

  function raised({ alertRaised: alert }) {
    if (filtered() && alert.organization?.id !== filtered()) return;
    if (alerts.some((known) => known.id === alert.id)) return;
    alerts = [alert, ...alerts].slice(0, KEEP);
    render();
    announce.textContent = `New alert: ${alert.explanation}`;
    onNew?.(alert);
  }

  function setOrganisation(next) {
    if ((next?.id ?? null) === (organisation?.id ?? null)) return;
    organisation = next;
    filterBox.checked = onlyOrganisation;
    if (root.dataset.ready) draw();
  }

  subscribe(ALERT_RAISED, { onNext: raised, onStatus: () => {} });
  render();
  return { draw, setOrganisation };
}
