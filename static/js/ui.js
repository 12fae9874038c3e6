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

/** A form that disables its submit button while `action` runs, so a double click submits once. */
export function actionForm(className, children, submitLabel, action) {
  const button = h("button", { type: "submit" }, submitLabel);
  const form = h("form", { className, novalidate: true }, children, h("p", { className: "form-error", role: "alert" }), button);
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
