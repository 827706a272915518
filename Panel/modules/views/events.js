// The organizer's events, newest first, with their status and click totals.
import { api } from "../api.js";
import { h } from "../dom.js";
import { language, t } from "../i18n.js";
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
      (stats) => { clicks.textContent = `${stats.total_clicks} ${t("clicks")}`; },
      () => { clicks.textContent = ""; });
    return h("li", { dataset: { eventId: event.id, status: state }, class: `event-row state-${state}` },
      h("a", { href: `#/events/${event.id}`, class: "event-link" }, event.title),
      statusBadge(state, { className: "event-status", prefix: true }),
      h("span", { class: "event-date" },
        new Intl.DateTimeFormat(language() === "pl" ? "pl-PL" : "en-US", { dateStyle: "medium", timeStyle: "short", timeZone: event.timezone }).format(new Date(event.start_datetime)),
        ` (${event.timezone})`),
      clicks);
  });
  main.replaceChildren(heading, h("ul", { id: "events-list", class: "event-list" }, items));
}
