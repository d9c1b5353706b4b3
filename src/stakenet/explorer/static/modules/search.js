// Search as you type, following the ARIA combobox pattern: the input owns a listbox of results,
// arrow keys move the active option (aria-activedescendant), Enter chooses, Escape closes.

import { request } from "./graphql.js";
import { SEARCH } from "./queries.js";
import { describe, el } from "./dom.js";

const DEBOUNCE_MS = 200;

export function createSearch({ input, listbox, status }, { onChoose }) {
  let results = [];
  let active = -1;
  let timer = null;
  let inflight = null;

  function open(isOpen) {
    listbox.hidden = !isOpen;
    input.setAttribute("aria-expanded", String(isOpen));
  }

  // The status line is read by screen readers; when nothing matches it is shown as well, where
  // the list would be, so a sighted user is not left with an empty list or with nothing.
  function say(text, { shown = false } = {}) {
    status.textContent = text;
    status.classList.toggle("visually-hidden", !shown);
    status.classList.toggle("search-note", shown);
  }

  function setActive(index) {
    active = index;
    [...listbox.children].forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    const option = listbox.children[index];
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render(connection) {
    results = connection.edges.map((edge) => edge.node);
    listbox.replaceChildren(
      ...results.map((node, index) =>
        el("li", { id: `search-option-${index}`, role: "option", "aria-selected": "false", "data-index": index }, [
          el("span", { class: `kind-dot kind-${node.kind.toLowerCase()}`, "aria-hidden": "true" }),
          el("span", { class: "option-name" }, node.name),
          el("span", { class: "option-meta" }, describe(node)),
        ]),
      ),
    );
    if (!results.length) {
      open(false);
      setActive(-1);
      say("No stakeholder matches.", { shown: true });
      return;
    }
    const more = connection.totalCount > results.length ? ` of ${connection.totalCount}` : "";
    say(`${results.length}${more} results`);
    open(true);
    setActive(0);
  }

  async function run(text) {
    inflight?.abort();
    inflight = new AbortController();
    try {
      const data = await request(SEARCH, { search: text }, { signal: inflight.signal });
      if (input.value.trim() === text) render(data.stakeholders);
    } catch (error) {
      if (error.name !== "AbortError") say(`Search failed: ${error.message}`, { shown: true });
    }
  }

  function choose(index) {
    const node = results[index];
    if (!node) return;
    input.value = node.name;
    open(false);
    onChoose(node);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (!text) {
      open(false);
      say("");
      return;
    }
    timer = setTimeout(() => run(text), DEBOUNCE_MS);
  });

  input.addEventListener("keydown", (event) => {
    const count = results.length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      if (listbox.hidden) open(true);
      setActive((active + 1) % count);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      setActive((active - 1 + count) % count);
    } else if (event.key === "Enter" && !listbox.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      open(false);
      if (!results.length) say("");
    }
  });

  // mousedown, not click: choosing must happen before the input's blur closes the list.
  listbox.addEventListener("mousedown", (event) => {
    const option = event.target.closest("[role=option]");
    if (!option) return;
    event.preventDefault();
    choose(Number(option.dataset.index));
  });

  input.addEventListener("blur", () => {
    open(false);
    if (!results.length) say("");
  });
}
