// One event: its status (cancel / reinstate), the editor (create or update) with its "Repeats"
// section for a series, the widget designer with live preview, the embed code, its placements
// (modules/placements.js), its calendar feed, and its statistics: views, unique visitors, clicks,
// the funnel, per day and per placement (one set per event: a series' sessions share its widget).
import { api } from "../api.js";
import { formatCount, funnel, rateNode, trafficChart } from "../chart.js";
import { createDesigner, providerName } from "../designer.js";
import { checkField, field, h, showFieldErrors } from "../dom.js";
import { t, tParts } from "../i18n.js";
import { copyableCode, placementsSection } from "../placements.js";
import { createRecurrenceEditor, formatSession, placeRecurrenceErrors, seriesSummary } from "../recurrence.js";
import { eventState, stateHint, statusBadge } from "../status.js";
import { addDays, browserZone, today, utcToZoned, zonedToUTC, zoneNames } from "../time.js";
import { confirmAction, copyableLink, copyText, describe, toast } from "../ui.js";

export async function eventView(main, { id, navigate }) {
  const event = id ? await api("GET", `/api/events/${id}`) : null;
  const zone = event?.timezone ?? browserZone();
  let customization = event?.customization_settings ?? {};

  const zoneList = h("datalist", { id: "zone-names" }, zoneNames().map((name) => h("option", { value: name })));
  const inputs = {
    // dir auto: the organizer's own text runs in its own direction, whatever the panel's.
    title: h("input", { type: "text", required: true, maxlength: 200, value: event?.title ?? "", dir: "auto" }),
    description: h("textarea", { rows: 4, maxlength: 5000, dir: "auto" }, event?.description ?? ""),
    start: h("input", { type: "datetime-local", required: true, value: event ? utcToZoned(event.start_datetime, zone) : "" }),
    end: h("input", { type: "datetime-local", required: true, value: event ? utcToZoned(event.end_datetime, zone) : "" }),
    // Zone names, links and code read left to right in a right-to-left panel too (dir ltr).
    timezone: h("input", { type: "text", list: "zone-names", required: true, value: zone, autocomplete: "off", dir: "ltr" }),
    url: h("input", { type: "url", required: true, maxlength: 2000, placeholder: "https://", value: event?.webinar_url ?? "", dir: "ltr" }),
    recording: h("input", { type: "url", maxlength: 2000, placeholder: "https://", value: event?.recording_url ?? "", dir: "ltr" }),
    // New events are listed unless the organizer unticks it (the API's default too).
    listed: h("input", { type: "checkbox", checked: event ? event.listed !== false : true }),
  };
  const general = h("p", { class: "error", role: "alert" });
  const lifecycle = event ? lifecycleControls(event) : null;
  // The rule reads the first session's local date and time and the zone from the fields above.
  const recurrence = createRecurrenceEditor({
    initial: event?.recurrence ?? null,
    zone,
    context: () => ({ start: inputs.start.value, end: inputs.end.value, zone: inputs.timezone.value.trim() }),
  });
  for (const input of [inputs.start, inputs.end, inputs.timezone]) {
    input.addEventListener("input", recurrence.contextChanged);
    input.addEventListener("change", recurrence.contextChanged);
  }
  // What the event's unset keys fall back to, so the designer's notes on published colours (and
  // the indexing box) start from the organizer's defaults; without them, from the server's own.
  const inherited = await api("GET", "/api/settings/iframe").then((answer) => answer.iframe_defaults ?? {}, (problem) => {
    if (problem.status === 401) throw problem;
    return {};
  });
  const designer = createDesigner({
    initial: customization,
    inherited,
    previewQuery: event ? `event_id=${event.id}` : "",
    onChange: (overrides) => { customization = overrides; },
  });

  const form = h("form", { id: "event-form", class: "card", novalidate: true },
    h("h1", {}, event ? t("editEvent") : t("createEvent")),
    event ? lifecycle.element : null,
    event?.recurrence ? seriesInfo(event) : null,
    field({ id: "event-title", label: t("title"), errorKey: "title", input: inputs.title }),
    field({ id: "event-description", label: t("description"), errorKey: "description", input: inputs.description }),
    h("div", { class: "two-columns" },
      field({ id: "event-start", label: t("start"), errorKey: "start_datetime", input: inputs.start }),
      field({ id: "event-end", label: t("end"), errorKey: "end_datetime", input: inputs.end })),
    field({ id: "event-timezone", label: t("timezone"), errorKey: "timezone", hint: t("timezoneHint"), input: inputs.timezone }),
    zoneList,
    recurrence.element,
    field({ id: "event-url", label: t("webinarUrl"), errorKey: "webinar_url", input: inputs.url }),
    field({ id: "event-recording-url", label: t("recordingUrl"), errorKey: "recording_url", hint: t("recordingHint"), input: inputs.recording }),
    checkField({ id: "event-listed", label: t("listed"), errorKey: "listed", hint: t("listedHint"), input: inputs.listed }),
    designer.element,
    general,
    h("div", { class: "actions" },
      h("button", { type: "submit", id: "event-save" }, event ? t("save") : t("createEvent")),
      event ? h("button", { type: "button", id: "delete-event", class: "danger", onclick: remove }, t("delete")) : null));

  form.addEventListener("submit", async (submitEvent) => {
    submitEvent.preventDefault();
    general.textContent = "";
    // A preview still waiting for its debounce is run now: the exdates sent are read from the
    // session list that matches what the form holds at this moment.
    await recurrence.flush();
    const timezone = inputs.timezone.value.trim();
    const body = {
      title: inputs.title.value,
      description: inputs.description.value,
      start_datetime: zonedToUTC(inputs.start.value, timezone) ?? inputs.start.value,
      end_datetime: zonedToUTC(inputs.end.value, timezone) ?? inputs.end.value,
      timezone,
      webinar_url: inputs.url.value.trim(),
      // Empty means "no recording": null clears one that was set (the server also reads "" so).
      recording_url: inputs.recording.value.trim() || null,
      listed: inputs.listed.checked,
      customization_settings: designer.overrides(),
      // Always sent, null included: turning "Repeats" off makes a series a one-off again.
      recurrence: recurrence.value(),
    };
    try {
      const saved = event ? await api("PUT", `/api/events/${event.id}`, body) : await api("POST", "/api/events", body);
      toast(event ? t("saved") : t("created"));
      if (event) eventView(main, { id: saved.id, navigate });
      else navigate(`#/events/${saved.id}`);
    } catch (problem) {
      const rest = showFieldErrors(form, placeRecurrenceErrors(form, problem.problem));
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
  if (event) {
    const stats = statsSection(event);
    sections.push(await embedSection(event), await placementsSection(event, { onChange: stats.reload }), feedSection(event), stats.element);
  }
  main.replaceChildren(...sections);
  inputs.title.focus();
}

/**
 * The event's status with the one action that changes it: "Cancel event" while it is scheduled
 * (ended included: a cancelled past event tells subscribed calendars it never took place),
 * "Reinstate event" once cancelled. Both ask first in the shell's <dialog>. The change is applied
 * in place, not by re-rendering the screen, so unsaved edits in the form below survive it.
 */
function lifecycleControls(initial) {
  let event = initial;
  const element = h("div", { class: "lifecycle", id: "event-lifecycle" });
  const error = h("p", { class: "error", role: "alert", id: "lifecycle-error" });

  function render() {
    const state = eventState(event);
    const action = event.status === "cancelled"
      ? h("button", { type: "button", id: "reinstate-event", class: "secondary", onclick: reinstate }, t("reinstateEvent"))
      : h("button", { type: "button", id: "cancel-event", class: "danger", onclick: cancel }, t("cancelEvent"));
    element.replaceChildren(
      h("div", { class: "lifecycle-text" },
        // tabindex -1: focus lands here after a change, so a screen reader reads the new status.
        h("p", { id: "event-status-line", class: "status-line", tabindex: -1 },
          tParts("labelled", { label: t("statusLabel") }, "value", statusBadge(state, { id: "event-status" }))),
        h("p", { class: "hint", id: "event-status-hint" }, stateHint(state))),
      action, error);
  }

  async function change(request, done) {
    error.textContent = "";
    try {
      event = await request();
      render();
      toast(done);
      document.getElementById("event-status-line").focus();
    } catch (problem) {
      error.textContent = describe(problem);
    }
  }

  async function cancel() {
    if (!(await confirmAction(t("confirmCancelEvent"), t("cancelEvent"), { cancelLabel: t("keepEvent") }))) return;
    await change(() => api("POST", `/api/events/${event.id}/cancel`), t("eventCancelled"));
  }

  async function reinstate() {
    if (!(await confirmAction(t("confirmReinstateEvent"), t("reinstateEvent"), { cancelLabel: t("keepCancelled"), tone: "primary" }))) return;
    await change(() => api("PUT", `/api/events/${event.id}`, { status: "scheduled" }), t("eventReinstated"));
  }

  render();
  return { element };
}

/**
 * A series' rule in words (the server's summary sentence, from the preview endpoint, so it reads
 * exactly as the widget does) and its next session (`next_start`, in the event's zone).
 */
function seriesInfo(event) {
  const rule = h("span", { id: "event-rule" }, "…");
  seriesSummary(event).then(
    (text) => { rule.textContent = text; },
    () => { rule.textContent = ""; });
  const next = event.next_start
    ? h("span", { id: "event-next", dataset: { start: event.next_start } },
      `${formatSession(event.next_start, event.next_end, event.timezone)} (${event.timezone})`)
    : h("span", { id: "event-next", dataset: { start: "" } }, t("seriesOver"));
  return h("div", { class: "series-info", id: "event-series" },
    h("p", {}, tParts("labelled", { label: t("series") }, "value", rule).map(strongLabel)),
    h("p", {}, tParts("labelled", { label: t("nextSession") }, "value", next).map(strongLabel)));
}

/** The label part of "Label: value" in bold (the value is the one node among the parts). */
function strongLabel(part) {
  return typeof part === "string" && part.trim() ? h("strong", {}, part) : part;
}

/** The event's own subscription feed: one calendar entry that follows every change. */
function feedSection(event) {
  return h("section", { class: "card", id: "event-feed", "aria-labelledby": "event-feed-heading" },
    h("h2", { id: "event-feed-heading" }, t("eventFeed")),
    copyableLink({ id: "event-feed-url", label: t("eventFeedUrl"), value: event.feed_url ?? "", hint: t("eventFeedHint") }));
}

async function embedSection(event) {
  const { iframe_html: code, iframe_html_responsive: responsive } = await api("GET", `/api/events/${event.id}/iframe-code`);
  const textarea = h("textarea", { id: "embed-code", readonly: true, rows: 4, class: "code", dir: "ltr" }, code);
  const copy = h("button", {
    type: "button", id: "copy-embed",
    onclick: async () => {
      await copyText(textarea.value, textarea);
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
      h("a", { href: event.ics_url, id: "ics-link" }, t("icsFile"))),
    // The same widget taking its container's whole width (up to 560 px), sized by CSS alone.
    copyableCode({ id: "embed-code-responsive", label: t("embedResponsive"), value: responsive ?? "" }),
    event.page_url ? eventPageLink(event.page_url) : null);
}

/** The event's own shareable page (`page_url`, `/e/{public_id}`): copyable, and opened in a tab. */
function eventPageLink(url) {
  return h("div", { class: "event-page", id: "event-page" },
    copyableLink({ id: "event-page-url", label: t("eventPageUrl"), value: url, hint: t("eventPageHint") }),
    h("p", { class: "actions tight" },
      h("a", { href: url, id: "event-page-link", target: "_blank", rel: "noopener" }, t("openEventPage"))));
}

/** The statistics' query string: the chosen days (in the event's zone, the server's default). */
function statsQuery(inputs, extra = {}) {
  return new URLSearchParams({ ...extra, from: inputs.from.value, to: inputs.to.value });
}

/**
 * The event's statistics (`#stats`): views, unique visitors, clicks and conversion for the chosen
 * days, the funnel from views to each button's clicks, views and clicks per day (chart and
 * table), the per-placement table, and the server's CSV of the days. `reload()` asks again with
 * the same days (after a placement is added or deleted).
 */
function statsSection(event) {
  const to = today(event.timezone);
  const inputs = {
    from: h("input", { type: "date", id: "stats-from", value: addDays(to, -29) }),
    to: h("input", { type: "date", id: "stats-to", value: to }),
  };
  // The numbers are held by reference: the first load may answer before the section is placed.
  const numbers = {
    views: h("dd", { id: "stats-views" }, "…"),
    unique: h("dd", { id: "stats-unique", "aria-describedby": "stats-unique-hint" }, "…"),
    // #stats-total keeps its id and its plain number (older tests and habits read it).
    clicks: h("dd", { id: "stats-total" }, "…"),
    conversion: h("dd", { id: "stats-conversion" }, "…"),
  };
  const tile = (label, value) => h("div", { class: "stat" }, h("dt", {}, label), value);
  const summary = h("dl", { class: "stat-tiles", id: "stats-summary" },
    tile(t("views"), numbers.views), tile(t("uniqueVisitors"), numbers.unique),
    tile(t("total"), numbers.clicks), tile(t("conversion"), numbers.conversion));
  const body = h("div", { id: "stats-body" });
  const error = h("p", { class: "error", role: "alert", id: "stats-error" });
  // A plain link: the session cookie goes with it (same origin), and the server names the file.
  const csv = h("a", { id: "stats-csv", class: "button secondary-button", download: true }, t("csv"));
  const updateCSV = () => { csv.href = `/api/events/${event.id}/stats?${statsQuery(inputs, { format: "csv" })}`; };
  updateCSV();
  for (const input of Object.values(inputs)) input.addEventListener("change", updateCSV);

  async function load() {
    error.textContent = "";
    body.setAttribute("aria-busy", "true");
    try {
      const stats = await api("GET", `/api/events/${event.id}/stats?${statsQuery(inputs)}`);
      updateCSV();
      const views = stats.views ?? 0;
      numbers.views.textContent = formatCount(views);
      numbers.unique.textContent = formatCount(stats.unique_visitors ?? 0);
      numbers.clicks.textContent = String(stats.total_clicks);
      numbers.conversion.replaceChildren(rateNode(stats.conversion_rate));
      const rows = Object.entries(stats.clicks_by_type).sort((a, b) => b[1] - a[1]);
      // An answer without views_timeline (an older server) still draws its clicks.
      const timeline = stats.views_timeline ?? stats.clicks_timeline.map((day) => ({
        date: day.date, views: 0, unique_visitors: 0, clicks: day.count, conversion_rate: null,
      }));
      body.replaceChildren(
        h("h3", {}, t("funnelTitle")),
        h("p", { class: "hint" }, t("funnelHint")),
        funnel(views, rows.map(([type, count]) => [type, count, providerName(type)]), stats.total_clicks, stats.conversion_rate ?? null),
        h("div", { class: "table-scroll" },
          h("table", { id: "stats-by-type", class: "data-table numbers" },
            h("caption", {}, t("byProvider")),
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("provider")), h("th", { scope: "col" }, t("count")))),
            h("tbody", {}, rows.map(([type, count]) => h("tr", { dataset: { type } }, h("th", { scope: "row" }, providerName(type)), h("td", {}, String(count))))))),
        h("h3", {}, t("perDay")),
        trafficChart(timeline, stats.from, stats.to),
        placementTable(stats.by_placement ?? {}));
    } catch (problem) {
      error.textContent = problem.problem?.errors?.map((e) => `${e.field}: ${e.message}`).join("; ") ?? describe(problem);
    } finally {
      body.removeAttribute("aria-busy");
    }
  }

  const form = h("form", { class: "range", onsubmit: (submit) => { submit.preventDefault(); load(); } },
    h("label", { for: "stats-from" }, t("from")), inputs.from,
    h("label", { for: "stats-to" }, t("to")), inputs.to,
    h("button", { type: "submit", id: "stats-apply" }, t("apply")), csv);
  queueMicrotask(load);
  const element = h("section", { class: "card", id: "stats", "aria-labelledby": "stats-heading" },
    h("h2", { id: "stats-heading" }, t("stats")),
    event.recurrence ? h("p", { class: "hint section-hint", id: "stats-series-hint" }, t("statsSeriesHint")) : null,
    form, error, summary,
    h("p", { class: "hint section-hint", id: "stats-unique-hint" }, t("uniqueHint")),
    body);
  return { element, reload: load };
}

/** `by_placement`: every current placement with its views, clicks and conversion (`#stats-placements`). */
function placementTable(byPlacement) {
  const rows = Object.entries(byPlacement).sort((a, b) => b[1].views - a[1].views || a[0].localeCompare(b[0]));
  if (rows.length === 0) return h("p", { class: "hint", id: "stats-placements-empty" }, t("noPlacementStats"));
  return h("div", { class: "table-scroll" },
    h("table", { id: "stats-placements", class: "data-table numbers" },
      h("caption", {}, t("byPlacementCaption")),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("placement")), h("th", { scope: "col" }, t("views")),
        h("th", { scope: "col" }, t("clicksLabel")), h("th", { scope: "col" }, t("conversion")))),
      h("tbody", {}, rows.map(([name, numbers]) => h("tr", { dataset: { placement: name } },
        h("th", { scope: "row" }, name),
        h("td", { class: "views", dataset: { value: numbers.views } }, formatCount(numbers.views)),
        h("td", { class: "clicks", dataset: { value: numbers.clicks } }, formatCount(numbers.clicks)),
        h("td", { class: "conversion", dataset: { value: numbers.conversion_rate ?? "" } }, rateNode(numbers.conversion_rate)))))));
}
