// What the tie kinds mean, as the server says (the `tieKinds` query): their words, their group
// and whether they read the same both ways. The page names no tie kind itself, so a kind added
// on the server is drawn, filtered and described without a change here.

import { request } from "./graphql.js";
import { TIE_KINDS } from "./queries.js";
import { words } from "./dom.js";

// Each group of kinds alike in meaning has one colour (and acquaintances a dashed line), so the
// legend stays short. A group the page does not know yet still gets a colour of its own.
const GROUP_STYLES = {
  EMPLOYMENT: { colour: "#4f6478", label: "Employment" },
  BOARD: { colour: "#2d3e50", label: "Board" },
  REPORTING: { colour: "#6f8296", label: "Reporting" },
  ACQUAINTANCE: { colour: "#8d99a6", label: "Acquaintance (dashed)", dashed: true },
  ADVICE: { colour: "#b02e6c", label: "Advice" },
  INFLUENCE: { colour: "#c2375b", label: "Influence" },
  OWNERSHIP: { colour: "#9a6b2f", label: "Ownership" },
  COMMERCIAL: { colour: "#b8862d", label: "Commercial" },
  ACCOUNT: { colour: "#c99a06", label: "Our relationship owner" },
  OTHER: { colour: "#a3adb8", label: "Other" },
};
const SPARE_COLOURS = ["#5c8f8a", "#7a6bb0", "#8f7a5c", "#5c6e8f"];

// A path's inferred link between two people of one employer is no stored tie (it has no tie).
export const COLLEAGUE_LINK = { label: "colleague of", group: "ACQUAINTANCE", symmetric: true };

let kinds = [];
let byKind = new Map();

/** Ask the server once, when the page starts. */
export async function loadVocabulary() {
  kinds = (await request(TIE_KINDS)).tieKinds;
  byKind = new Map(kinds.map((info) => [info.kind, info]));
  return kinds;
}

/** Every tie kind, in the server's order: `{ kind, label, group, symmetric }`. */
export function tieKinds() {
  return kinds;
}

/** What is known of a tie kind; a kind the server did not list reads as its own name. */
export function tieKind(kind) {
  return byKind.get(kind) ?? { kind, label: words(kind), group: "OTHER", symmetric: false };
}

/** A path's link: a stored tie of its kind, or an inferred colleague link. */
export function linkInfo(link) {
  return link.tie === null ? COLLEAGUE_LINK : tieKind(link.kind);
}

export function groupStyle(group) {
  if (GROUP_STYLES[group]) return GROUP_STYLES[group];
  const spare = [...group].reduce((sum, c) => sum + c.charCodeAt(0), 0) % SPARE_COLOURS.length;
  return { colour: SPARE_COLOURS[spare], label: words(group).replace(/^./, (c) => c.toUpperCase()) };
}

/** The groups with their kinds, in the order their first kind comes. */
export function tieGroups() {
  const groups = new Map();
  for (const info of kinds) {
    if (!groups.has(info.group)) groups.set(info.group, { group: info.group, ...groupStyle(info.group), kinds: [] });
    groups.get(info.group).kinds.push(info);
  }
  return [...groups.values()];
}
