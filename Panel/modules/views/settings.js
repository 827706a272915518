// The organizer's settings: the default widget design (saving republishes every widget) and the
// organizer feed's subscription links.
import { api } from "../api.js";
import { createDesigner } from "../designer.js";
import { h, showFieldErrors } from "../dom.js";
import { t } from "../i18n.js";
import { copyableLink, describe, toast } from "../ui.js";

/** The links of GET /api/feed in the order people use them: the plain https address (any
 * client's "subscribe by URL"), webcal (opens the system calendar), then the two web calendars. */
const FEED_LINKS = [
  ["feed_url", "feedUrl"], ["webcal_url", "webcalUrl"],
  ["google_subscribe_url", "googleSubscribeUrl"], ["outlook_subscribe_url", "outlookSubscribeUrl"],
];

async function subscriptionsSection() {
  const section = h("section", { class: "card", id: "subscriptions", "aria-labelledby": "subscriptions-heading" },
    h("h2", { id: "subscriptions-heading" }, t("subscriptions")),
    h("p", { class: "hint section-hint" }, t("subscriptionsHint")));
  try {
    const feed = await api("GET", "/api/feed");
    section.append(...FEED_LINKS.map(([key, label]) => copyableLink({ id: `org-${key}`, label: t(label), value: feed[key] ?? "" })));
  } catch (problem) {
    // Signed out is handled by the router (it re-throws); anything else stays in this section so
    // the widget defaults above remain usable.
    if (problem.status === 401) throw problem;
    section.append(h("p", { class: "error", role: "alert", id: "subscriptions-error" }, describe(problem)));
  }
  return section;
}

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
  main.replaceChildren(form, await subscriptionsSection());
}
