// The power/interest grid (Mendelow): each outside stakeholder on the current map placed by
// influence (power, up) against interaction intensity (interest, right). Our own people and
// organisation are left out: the grid is about whom we must manage, and they would set the scale.
// Both axes are relative to the highest value plotted, so the quadrant lines sit at half of it.
//
// Every point stays inside its quadrant (each half of an axis is drawn inside its own half of
// the box, clear of the lines and edges); points that would sit on top of each other are drawn as
// one with a count; every point or group is named, beside it or, where that is full, further out
// with a leader line. The axis titles explain themselves on hover or focus.

import { el, svg, number } from "./dom.js";
import { KIND_COLOURS } from "./map.js";

const SIZE = { width: 720, height: 560, left: 40, right: 12, top: 26, bottom: 58 };
const INSET = 12; // between a point and the box's edges or the quadrant lines
const MERGE = 11; // points closer than this are drawn as one, with a count
const LABEL = { size: 10, charWidth: 5.7, height: 12 };

const QUADRANTS = [
  { label: "Keep satisfied", x: 0, y: 0 },
  { label: "Manage closely", x: 1, y: 0 },
  { label: "Monitor", x: 0, y: 1 },
  { label: "Keep informed", x: 1, y: 1 },
];

const AXES = {
  power: "Power: influence in the network (PageRank blended with formal authority: title, board seats, reporting line), relative to the most influential stakeholder plotted. Upper half: at least half of that.",
  interest: "Interest: how much they deal with us (recent interactions count more), relative to the busiest stakeholder plotted. Right half: at least half of that. Organisations act through their people, so they sit at the left.",
};

function relative(values) {
  const max = Math.max(...values, 0);
  return (value) => (max > 0 ? value / max : 0);
}

function quadrantOf(power, interest) {
  if (power >= 0.5) return interest >= 0.5 ? "Manage closely" : "Keep satisfied";
  return interest >= 0.5 ? "Keep informed" : "Monitor";
}

/** 0..1 onto a span of `length` px, each half inside its own half, clear of the middle line. */
function scale(value, length) {
  const half = length / 2;
  if (value < 0.5) return INSET + (value / 0.5) * (half - 2 * INSET);
  return half + INSET + ((value - 0.5) / 0.5) * (half - 2 * INSET);
}

function plotBox() {
  const { width, height, left, right, top, bottom } = SIZE;
  return { x: left, y: top, w: width - left - right, h: height - top - bottom };
}

function tooltip(container) {
  const tip = el("div", { class: "grid-tip", role: "tooltip", id: "grid-tip", hidden: true });
  return {
    element: tip,
    show(text, target) {
      tip.textContent = text;
      tip.hidden = false;
      const box = target.getBoundingClientRect();
      const outer = container.getBoundingClientRect();
      const left = Math.min(Math.max(0, box.left - outer.left), Math.max(0, outer.width - tip.offsetWidth));
      tip.style.left = `${left}px`;
      tip.style.top = `${box.top - outer.top + container.scrollTop - tip.offsetHeight - 6}px`;
    },
    hide() {
      tip.hidden = true;
    },
  };
}

function axisTitle(text, explanation, attributes, tip) {
  const title = svg("text", { ...attributes, class: "axis-label", tabindex: 0, "aria-describedby": "grid-tip", "data-explains": explanation }, [document.createTextNode(text)]);
  const show = () => tip.show(explanation, title);
  title.addEventListener("mouseenter", show);
  title.addEventListener("focus", show);
  title.addEventListener("mouseleave", tip.hide);
  title.addEventListener("blur", tip.hide);
  return title;
}

function frame(box, tip) {
  const halfW = box.w / 2;
  const halfH = box.h / 2;
  const cells = QUADRANTS.map((q) =>
    svg("g", { class: "quadrant" }, [
      svg("rect", { x: box.x + q.x * halfW, y: box.y + q.y * halfH, width: halfW, height: halfH }),
      // Outside the box, above the upper cells and below the lower ones, clear of every point.
      svg("text", { x: box.x + q.x * halfW + halfW / 2, y: q.y ? box.y + box.h + 16 : box.y - 8, class: "quadrant-label", "text-anchor": "middle" }, [document.createTextNode(q.label)]),
    ]),
  );
  const middleY = box.y + halfH;
  const axes = [
    axisTitle("Interest: interaction intensity →", AXES.interest, { x: box.x + halfW, y: SIZE.height - 10, "text-anchor": "middle" }, tip),
    axisTitle("Power: influence →", AXES.power, { x: 16, y: middleY, "text-anchor": "middle", transform: `rotate(-90 16 ${middleY})` }, tip),
  ];
  return [...cells, ...axes];
}

/** Stakeholders at (nearly) one place become one group, strongest first. */
function groupPoints(placed) {
  const groups = [];
  for (const p of placed) {
    const near = groups.find((g) => Math.hypot(g.x - p.x, g.y - p.y) < MERGE);
    if (near) near.members.push(p.stakeholder);
    else groups.push({ x: p.x, y: p.y, members: [p.stakeholder] });
  }
  return groups;
}

function groupName(group) {
  const [first, ...rest] = group.members;
  return rest.length ? `${first.label} +${rest.length}` : first.label;
}

function describePoint(s) {
  return `${s.label}: power ${number(s.power)}, interest ${number(s.interest)}, ${s.quadrant}`;
}

/** A focusable, clickable point (or group); its title names everyone in it. */
function point(group, onSelect, selectedId) {
  const members = group.members;
  const label = members.map(describePoint).join("; ");
  const selected = members.some((s) => s.id === selectedId);
  const radius = members.length > 1 ? 8 : 6;
  const dot = svg("g", { class: `point${selected ? " selected" : ""}${members.length > 1 ? " group" : ""}`, tabindex: 0, role: "button", "aria-label": label }, [
    svg("title", {}, [document.createTextNode(label)]),
    svg("circle", members.length > 1
      ? { cx: group.x, cy: group.y, r: radius, style: `stroke:${KIND_COLOURS[members[0].kind]}` }
      : { cx: group.x, cy: group.y, r: radius, fill: KIND_COLOURS[members[0].kind] }),
    members.length > 1 ? svg("text", { x: group.x, y: group.y + 3.5, class: "point-count", "text-anchor": "middle" }, [document.createTextNode(String(members.length))]) : null,
  ].filter(Boolean));
  // A group opens its first member; the list below the grid names each of them.
  const open = () => onSelect(members[0].id);
  dot.addEventListener("click", open);
  dot.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      open();
    }
  });
  return dot;
}

// Where a name may go, nearest first: beside its point, then ever further out in 16 directions.
const CANDIDATES = [9, 22, 38, 56, 78, 104, 134, 170, 210]
  .flatMap((distance) =>
    Array.from({ length: 16 }, (_, i) => {
      // East, west, north, south first, then the diagonals, then the directions between.
      const order = [0, 8, 12, 4, 14, 10, 2, 6, 15, 13, 9, 11, 1, 3, 5, 7][i];
      const angle = (order * Math.PI) / 8;
      return { dx: Math.round(Math.cos(angle) * 1000) / 1000, dy: Math.round(Math.sin(angle) * 1000) / 1000, distance };
    }),
  );

function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * A name for every group: beside it if there is room, else further out along one of eight
 * directions with a leader line; strongest first. Returns the SVG elements and how many groups
 * went unnamed (none, unless the grid is packed beyond any room).
 */
function labels(groups, box) {
  const taken = groups.map((g) => ({ x: g.x - 8, y: g.y - 8, w: 16, h: 16 }));
  const inside = (b) => b.x >= box.x + 2 && b.x + b.w <= box.x + box.w - 2 && b.y >= box.y + 2 && b.y + b.h <= box.y + box.h - 2;
  const order = [...groups].sort((a, b) => strength(b) - strength(a));
  const elements = [];
  let unnamed = 0;
  for (const g of order) {
    const text = groupName(g);
    const w = text.length * LABEL.charWidth;
    const h = LABEL.height;
    let found = null;
    for (const { dx, dy, distance } of CANDIDATES) {
      const anchorX = g.x + dx * distance;
      const anchorY = g.y + dy * distance;
      const x = dx > 0.3 ? anchorX : dx < -0.3 ? anchorX - w : anchorX - w / 2;
      const y = dy > 0.3 ? anchorY : dy < -0.3 ? anchorY - h : anchorY - h / 2;
      const candidate = { x, y, w, h };
      if (inside(candidate) && !taken.some((t) => overlaps(t, candidate))) {
        found = { candidate, distance };
        break;
      }
    }
    if (!found) {
      unnamed += 1;
      continue;
    }
    const { candidate, distance } = found;
    taken.push(candidate);
    if (distance > 9) {
      const toX = Math.min(Math.max(g.x, candidate.x), candidate.x + candidate.w);
      const toY = Math.min(Math.max(g.y, candidate.y), candidate.y + candidate.h);
      elements.push(svg("line", { x1: g.x, y1: g.y, x2: toX, y2: toY, class: "leader" }));
    }
    elements.push(
      svg("text", { x: candidate.x, y: candidate.y + h - 3, class: "point-label" }, [document.createTextNode(text)]),
    );
  }
  return { elements, unnamed };
}

function strength(group) {
  return Math.max(...group.members.map((s) => s.power + s.interest));
}

/** The grid's content as a list, by quadrant: for screen readers and for a quick read. */
function listing(rated, onSelect) {
  const sections = QUADRANTS.map((q) => {
    const members = rated.filter((s) => s.quadrant === q.label).sort((a, b) => b.power - a.power || a.label.localeCompare(b.label));
    const items = members.map((s) => {
      const button = el("button", { type: "button", class: "link" }, s.label);
      button.addEventListener("click", () => onSelect(s.id));
      return el("li", {}, [button, el("span", { class: "muted small" }, ` power ${number(s.power)}, interest ${number(s.interest)}`)]);
    });
    return el("section", { class: "grid-quadrant" }, [
      el("h3", {}, `${q.label} (${members.length})`),
      items.length ? el("ul", {}, items) : el("p", { class: "muted small" }, "No one."),
    ]);
  });
  return el("details", { class: "grid-list" }, [el("summary", {}, "The grid as a list"), el("div", { class: "grid-sections" }, sections)]);
}

export function renderQuadrant(container, stakeholders, { onSelect, selectedId }) {
  const box = plotBox();
  const outside = stakeholders.filter((s) => !s.internal);
  const power = relative(outside.map((s) => s.influence));
  const interest = relative(outside.map((s) => s.intensity ?? 0));
  const rated = outside.map((s) => {
    const p = power(s.influence);
    const i = interest(s.intensity ?? 0);
    return { ...s, power: p, interest: i, quadrant: quadrantOf(p, i) };
  });
  const placed = [...rated]
    .sort((a, b) => b.power + b.interest - (a.power + a.interest) || a.label.localeCompare(b.label))
    .map((s) => ({ stakeholder: s, x: box.x + scale(s.interest, box.w), y: box.y + box.h - scale(s.power, box.h) }));
  const groups = groupPoints(placed);
  const tip = tooltip(container);
  const named = labels(groups, box);
  const chart = svg("svg", { viewBox: `0 0 ${SIZE.width} ${SIZE.height}`, class: "quadrant-chart", role: "group", "aria-label": "Power and interest of the stakeholders on the map" }, [
    ...frame(box, tip),
    ...named.elements,
    ...groups.map((g) => point(g, onSelect, selectedId)),
  ]);
  const note = "Outside stakeholders only. Both axes are relative to the highest value plotted; the lines mark half of it. A number on a point counts the stakeholders at that place.";
  container.replaceChildren(chart, el("p", { class: "muted small" }, note), listing(rated, onSelect), tip.element);
  return rated;
}
