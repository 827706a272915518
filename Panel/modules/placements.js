// An event's placements: the named places where the organizer embeds its widget (a page, a post,
// a newsletter). Each has its own widget file and embed code, so views and clicks can be told
// apart per place. Listed, added by name and deleted here through /api/events/{id}/placements.
import { api } from "./api.js";
import { field, h } from "./dom.js";
import { t } from "./i18n.js";
import { confirmAction, copyableLink, copyText, describe, toast } from "./ui.js";

/**
 * Embed code in a read-only textarea with its copy button (`{id}` and `copy-{id}`), as the
 * event's own embed code does it: the button says "Copied" for a moment and the toast says it.
 */
export function copyableCode({ id, label, value }) {
  const textarea = h("textarea", { id, readonly: true, rows: 3, class: "code", spellcheck: "false", dir: "ltr" }, value);
  const copyLabel = t("copy");
  const button = h("button", {
    type: "button", id: `copy-${id}`, class: "secondary", "aria-label": t("copyCodeOf", { name: label }),
    onclick: async () => {
      await copyText(textarea.value, textarea);
      button.textContent = t("copiedShort");
      toast(t("copied"));
      setTimeout(() => { button.textContent = copyLabel; }, 2500);
    },
  }, copyLabel);
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    textarea,
    h("div", { class: "actions tight" }, button));
}

/** The message for a refused name: the server's field message, else its detail; a name taken
 * (409) gets the panel's own sentence, since the server's is about the request. */
function refusal(problem) {
  if (problem.status === 409) return t("placementExists");
  const issues = problem.problem?.errors ?? [];
  const named = issues.filter((issue) => issue.field === "name").map((issue) => issue.message);
  if (named.length) return named.join("; ");
  if (issues.length) return issues.map((issue) => `${issue.field} ${issue.message}`).join("; ");
  return problem.problem?.detail ?? describe(problem);
}

/**
 * The placements section (`#placements`). `onChange` runs after an add or a delete (the
 * statistics' per-placement table lists every current placement).
 */
export async function placementsSection(event, { onChange = () => {} } = {}) {
  const base = `/api/events/${event.id}/placements`;
  const list = h("ul", { id: "placements-list", class: "placements" });
  const empty = h("p", { id: "placements-empty", class: "hint" }, t("placementsEmpty"));
  const listError = h("p", { class: "error", role: "alert", id: "placements-error" });
  const input = h("input", { type: "text", maxlength: 80, autocomplete: "off", required: true, dir: "auto" });
  const nameField = field({ id: "placement-name", label: t("placementName"), errorKey: "placement-name", hint: t("placementNameHint"), input });
  const nameError = nameField.querySelector("#error-placement-name");
  const add = h("button", { type: "submit", id: "placement-add" }, t("addPlacement"));
  const form = h("form", { id: "placement-form", class: "placement-form", novalidate: true }, nameField, h("div", { class: "actions tight" }, add));
  let placements = [];

  function showNameError(message) {
    nameError.textContent = message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function item(placement) {
    const headingId = `placement-heading-${placement.id}`;
    return h("li", { class: "placement", dataset: { placementId: placement.id, name: placement.name } },
      h("div", { class: "heading-row" },
        // tabindex -1: focus lands on a new placement's name, so its embed code is what comes next.
        h("h3", { id: headingId, tabindex: -1, dir: "auto" }, placement.name),
        h("button", {
          type: "button", id: `delete-placement-${placement.id}`, class: "danger",
          "aria-label": t("deletePlacementOf", { name: placement.name }), onclick: () => remove(placement),
        }, t("deletePlacement"))),
      copyableCode({ id: `placement-code-${placement.id}`, label: t("placementCode", { name: placement.name }), value: placement.iframe_html }),
      copyableCode({
        id: `placement-code-responsive-${placement.id}`, label: t("placementCodeResponsive", { name: placement.name }),
        value: placement.iframe_html_responsive ?? "",
      }),
      copyableLink({ id: `placement-url-${placement.id}`, label: t("placementUrl", { name: placement.name }), value: placement.widget_url }));
  }

  function render() {
    list.replaceChildren(...placements.map(item));
    list.hidden = placements.length === 0;
    empty.hidden = placements.length > 0;
  }

  form.addEventListener("submit", async (submit) => {
    submit.preventDefault();
    const name = input.value.trim();
    if (!name) {
      showNameError(t("placementNameRequired"));
      input.focus();
      return;
    }
    showNameError("");
    add.disabled = true;
    try {
      const created = await api("POST", base, { name });
      placements.push(created);
      render();
      input.value = "";
      toast(t("placementAdded", { name: created.name }));
      document.getElementById(`placement-heading-${created.id}`)?.focus();
      onChange();
    } catch (problem) {
      if (problem.status === 401) throw problem;
      showNameError(refusal(problem));
      input.focus();
    } finally {
      add.disabled = false;
    }
  });

  async function remove(placement) {
    if (!(await confirmAction(t("confirmDeletePlacement", { name: placement.name }), t("deletePlacement")))) return;
    listError.textContent = "";
    try {
      await api("DELETE", `${base}/${placement.id}`);
    } catch (problem) {
      // Already gone (another tab): the list below is refreshed either way.
      if (problem.status !== 404) {
        listError.textContent = describe(problem);
        return;
      }
    }
    placements = placements.filter((p) => p.id !== placement.id);
    render();
    toast(t("placementDeleted", { name: placement.name }));
    // The button that had focus is gone: the add field is the section's next useful place.
    input.focus();
    onChange();
  }

  const section = h("section", { class: "card", id: "placements", "aria-labelledby": "placements-heading" },
    h("h2", { id: "placements-heading" }, t("placements")),
    h("p", { class: "hint section-hint" }, t("placementsHint")),
    form, listError, empty, list);
  try {
    ({ placements } = await api("GET", base));
    render();
  } catch (problem) {
    if (problem.status === 401) throw problem;
    // The rest of the event screen stays usable without its placements.
    empty.hidden = true;
    list.hidden = true;
    listError.textContent = describe(problem);
  }
  return section;
}
