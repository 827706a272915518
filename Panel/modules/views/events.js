// The organizer's events, newest first, with their click totals.
import { api } from "../api.js";
import { h } from "../dom.js";
import { language, t } from "../i18n.js";

export async function eventsView(main) {
  const list = await api("GET", "/api/events?limit=100");
  const heading = h("div", { class: "heading-row" },
    h("h1", {}, t("eventsTitle")),
    h("a", { href: "#/events/new", class: "button", id: "new-event-button" }, t("newEvent")));
  if (list.events.length === 0) {
    main.replaceChildren(heading, h("p", { id: "events-empty", class: "card empty" }, t("emptyEvents")));
    return;
  }
  const items = list.events.map((event) => {
    const clicks = h("span", { class: "event-clicks" }, "…");
    api("GET", `/api/events/${event.id}/stats`).then(
      (stats) => { clicks.textContent = `${stats.total_clicks} ${t("clicks")}`; },
      () => { clicks.textContent = ""; });
    return h("li", { dataset: { eventId: event.id }, class: "event-row" },
      h("a", { href: `#/events/${event.id}`, class: "event-link" }, event.title),
      h("span", { class: "event-date" },
        new Intl.DateTimeFormat(language() === "pl" ? "pl-PL" : "en-US", { dateStyle: "medium", timeStyle: "short", timeZone: event.timezone }).format(new Date(event.start_datetime)),
        ` (${event.timezone})`),
      clicks);
  });
  main.replaceChildren(heading, h("ul", { id: "events-list", class: "event-list" }, items));
}
