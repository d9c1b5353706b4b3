// The power/interest grid (Mendelow): each outside stakeholder on the current map placed by
// influence (power, up) against interaction intensity (interest, right). Our own people and
// organisation are left out: the grid is about whom we must manage, and they would set the scale.
// Both axes are relative to the highest value plotted, so the quadrant lines sit at half of it.

import { el, svg, number } from "./dom.js";
import { KIND_COLOURS } from "./map.js";

const SIZE = { width: 640, height: 480, margin: 48 };

const QUADRANTS = [
  { label: "Keep satisfied", x: 0, y: 0 },
  { label: "Manage closely", x: 1, y: 0 },
  { label: "Monitor", x: 0, y: 1 },
  { label: "Keep informed", x: 1, y: 1 },
];

function relative(values) {
  const max = Math.max(...values, 0);
  return (value) => (max > 0 ? value / max : 0);
}

function quadrantOf(power, interest) {
  if (power >= 0.5) return interest >= 0.5 ? "Manage closely" : "Keep satisfied";
  return interest >= 0.5 ? "Keep informed" : "Monitor";
}

function grid(plotWidth, plotHeight) {
  const { margin } = SIZE;
  const halfW = plotWidth / 2;
  const halfH = plotHeight / 2;
  const cells = QUADRANTS.map((q) =>
    svg("g", { class: "quadrant" }, [
      svg("rect", { x: margin + q.x * halfW, y: margin + q.y * halfH, width: halfW, height: halfH }),
      svg("text", { x: margin + q.x * halfW + 8, y: margin + q.y * halfH + 18, class: "quadrant-label" }, [document.createTextNode(q.label)]),
    ]),
  );
  const axes = [
    svg("text", { x: margin + plotWidth / 2, y: SIZE.height - 10, class: "axis-label", "text-anchor": "middle" }, [
      document.createTextNode("Interest: interaction intensity →"),
    ]),
    svg("text", { x: 14, y: margin + plotHeight / 2, class: "axis-label", "text-anchor": "middle", transform: `rotate(-90 14 ${margin + plotHeight / 2})` }, [
      document.createTextNode("Power: influence →"),
    ]),
  ];
  return [...cells, ...axes];
}

/** A focusable, clickable point; the title names it for pointer and screen-reader users alike. */
function point(stakeholder, x, y, onSelect, selectedId) {
  const label = `${stakeholder.label}: power ${number(stakeholder.power)}, interest ${number(stakeholder.interest)}, ${stakeholder.quadrant}`;
  const dot = svg("g", { class: `point${stakeholder.id === selectedId ? " selected" : ""}`, tabindex: 0, role: "button", "aria-label": label }, [
    svg("title", {}, [document.createTextNode(label)]),
    svg("circle", { cx: x, cy: y, r: 6, fill: KIND_COLOURS[stakeholder.kind] }),
  ]);
  dot.addEventListener("click", () => onSelect(stakeholder.id));
  dot.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onSelect(stakeholder.id);
    }
  });
  return dot;
}

/**
 * Labels for the points in the upper and right halves, strongest first, skipping any that would
 * overlap one already placed, so a full map stays readable. Widths are estimated from the text.
 */
function labels(placed) {
  const taken = [];
  const overlaps = (box) => taken.some((t) => box.x < t.x + t.w && t.x < box.x + box.w && box.y < t.y + t.h && t.y < box.y + box.h);
  const candidates = placed
    .filter((p) => p.stakeholder.power >= 0.5 || p.stakeholder.interest >= 0.5)
    .sort((a, b) => b.stakeholder.power + b.stakeholder.interest - (a.stakeholder.power + a.stakeholder.interest));
  const texts = [];
  for (const p of candidates) {
    const w = p.stakeholder.label.length * 5.6;
    const right = p.x + 9 + w < SIZE.width;
    const box = { x: right ? p.x + 9 : p.x - 9 - w, y: p.y - 8, w, h: 12 };
    if (overlaps(box)) continue;
    taken.push(box);
    texts.push(
      svg("text", { x: right ? p.x + 9 : p.x - 9, y: p.y + 4, class: "point-label", "text-anchor": right ? "start" : "end" }, [
        document.createTextNode(p.stakeholder.label),
      ]),
    );
  }
  return texts;
}

export function renderQuadrant(container, stakeholders, { onSelect, selectedId }) {
  const { width, height, margin } = SIZE;
  const plotWidth = width - 2 * margin;
  const plotHeight = height - 2 * margin;
  const outside = stakeholders.filter((s) => !s.internal);
  const power = relative(outside.map((s) => s.influence));
  const interest = relative(outside.map((s) => s.intensity ?? 0));
  const rated = outside.map((s) => {
    const p = power(s.influence);
    const i = interest(s.intensity ?? 0);
    return { ...s, power: p, interest: i, quadrant: quadrantOf(p, i) };
  });
  const placed = rated.map((s) => ({
    stakeholder: s,
    x: margin + s.interest * plotWidth,
    y: margin + (1 - s.power) * plotHeight,
  }));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "quadrant-chart", role: "group", "aria-label": "Power and interest of the stakeholders on the map" }, [
    ...grid(plotWidth, plotHeight),
    ...placed.map((p) => point(p.stakeholder, p.x, p.y, onSelect, selectedId)),
    ...labels(placed),
  ]);
  const note =
    "Outside stakeholders only. Both axes are relative to the highest value plotted; the lines mark half of it. Organisations take part in interactions through their people, so they sit at the left.";
  container.replaceChildren(chart, el("p", { class: "muted small" }, note));
  return rated;
}
