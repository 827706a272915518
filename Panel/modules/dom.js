// Builds DOM nodes without ever parsing strings as HTML: every text goes through textContent,
// so nothing an organizer types can become markup in the panel.

/** h("p", {class: "x", id: "y"}, "text", child) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** SVG elements need their namespace. */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

export function clear(element) {
  while (element.firstChild) element.firstChild.remove();
  return element;
}

/** A labelled form field with a slot for the API's message about it. */
export function field({ id, label, input, hint, errorKey }) {
  const errorId = `error-${errorKey ?? id.replace(/^[a-z]+-/, "")}`;
  input.id = id;
  input.setAttribute("aria-describedby", [hint ? `${id}-hint` : null, errorId].filter(Boolean).join(" "));
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("p", { class: "error", id: errorId, role: "alert" }));
}

/** A labelled checkbox (input before its label, as checkboxes read) with a hint and an error slot. */
export function checkField({ id, label, input, hint, errorKey }) {
  const errorId = `error-${errorKey ?? id.replace(/^[a-z]+-/, "")}`;
  input.id = id;
  input.type = "checkbox";
  input.setAttribute("aria-describedby", [hint ? `${id}-hint` : null, errorId].filter(Boolean).join(" "));
  return h("div", { class: "field check-field" },
    h("div", { class: "check" }, input, h("label", { for: id }, label)),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("p", { class: "error", id: errorId, role: "alert" }));
}

/** Shows the problem+json field messages next to their inputs; returns messages it could not place. */
export function showFieldErrors(root, problem) {
  for (const element of root.querySelectorAll(".error")) element.textContent = "";
  const unplaced = [];
  for (const issue of problem?.errors ?? []) {
    const target = root.querySelector(`#error-${CSS.escape(issue.field.replaceAll(".", "-"))}`);
    if (target) target.textContent = issue.message;
    else unplaced.push(`${issue.field} ${issue.message}`);
  }
  // Focus the first field with a message: the control that names the message in its
  // aria-describedby (field() and checkField() set it; a hint may sit between the two), else the
  // element just before the message (the designer's rows).
  const first = root.querySelector(".error:not(:empty)");
  const control = first && (root.querySelector(`[aria-describedby~="${CSS.escape(first.id)}"]`) ?? first.previousElementSibling);
  control?.focus?.();
  return unplaced;
}
