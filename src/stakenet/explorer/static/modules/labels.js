// Which stakeholders' names the map shows, and on which side of each: the most important first
// (the centre, a highlighted path, the selection, then by influence), each on the first side
// where its name covers no name already shown and no other stakeholder; names that fit nowhere
// wait for the user to zoom in. Names keep one size on screen, so zooming in makes room.

const SIDES = ["bottom", "top", "right", "left"];
const GAP = 3; // between a stakeholder and its name, on screen
const PAD = 2; // around each name, on screen
// Further out, for the name of an organisation ringed by its people: past the ring (on screen).
const FAR_GAPS = [30, 55, 80];

let measuring = null;

/** The width of `text` at `size` px in the map's font. */
function textWidth(text, size, bold) {
  measuring ??= document.createElement("canvas").getContext("2d");
  measuring.font = `${bold ? "bold " : ""}${size}px system-ui, sans-serif`;
  return measuring.measureText(text).width;
}

function within(box, bounds) {
  return !bounds || (box.x1 >= bounds.x1 && box.x2 <= bounds.x2 && box.y1 >= bounds.y1 && box.y2 <= bounds.y2);
}

function overlaps(a, b) {
  return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
}

/** The box a name takes on `side` of a node at `at` (model units). */
function labelBox(at, half, width, height, side, gap, pad) {
  switch (side) {
    case "bottom":
      return { x1: at.x - width / 2 - pad, x2: at.x + width / 2 + pad, y1: at.y + half + gap - pad, y2: at.y + half + gap + height + pad };
    case "top":
      return { x1: at.x - width / 2 - pad, x2: at.x + width / 2 + pad, y1: at.y - half - gap - height - pad, y2: at.y - half - gap + pad };
    case "right":
      return { x1: at.x + half + gap - pad, x2: at.x + half + gap + width + pad, y1: at.y - height / 2 - pad, y2: at.y + height / 2 + pad };
    default:
      return { x1: at.x - half - gap - width - pad, x2: at.x - half - gap + pad, y1: at.y - height / 2 - pad, y2: at.y + height / 2 + pad };
  }
}

/**
 * Decide the names for `nodes` ({ id, label, size, at, bold, always, far }, most important first) at `zoom`,
 * with names `screenSize` px high on screen, inside `bounds` (the visible part of the map: a name
 * cut by its edge counts as not shown) and clear of `obstacles` (boxes over the map, such as its
 * toolbar). A name marked `far` may also stand further out, past the people around it. Returns a
 * Map from id to `{ side, gap }` (the distance from the stakeholder), for names shown.
 */
export function chooseLabels(nodes, { zoom, screenSize, bounds = null, obstacles = [] }) {
  const size = screenSize / zoom;
  const height = size * 1.25;
  const gap = GAP / zoom;
  const pad = PAD / zoom;
  const shown = new Map();
  const taken = [];
  const bodies = nodes.map((n) => ({
    id: n.id,
    box: { x1: n.at.x - n.size / 2, x2: n.at.x + n.size / 2, y1: n.at.y - n.size / 2, y2: n.at.y + n.size / 2 },
  }));
  // A grid of cells over the bodies, so each check looks at neighbours only.
  const cell = 120 / Math.max(zoom, 0.05);
  const grid = new Map();
  const keys = (box) => {
    const found = [];
    for (let gx = Math.floor(box.x1 / cell); gx <= Math.floor(box.x2 / cell); gx += 1) {
      for (let gy = Math.floor(box.y1 / cell); gy <= Math.floor(box.y2 / cell); gy += 1) found.push(`${gx},${gy}`);
    }
    return found;
  };
  const add = (item) => keys(item.box).forEach((key) => (grid.get(key) ?? grid.set(key, []).get(key)).push(item));
  bodies.forEach(add);
  obstacles.forEach((box, index) => add({ id: `obstacle-${index}`, box }));
  const free = (box, ownId) => keys(box).every((key) => (grid.get(key) ?? []).every((item) => item.id === ownId && !item.label ? true : !overlaps(item.box, box)));
  for (const node of nodes) {
    if (!node.label) continue;
    const width = textWidth(node.label, size * (node.bold ? 1.15 : 1), node.bold);
    const gaps = node.far ? [gap, ...FAR_GAPS.map((g) => g / zoom)] : [gap];
    const tries = gaps.flatMap((g) => SIDES.map((side) => ({ side, g })));
    for (const { side, g } of tries) {
      const box = labelBox(node.at, node.size / 2, width, height, side, g, pad);
      // A name that must show (the centre's) takes its first side whatever is there.
      if (!node.always && (!free(box, node.id) || !within(box, bounds))) continue;
      shown.set(node.id, { side, gap: g });
      const item = { id: node.id, label: true, box };
      taken.push(item);
      add(item);
      break;
    }
  }
  return shown;
}
