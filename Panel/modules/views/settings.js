// The organizer's default widget settings; saving republishes every widget.
import { api } from "../api.js";
import { createDesigner } from "../designer.js";
import { h, showFieldErrors } from "../dom.js";
import { t } from "../i18n.js";
import { describe, toast } from "../ui.js";

export async function settingsView(main) {
  const { iframe_defaults: saved } = await api("GET", "/api/settings/iframe");
  let current = saved;
  const designer = createDesigner({ initial: saved, previewQuery: "defaults=none", onChange: (value) => { current = value; } });
  const general = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "card", id: "settings-form", novalidate: true },
    h("h1", {}, t("settingsTitle")),
    h("p", { class: "hint" }, t("settingsHint")),
    designer.element,
    general,
    h("div", { class: "actions" }, h("button", { type: "submit", id: "settings-save" }, t("saveDefaults"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    general.textContent = "";
    try {
      // The API names the fields iframe_defaults.*; the designer's slots say customization_settings.*.
      await api("PUT", "/api/settings/iframe", { iframe_defaults: designer.overrides() ?? current });
      toast(t("defaultsSaved"));
    } catch (problem) {
      const renamed = problem.problem?.errors?.map((e) => ({ ...e, field: e.field.replace(/^iframe_defaults/, "customization_settings") }));
      const rest = showFieldErrors(form, { errors: renamed });
      general.textContent = renamed ? rest.join("; ") : describe(problem);
    }
  });
  main.replaceChildren(form);
}
