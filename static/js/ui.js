// Small DOM helpers. Everything is built with createElement and textContent, never innerHTML,
// so text from the API can never become markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "className") element.className = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let fieldCounter = 0;

/** A labelled input; `name` is the API field it maps to, for showing field errors beside it. */
export function field(label, input) {
  const id = `f${++fieldCounter}`;
  input.id = id;
  const error = h("span", { className: "field-error", id: `${id}-error`, "aria-live": "polite" });
  input.setAttribute("aria-describedby", error.id);
  return h("div", { className: "field" }, h("label", { for: id }, label), input, error);
}

export function input(name, attributes = {}) {
  return h("input", { name, ...attributes });
}

export function select(name, options, attributes = {}) {
  return h("select", { name, ...attributes }, options.map(([value, label]) => h("option", { value }, label)));
}

/** Clears a form's messages. */
export function clearErrors(form) {
  for (const element of form.querySelectorAll(".field-error, .form-error")) element.textContent = "";
  for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
}

/** Shows an API error next to the form that caused it, and per field when the API named fields. */
export function showError(form, error) {
  clearErrors(form);
  let placed = false;
  for (const { field: name, message } of error.fields ?? []) {
    const control = form.elements.namedItem(name);
    if (control instanceof HTMLElement && control.id) {
      control.setAttribute("aria-invalid", "true");
      document.getElementById(`${control.id}-error`).textContent = message;
      placed = true;
    }
  }
  const summary = form.querySelector(".form-error");
  if (summary && (!placed || !error.fields?.length)) summary.textContent = error.message;
  else if (summary) summary.textContent = "Please correct the highlighted fields.";
}

/**
 * A form that disables its submit button while `action` runs, so a double click submits once.
 * `data-form` names the form across re-renders, so focus can come back to the same control.
 */
export function actionForm(className, children, submitLabel, action) {
  const button = h("button", { type: "submit" }, submitLabel);
  const form = h("form", { className, "data-form": className, novalidate: true }, children, h("p", { className: "form-error", role: "alert" }), button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    clearErrors(form);
    try {
      await action(form);
    } catch (error) {
      showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export function today() {
  return new Date().toISOString().slice(0, 10);
}

/** A wide table in its own horizontal scroller, so a narrow screen scrolls the table, never the page. */
export function scroller(label, table) {
  // Focusable and named, so keyboard users can scroll it too.
  return h("div", { className: "table-scroll", tabindex: 0, role: "region", "aria-label": label }, table);
}

// ---------------------------------------------------------------------------------------------
// Rendering. Every view replaces its container through `render` (or `replaceContent` when there is
// nothing to fetch), which gives all of them the same two guarantees:
//  - a render that finishes after a newer one started in the same container (another screen, a
//    re-render after an action, a user switch) is thrown away, result and error alike, so a slow
//    answer for one user never paints over the next user's screen;
//  - keyboard focus that was in the old content lands on the same control in the new content, else
//    on the first field of its form, else on its section's or the view's heading, never on <body>.

const generations = new WeakMap(); // container → number of the newest render started in it
const lastFocus = new WeakMap(); // container → focus candidates for where focus last was inside it, or null

const FOCUSABLE = "button, a[href], input, select, textarea, [tabindex]";
const FIELDS = "input:not([type=hidden]), select, textarea";

/** Watches where focus goes: a control that gets disabled (a busy submit button) drops focus on <body>. */
function trackFocus(container) {
  if (lastFocus.has(container)) return;
  lastFocus.set(container, null);
  document.addEventListener("focusin", (event) => {
    lastFocus.set(container, container.contains(event.target) ? focusCandidates(event.target, container) : null);
  });
}

/** The nearest ancestor that names a record (e.g. a table row with data-card-id) and a selector for it. */
function keyedAncestor(element, container) {
  for (let node = element; node && node !== container; node = node.parentElement) {
    const attribute = [...node.attributes].find(({ name }) => /^data-[a-z-]+-id$/.test(name));
    if (attribute) return { node, selector: `[${attribute.name}="${CSS.escape(attribute.value)}"]` };
  }
  return null;
}

/** Where to put focus back, best first, as selectors (with an index into their matches) within `container`. */
function focusCandidates(element, container) {
  const candidates = [];
  const form = element.closest("form[data-form]");
  const formSelector = form && container.contains(form) ? `form[data-form="${CSS.escape(form.dataset.form)}"]` : null;
  const name = element.getAttribute("name");
  const record = keyedAncestor(element, container);
  if (formSelector && name) candidates.push({ selector: `${formSelector} [name="${CSS.escape(name)}"]` });
  else if (formSelector && element.matches("[type=submit]")) candidates.push({ selector: `${formSelector} [type=submit]` });
  else if (element.id) candidates.push({ selector: `#${CSS.escape(element.id)}` });
  else if (record) {
    // A row's buttons change label (Freeze becomes Unfreeze), so match by position in the row.
    const index = [...record.node.querySelectorAll(FOCUSABLE)].indexOf(element);
    if (index >= 0) candidates.push({ selector: `${record.selector} :is(${FOCUSABLE})`, index });
  }
  if (formSelector) candidates.push({ selector: `${formSelector} :is(${FIELDS})` });
  const section = element.closest("section[aria-labelledby]");
  if (section && container.contains(section)) {
    candidates.push({ selector: `#${CSS.escape(section.getAttribute("aria-labelledby"))}` });
  }
  candidates.push({ selector: "h1, h2" });
  return candidates;
}

function focusFirst(container, candidates) {
  for (const { selector, index = 0 } of candidates) {
    const target = container.querySelectorAll(selector)[index];
    if (!target || target.disabled || target.closest("[hidden], [inert]")) continue;
    // Headings are not focusable by default; tabindex -1 lets a script focus them, not the Tab key.
    if (!target.matches(FOCUSABLE)) target.setAttribute("tabindex", "-1");
    target.focus();
    if (document.activeElement === target) return true;
  }
  return false;
}

/**
 * Replaces `container`'s children with `nodes`, keeping keyboard focus: if focus was inside the old
 * content (or was just dropped on <body> from it), it moves to the matching place in the new content.
 * Focus elsewhere on the page is left alone. `focus`, when given, is focused instead.
 */
export function replaceContent(container, nodes, { focus } = {}) {
  trackFocus(container);
  const active = document.activeElement;
  const inside = active && active !== container && container.contains(active);
  const dropped = !active || active === document.body;
  const candidates = inside ? focusCandidates(active, container) : dropped ? lastFocus.get(container) : null;
  container.replaceChildren(...[nodes].flat());
  if (focus) focus.focus();
  else if (candidates) focusFirst(container, candidates);
}

/**
 * Shows a view: `build` fetches the view's data and returns its nodes, and they replace `container`'s
 * children unless a newer render for the same container started meanwhile. Resolves true when shown,
 * false when discarded; a discarded build's error is dropped too, as it belongs to a screen that is gone.
 * @param {Element} container
 * @param {() => Promise<Node | Node[]> | Node | Node[]} build
 * @param {{focus?: HTMLElement}} options  see replaceContent
 */
export async function render(container, build, options = {}) {
  trackFocus(container);
  const generation = (generations.get(container) ?? 0) + 1;
  generations.set(container, generation);
  const current = () => generations.get(container) === generation;
  let nodes;
  try {
    nodes = await build();
  } catch (error) {
    if (!current()) return false;
    throw error;
  }
  if (!current()) return false;
  replaceContent(container, nodes, options);
  return true;
}
