// The organizer's events, newest first, with their status and click totals; a series shows its
// next session and its rule in words instead of its first session's date.
import { api } from "../api.js";
import { h } from "../dom.js";
import { locale, t, tn } from "../i18n.js";
import { formatSession, seriesSummary } from "../recurrence.js";
import { eventState, statusBadge } from "../status.js";

export async function eventsView(main) {
  const list = await api("GET", "/api/events?limit=100");
  const heading = h("div", { class: "heading-row" },
    h("h1", {}, t("eventsTitle")),
    h("a", { href: "#/events/new", class: "button", id: "new-event-button" }, t("newEvent")));
  if (list.events.length === 0) {
    main.replaceChildren(heading, h("p", { id: "events-empty", class: "card empty" }, t("emptyEvents")));
    return;
  }
  const now = Date.now();
  const items = list.events.map((event) => {
    const state = eventState(event, now);
    const clicks = h("span", { class: "event-clicks" }, "…");
    api("GET", `/api/events/${event.id}/stats`).then(
      (stats) => { clicks.textContent = tn("clickCount", stats.total_clicks); },
      () => { clicks.textContent = ""; });
    return h("li", { dataset: { eventId: event.id, status: state }, class: `event-row state-${state}` },
      h("a", { href: `#/events/${event.id}`, class: "event-link", dir: "auto" }, event.title),
      statusBadge(state, { className: "event-status", prefix: true }),
      event.recurrence ? seriesDate(event) : h("span", { class: "event-date" },
        new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short", timeZone: event.timezone }).format(new Date(event.start_datetime)),
        ` (${event.timezone})`),
      event.recurrence ? seriesRule(event) : null,
      clicks);
  });
  main.replaceChildren(heading, h("ul", { id: "events-list", class: "event-list" }, items));
}

/** "Next: Tue, Dec 8, 2026, 10:00 – 11:00 (Europe/Warsaw)", from the server's `next_start`. */
function seriesDate(event) {
  return h("span", { class: "event-date event-next", dataset: { start: event.next_start ?? "" } },
    event.next_start
      ? t("labelled", { label: t("listNext"), value: `${formatSession(event.next_start, event.next_end, event.timezone)} (${event.timezone})` })
      : t("seriesOver"));
}

/** The rule as the server words it (filled in when its preview answers, like the click totals). */
function seriesRule(event) {
  const rule = h("span", { class: "event-rule" }, "…");
  seriesSummary(event).then((text) => { rule.textContent = text; }, () => { rule.textContent = ""; });
  return rule;
}
