// Pieces the account and integrations screens share: instants in the panel's language, the
// problem+json messages placed next to fields whose ids differ from the API's field names, and
// the box that shows a new secret (an API token, a webhook's signing secret) exactly once.
import { h, showFieldErrors } from "./dom.js";
import { locale, t } from "./i18n.js";
import { copyText, describe, toast } from "./ui.js";

/** "2026-05-01T09:30:00Z" -> "1 May 2026, 11:30" in the panel's language and the browser's zone. */
export function instantText(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso ?? "");
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** "2026-05-01T09:30:00Z" -> a <time> with "1 May 2026, 11:30" in the panel's language and the
 * browser's zone; `fallback` (a text) for null. */
export function instant(iso, fallback = "") {
  if (!iso) return fallback;
  return h("time", { datetime: iso }, instantText(iso));
}

/**
 * Shows a refused request: each `errors[]` entry next to its field (`prefix` + the API's field
 * name, its first segment: "scopes[0]" -> "scopes"), the rest and any detail in `general`.
 * `messages` overrides the text for a status (403: "wrong password", 409: "taken"), shown at
 * `messages.at` (an error slot id) or in `general`.
 */
export function showProblem(form, general, problem, { prefix = "", messages = {} } = {}) {
  const errors = problem.problem?.errors?.map((issue) => ({ ...issue, field: `${prefix}${String(issue.field).split(/[.[]/)[0]}` }));
  const rest = showFieldErrors(form, { errors });
  const special = messages[problem.status];
  if (special) {
    const slot = special.at ? form.querySelector(`#${CSS.escape(special.at)}`) : null;
    (slot ?? general).textContent = special.text;
    if (slot) form.querySelector(`[aria-describedby~="${CSS.escape(special.at)}"]`)?.focus();
    return;
  }
  general.textContent = errors?.length ? rest.join("; ") : describe(problem);
}

/** Clears a form's messages and invalid marks. */
export function clearProblems(form) {
  for (const element of form.querySelectorAll(".error")) element.textContent = "";
  for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
}

/**
 * The one showing of a new secret (`{id}-box`): a heading, the secret in a read-only field
 * (`{id}`) with its copy button (`copy-{id}`), the warning that it will not be shown again (the
 * field's description), and "Done" (`{id}-done`), which removes the box and calls `onDone`.
 * Focus moves to the field (which selects the secret) once the box is in the document: call
 * `box.reveal()` after inserting it.
 */
export function secretBox({ id, heading, label, value, warning, onDone }) {
  const input = h("input", {
    // dir ltr: a secret reads left to right in a right-to-left panel too.
    type: "text", id, readonly: true, value, class: "code", spellcheck: "false", autocomplete: "off", dir: "ltr",
    "aria-describedby": `${id}-hint`, onfocus: (event) => event.target.select(),
  });
  const copyLabel = t("copySecret");
  const copy = h("button", {
    type: "button", id: `copy-${id}`, class: "secondary", "aria-label": t("copySecretOf", { name: label }),
    onclick: async () => {
      await copyText(input.value, input);
      copy.textContent = t("copiedShort");
      toast(t("copied"));
      setTimeout(() => { copy.textContent = copyLabel; }, 2500);
    },
  }, copyLabel);
  const box = h("section", { class: "secret-box", id: `${id}-box`, "aria-labelledby": `${id}-heading` },
    h("h3", { id: `${id}-heading`, dir: "auto" }, heading),
    h("div", { class: "field copy-field" },
      h("label", { for: id }, label),
      h("p", { class: "hint warning", id: `${id}-hint` }, warning),
      h("div", { class: "copy-row" }, input, copy)),
    h("div", { class: "actions tight" },
      h("button", {
        type: "button", id: `${id}-done`, class: "secondary",
        onclick: () => {
          box.remove();
          onDone?.();
        },
      }, t("secretDone"))));
  box.reveal = () => input.focus();
  return box;
}
