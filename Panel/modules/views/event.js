// One event: the editor (create or update), the widget designer with live preview, the embed
// code, and its statistics.
import { api } from "../api.js";
import { dailyChart, timelineCSV } from "../chart.js";
import { createDesigner, PROVIDER_NAMES } from "../designer.js";
import { field, h, showFieldErrors } from "../dom.js";
import { t } from "../i18n.js";
import { addDays, browserZone, today, utcToZoned, zonedToUTC, zoneNames } from "../time.js";
import { confirmAction, describe, toast } from "../ui.js";

export async function eventView(main, { id, navigate }) {
  const event = id ? await api("GET", `/api/events/${id}`) : null;
  const zone = event?.timezone ?? browserZone();
  let customization = event?.customization_settings ?? {};

  const zoneList = h("datalist", { id: "zone-names" }, zoneNames().map((name) => h("option", { value: name })));
  const inputs = {
    title: h("input", { type: "text", required: true, maxlength: 200, value: event?.title ?? "" }),
    description: h("textarea", { rows: 4, maxlength: 5000 }, event?.description ?? ""),
    start: h("input", { type: "datetime-local", required: true, value: event ? utcToZoned(event.start_datetime, zone) : "" }),
    end: h("input", { type: "datetime-local", required: true, value: event ? utcToZoned(event.end_datetime, zone) : "" }),
    timezone: h("input", { type: "text", list: "zone-names", required: true, value: zone, autocomplete: "off" }),
    url: h("input", { type: "url", required: true, maxlength: 2000, placeholder: "https://", value: event?.webinar_url ?? "" }),
  };
  const general = h("p", { class: "error", role: "alert" });
  const designer = createDesigner({
    initial: customization,
    previewQuery: event ? `event_id=${event.id}` : "",
    onChange: (overrides) => { customization = overrides; },
  });

  const form = h("form", { id: "event-form", class: "card", novalidate: true },
    h("h1", {}, event ? t("editEvent") : t("createEvent")),
    field({ id: "event-title", label: t("title"), errorKey: "title", input: inputs.title }),
    field({ id: "event-description", label: t("description"), errorKey: "description", input: inputs.description }),
    h("div", { class: "two-columns" },
      field({ id: "event-start", label: t("start"), errorKey: "start_datetime", input: inputs.start }),
      field({ id: "event-end", label: t("end"), errorKey: "end_datetime", input: inputs.end })),
    field({ id: "event-timezone", label: t("timezone"), errorKey: "timezone", hint: t("timezoneHint"), input: inputs.timezone }),
    zoneList,
    field({ id: "event-url", label: t("webinarUrl"), errorKey: "webinar_url", input: inputs.url }),
    designer.element,
    general,
    h("div", { class: "actions" },
      h("button", { type: "submit", id: "event-save" }, event ? t("save") : t("createEvent")),
      event ? h("button", { type: "button", id: "delete-event", class: "danger", onclick: remove }, t("delete")) : null));

  form.addEventListener("submit", async (submitEvent) => {
    submitEvent.preventDefault();
    general.textContent = "";
    const timezone = inputs.timezone.value.trim();
    const body = {
      title: inputs.title.value,
      description: inputs.description.value,
      start_datetime: zonedToUTC(inputs.start.value, timezone) ?? inputs.start.value,
      end_datetime: zonedToUTC(inputs.end.value, timezone) ?? inputs.end.value,
      timezone,
      webinar_url: inputs.url.value.trim(),
      customization_settings: designer.overrides(),
    };
    try {
      const saved = event ? await api("PUT", `/api/events/${event.id}`, body) : await api("POST", "/api/events", body);
      toast(event ? t("saved") : t("created"));
      if (event) eventView(main, { id: saved.id, navigate });
      else navigate(`#/events/${saved.id}`);
    } catch (problem) {
      const rest = showFieldErrors(form, problem.problem);
      general.textContent = problem.problem?.errors ? rest.join("; ") : describe(problem);
    }
  });

  async function remove() {
    if (!(await confirmAction(t("confirmDelete"), t("delete")))) return;
    try {
      await api("DELETE", `/api/events/${event.id}`);
      toast(t("deleted"));
      navigate("#/events");
    } catch (problem) {
      general.textContent = describe(problem);
    }
  }

  const sections = [form];
  if (event) sections.push(await embedSection(event), statsSection(event));
  main.replaceChildren(...sections);
  inputs.title.focus();
}

async function embedSection(event) {
  const { iframe_html: code } = await api("GET", `/api/events/${event.id}/iframe-code`);
  const textarea = h("textarea", { id: "embed-code", readonly: true, rows: 4, class: "code" }, code);
  const copy = h("button", {
    type: "button", id: "copy-embed",
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(textarea.value);
      } catch {
        textarea.select();
        document.execCommand("copy");
      }
      copy.textContent = t("copied");
      toast(t("copied"));
      setTimeout(() => { copy.textContent = t("copy"); }, 2500);
    },
  }, t("copy"));
  return h("section", { class: "card", "aria-labelledby": "embed-heading" },
    h("h2", { id: "embed-heading" }, t("embed")),
    h("p", { class: "hint" }, t("embedHint")),
    h("label", { for: "embed-code", class: "visually-hidden" }, t("embed")),
    textarea,
    h("div", { class: "actions" }, copy,
      h("a", { href: event.widget_url, id: "live-widget-link", target: "_blank", rel: "noopener" }, t("liveWidget")),
      h("a", { href: event.ics_url, id: "ics-link" }, t("icsFile"))));
}

function statsSection(event) {
  const to = today(event.timezone);
  const inputs = {
    from: h("input", { type: "date", id: "stats-from", value: addDays(to, -29) }),
    to: h("input", { type: "date", id: "stats-to", value: to }),
  };
  const total = h("p", { class: "big-number" }, t("total"), ": ", h("strong", { id: "stats-total" }, "…"));
  const body = h("div", { id: "stats-body" });
  const error = h("p", { class: "error", role: "alert" });
  let timeline = [];
  const csv = h("button", {
    type: "button", id: "stats-csv", class: "secondary",
    onclick: () => {
      const url = URL.createObjectURL(new Blob([timelineCSV(timeline)], { type: "text/csv" }));
      const link = h("a", { href: url, download: `attendify-${event.public_id}-${inputs.from.value}-${inputs.to.value}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  }, t("csv"));

  async function load() {
    error.textContent = "";
    try {
      const query = new URLSearchParams({ from: inputs.from.value, to: inputs.to.value });
      const stats = await api("GET", `/api/events/${event.id}/stats?${query}`);
      timeline = stats.clicks_timeline;
      document.getElementById("stats-total").textContent = String(stats.total_clicks);
      const rows = Object.entries(stats.clicks_by_type).sort((a, b) => b[1] - a[1]);
      body.replaceChildren(
        h("table", { id: "stats-by-type", class: "data-table" },
          h("caption", {}, t("byProvider")),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("provider")), h("th", { scope: "col" }, t("count")))),
          h("tbody", {}, rows.map(([type, count]) => h("tr", { dataset: { type } }, h("th", { scope: "row" }, PROVIDER_NAMES[type] ?? type), h("td", {}, String(count)))))),
        h("h3", {}, t("perDay")),
        dailyChart(timeline, stats.from, stats.to));
    } catch (problem) {
      error.textContent = problem.problem?.errors?.map((e) => `${e.field}: ${e.message}`).join("; ") ?? describe(problem);
    }
  }

  const form = h("form", { class: "range", onsubmit: (submit) => { submit.preventDefault(); load(); } },
    h("label", { for: "stats-from" }, t("from")), inputs.from,
    h("label", { for: "stats-to" }, t("to")), inputs.to,
    h("button", { type: "submit", id: "stats-apply" }, t("apply")), csv);
  queueMicrotask(load);
  return h("section", { class: "card", id: "stats", "aria-labelledby": "stats-heading" },
    h("h2", { id: "stats-heading" }, t("stats")), form, error, total, body);
}
