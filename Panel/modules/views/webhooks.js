// Webhooks (`#webhooks` on the integrations screen): HTTPS endpoints told about the organizer's
// events and click milestones, each delivery signed with the webhook's secret, which is shown
// exactly once, right after the webhook is made.
import { clearProblems, instant, secretBox, showProblem } from "../account-ui.js";
import { api } from "../api.js";
import { field, h } from "../dom.js";
import { t, tParts } from "../i18n.js";
import { confirmAction, describe, toast } from "../ui.js";

/** The event types of SPEC with their text keys; ids use "_" for "." (`#webhook-event-event_created`). */
export const EVENTS = [
  ["event.created", "hookEventCreated"],
  ["event.updated", "hookEventUpdated"],
  ["event.cancelled", "hookEventCancelled"],
  ["event.deleted", "hookEventDeleted"],
  ["clicks.milestone", "hookClicksMilestone"],
];
const eventId = (type) => `webhook-event-${type.replace(".", "_")}`;
const eventName = (type) => t(EVENTS.find(([key]) => key === type)?.[1] ?? "") || type;
const STATUS_KEYS = { delivered: "deliveryDelivered", retrying: "deliveryRetrying", failed: "deliveryFailed" };

function detail(label, value) {
  return h("span", {}, ...tParts("labelled", { label }, "value", value));
}

/** The last delivery in words (the badge's colour only helps scanning). */
function lastDelivery(delivery) {
  if (!delivery) return h("p", { class: "row-meta webhook-status", dataset: { status: "none" } }, t("noDeliveries"));
  const parts = [
    h("span", { class: `status status-${delivery.status}` }, t(STATUS_KEYS[delivery.status] ?? delivery.status)),
    delivery.response_status ? detail(t("responseStatus"), h("span", { dir: "ltr" }, `HTTP ${delivery.response_status}`)) : null,
    detail(t("attempts"), String(delivery.attempts ?? 0)),
    delivery.at ? instant(delivery.at) : null,
  ];
  return h("p", { class: "row-meta webhook-status", dataset: { status: delivery.status } },
    ...tParts("labelled", { label: t("lastDelivery") }, "value", h("span", { class: "row-meta" }, ...parts)));
}

export async function webhooksSection() {
  const list = h("ul", { id: "webhooks-list", class: "row-list" });
  const empty = h("p", { id: "webhooks-empty", class: "hint" }, t("webhooksEmpty"));
  const listError = h("p", { id: "webhooks-error", class: "error", role: "alert" });
  const general = h("p", { id: "webhook-error", class: "error", role: "alert" });
  const secretSlot = h("div", { id: "webhook-secret-slot" });
  const url = h("input", { type: "url", maxlength: 2048, autocomplete: "off", required: true, dir: "ltr", placeholder: "https://" });
  const description = h("input", { type: "text", maxlength: 200, autocomplete: "off", dir: "auto" });
  const events = h("fieldset", { id: "webhook-events", class: "nested", "aria-describedby": "error-webhook-events" },
    h("legend", {}, t("webhookEvents")),
    ...EVENTS.map(([type, key]) => h("div", { class: "check" },
      h("input", { type: "checkbox", id: eventId(type), value: type }),
      h("label", { for: eventId(type) }, t(key), " ", h("code", { dir: "ltr" }, type)))),
    h("p", { class: "error", id: "error-webhook-events", role: "alert" }));
  const submit = h("button", { type: "submit", id: "webhook-submit" }, t("createWebhook"));
  const form = h("form", { id: "webhook-form", novalidate: true },
    h("h3", {}, t("newWebhook")),
    field({ id: "webhook-url", label: t("webhookUrl"), hint: t("webhookUrlHint"), errorKey: "webhook-url", input: url }),
    events,
    field({ id: "webhook-description", label: t("webhookDescription"), errorKey: "webhook-description", input: description }),
    general,
    h("div", { class: "actions tight" }, submit));
  let webhooks = [];

  function row(webhook) {
    const label = webhook.description || webhook.url;
    return h("li", { class: "row", dataset: { webhookId: webhook.id } },
      h("div", { class: "row-text" },
        // The address reads left to right inside a paragraph that follows the page's direction.
        h("p", { class: "row-title" }, h("span", { class: "webhook-url", dir: "ltr" }, webhook.url)),
        webhook.description ? h("p", { class: "row-description", dir: "auto" }, webhook.description) : null,
        h("p", { class: "row-meta" },
          detail(t("webhookEvents"), webhook.events.map(eventName).join(", ")),
          detail(t("createdAt"), instant(webhook.created_at))),
        lastDelivery(webhook.last_delivery)),
      h("button", {
        type: "button", class: "danger", id: `delete-webhook-${webhook.id}`,
        "aria-label": t("deleteWebhookOf", { name: label }), onclick: () => remove(webhook),
      }, t("deleteWebhook")));
  }

  function render() {
    list.replaceChildren(...webhooks.map(row));
    list.hidden = webhooks.length === 0;
    empty.hidden = webhooks.length > 0;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    const chosen = EVENTS.map(([type]) => type).filter((type) => form.querySelector(`#${eventId(type)}`).checked);
    if (!url.value.trim()) {
      form.querySelector("#error-webhook-url").textContent = t("webhookUrlRequired");
      url.setAttribute("aria-invalid", "true");
      url.focus();
      return;
    }
    if (chosen.length === 0) {
      form.querySelector("#error-webhook-events").textContent = t("webhookEventsRequired");
      form.querySelector(`#${eventId(EVENTS[0][0])}`).focus();
      return;
    }
    submit.disabled = true;
    try {
      const text = description.value.trim();
      const created = await api("POST", "/api/webhooks", { url: url.value.trim(), events: chosen, ...(text ? { description: text } : {}) });
      const { secret, ...shown } = created;
      webhooks.unshift({ last_delivery: null, ...shown });
      render();
      form.reset();
      const box = secretBox({
        id: "webhook-secret", heading: t("webhookCreated"), label: t("webhookSecret"), value: secret,
        warning: t("webhookSecretWarning"), onDone: () => url.focus(),
      });
      secretSlot.replaceChildren(box);
      box.reveal();
      toast(t("webhookCreatedToast"));
    } catch (problem) {
      if (problem.status === 401) throw problem;
      showProblem(form, general, problem, { prefix: "webhook-", messages: { 409: { text: t("webhooksLimit") } } });
    } finally {
      submit.disabled = false;
    }
  });

  async function remove(webhook) {
    if (!(await confirmAction(t("confirmDeleteWebhook", { url: webhook.url }), t("deleteWebhook")))) return;
    listError.textContent = "";
    try {
      await api("DELETE", `/api/webhooks/${webhook.id}`);
    } catch (problem) {
      if (problem.status === 401) throw problem;
      if (problem.status !== 404) {
        listError.textContent = describe(problem);
        return;
      }
    }
    webhooks = webhooks.filter((other) => other.id !== webhook.id);
    render();
    toast(t("webhookDeleted"));
    url.focus();
  }

  const signature = h("code", { dir: "ltr" }, "Attendify-Signature: t=…,v1=…");
  const body = h("section", { class: "card", id: "webhooks", "aria-labelledby": "webhooks-heading" },
    h("h2", { id: "webhooks-heading" }, t("webhooksTitle")),
    h("p", { class: "hint section-hint" }, t("webhooksHint")),
    h("p", { class: "hint section-hint", id: "webhook-signing" }, ...tParts("webhookSigning", {}, "header", signature)),
    secretSlot, listError, empty, list, form);
  try {
    ({ webhooks } = await api("GET", "/api/webhooks"));
    render();
  } catch (problem) {
    if (problem.status === 401) throw problem;
    empty.hidden = true;
    list.hidden = true;
    listError.textContent = describe(problem);
  }
  return body;
}
