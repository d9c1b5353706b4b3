// Small DOM and formatting helpers shared by the page's parts.

/** Create an element: attributes as an object, children as a node, a string or an array of them. */
export function el(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...[children].flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** SVG elements need their namespace. */
export function svg(tag, attributes = {}, children = []) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...[children].flat().filter(Boolean));
  return element;
}

export const KIND_LABELS = {
  PERSON: "Person",
  COMPANY: "Company",
  MUNICIPALITY: "Municipality",
  ORGANIZATION: "Organisation",
};

/** Enum names read as words: DECISION_MAKER → decision maker. */
export function words(enumName) {
  return enumName ? enumName.toLowerCase().replaceAll("_", " ") : "";
}

/** A one-line description of a stakeholder for lists. */
export function describe(node) {
  const extra = node.title ?? node.city ?? node.region ?? words(node.category) ?? "";
  const kind = KIND_LABELS[node.kind] ?? node.kind;
  return [node.internal ? `${kind}, ours` : kind, extra].filter(Boolean).join(" · ");
}

export function number(value, digits = 2) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

export function percent(value) {
  return `${Math.round(value * 100)} %`;
}

export function date(iso) {
  return new Date(iso).toLocaleDateString("en-GB", { year: "numeric", month: "short", day: "numeric" });
}

/** Sentiment −1..1 as a class: the colour is backed by a word, never by colour alone. */
export function sentimentClass(sentiment) {
  if (sentiment === null || sentiment === undefined) return { name: "unknown", label: "no sentiment" };
  if (sentiment >= 0.25) return { name: "positive", label: "positive" };
  if (sentiment <= -0.25) return { name: "negative", label: "negative" };
  return { name: "neutral", label: "neutral" };
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
