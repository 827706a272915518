// The organizer's overview (`#/overview`): every event ranked by views, unique visitors, clicks,
// conversion, title or start date over chosen days, from GET /api/stats: the totals, the page's
// events as bars and as a table (each linking to its event screen), pages of `limit` events, and
// the server's CSV. The choices live in the route's query (`#/overview?from=..&sort=..`), written
// with replaceState so a reload or a shared link shows the same page without re-rendering it.
import { api } from "../api.js";
import { formatCount, legend, rankingChart, rateNode } from "../chart.js";
import { h } from "../dom.js";
import { locale, t } from "../i18n.js";
import { statusBadge } from "../status.js";
import { addDays, browserZone, today } from "../time.js";
import { describe } from "../ui.js";

const SORTS = [
  ["views", "views"], ["unique_visitors", "uniqueVisitors"], ["clicks", "clicksLabel"],
  ["conversion_rate", "conversion"], ["title", "sortTitle"], ["start_datetime", "sortStart"],
];
/** The same choices as they read inside the table's caption ("sorted by views, descending"):
 * their own texts, since lower-casing a label is wrong in German and means nothing in Japanese. */
const SORT_IN_CAPTION = {
  views: "captionViews", unique_visitors: "captionUnique", clicks: "captionClicks",
  conversion_rate: "captionConversion", title: "captionTitle", start_datetime: "captionStart",
};
const PAGE_SIZES = [10, 20, 50, 100];
const CHART_ROWS = 10;

/** The choices in the route's query, with the API's defaults for what is missing or odd. */
function initialQuery(zone) {
  const query = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const to = /^\d{4}-\d{2}-\d{2}$/.test(query.get("to") ?? "") ? query.get("to") : today(zone);
  const from = /^\d{4}-\d{2}-\d{2}$/.test(query.get("from") ?? "") ? query.get("from") : addDays(to, -29);
  const sort = SORTS.some(([key]) => key === query.get("sort")) ? query.get("sort") : "views";
  const order = query.get("order") === "asc" ? "asc" : "desc";
  const limit = PAGE_SIZES.includes(Number(query.get("limit"))) ? Number(query.get("limit")) : 20;
  const offset = Math.max(0, Math.floor(Number(query.get("offset")) || 0));
  return { from, to, sort, order, limit, offset };
}

export async function overviewView(main) {
  const zone = browserZone();
  const state = initialQuery(zone);
  const select = (id, options, value) => h("select", { id },
    options.map(([key, label]) => h("option", { value: key, selected: String(key) === String(value) }, label)));
  const inputs = {
    from: h("input", { type: "date", id: "overview-from", value: state.from }),
    to: h("input", { type: "date", id: "overview-to", value: state.to }),
    sort: select("overview-sort", SORTS.map(([key, label]) => [key, t(label)]), state.sort),
    order: select("overview-order", [["desc", t("orderDesc")], ["asc", t("orderAsc")]], state.order),
    limit: select("overview-limit", PAGE_SIZES.map((n) => [n, String(n)]), state.limit),
  };
  const control = (label, input) => h("div", { class: "control" }, h("label", { for: input.id }, label), input);
  const csv = h("a", { id: "overview-csv", class: "button secondary-button", download: true }, t("csv"));
  const form = h("form", { id: "overview-form", class: "range overview-controls" },
    control(t("from"), inputs.from), control(t("to"), inputs.to),
    control(t("sortBy"), inputs.sort), control(t("order"), inputs.order), control(t("perPage"), inputs.limit),
    h("button", { type: "submit", id: "overview-apply" }, t("apply")), csv);
  const error = h("p", { class: "error", role: "alert", id: "overview-error" });
  const totals = h("dl", { class: "stat-tiles", id: "overview-totals" });
  const results = h("div", { id: "overview-results" });
  const range = h("p", { id: "overview-range", "aria-live": "polite" });
  const previous = h("button", { type: "button", id: "overview-prev", class: "secondary", onclick: () => page(-1) }, t("previousPage"));
  const next = h("button", { type: "button", id: "overview-next", class: "secondary", onclick: () => page(1) }, t("nextPage"));
  const pages = h("nav", { id: "overview-pages", class: "pages", "aria-label": t("pagination") }, previous, range, next);
  let total = 0;

  function apiQuery(extra = {}) {
    return new URLSearchParams({
      from: state.from, to: state.to, tz: zone, sort: state.sort, order: state.order,
      limit: String(state.limit), offset: String(state.offset), ...extra,
    });
  }

  function tile(id, label, value) {
    return h("div", { class: "stat" }, h("dt", {}, label), h("dd", { id }, value));
  }

  function sortOf(column) {
    if (state.sort !== column) return null;
    return state.order === "asc" ? "ascending" : "descending";
  }

  function table(answer) {
    const start = new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: zone });
    const column = (key, label) => h("th", { scope: "col", "aria-sort": sortOf(key) }, label);
    const cell = (kind, value, shown) => h("td", { class: kind, dataset: { value: value ?? "" } }, shown);
    return h("div", { class: "table-scroll" },
      h("table", { id: "overview-table", class: "data-table numbers overview-table" },
        h("caption", {}, t("overviewCaption", {
          from: answer.from, to: answer.to, sort: t(SORT_IN_CAPTION[answer.sort] ?? "captionViews"),
          order: t(answer.order === "asc" ? "captionAsc" : "captionDesc"),
        })),
        h("thead", {}, h("tr", {},
          column("title", t("event")),
          column("views", t("views")), column("unique_visitors", t("uniqueVisitors")),
          column("clicks", t("clicksLabel")), column("conversion_rate", t("conversion")))),
        h("tbody", {}, answer.events.map((event) => h("tr", { dataset: { eventId: event.id } },
          h("th", { scope: "row" },
            h("a", { href: `#/events/${event.id}`, class: "overview-event-link", dir: "auto" }, event.title),
            h("span", { class: "overview-meta" },
              h("span", { class: "overview-start" }, start.format(new Date(event.start_datetime))),
              event.status === "cancelled" ? statusBadge("cancelled", { className: "overview-status", prefix: true }) : null)),
          cell("views", event.views, formatCount(event.views)),
          cell("unique", event.unique_visitors, formatCount(event.unique_visitors)),
          cell("clicks", event.clicks, formatCount(event.clicks)),
          cell("conversion", event.conversion_rate, rateNode(event.conversion_rate)))))));
  }

  function render(answer) {
    total = answer.total_events;
    totals.replaceChildren(
      tile("overview-views", t("views"), formatCount(answer.totals.views)),
      tile("overview-unique", t("uniqueVisitors"), formatCount(answer.totals.unique_visitors)),
      tile("overview-clicks", t("clicksLabel"), formatCount(answer.totals.clicks)),
      tile("overview-conversion", t("conversion"), rateNode(answer.totals.conversion_rate)));
    if (total === 0) {
      results.replaceChildren(h("p", { id: "overview-empty", class: "empty" }, t("overviewEmpty"), " ",
        h("a", { href: "#/events/new" }, t("newEvent"))));
      pages.hidden = true;
      return;
    }
    const shown = answer.events.slice(0, CHART_ROWS);
    results.replaceChildren(
      h("h2", { id: "overview-chart-heading" }, t("overviewChartTitle", { n: shown.length })),
      rankingChart(shown, { id: "overview-chart", label: t("overviewChartLabel", { n: shown.length }) }),
      legend(),
      h("h2", {}, t("overviewTableTitle")),
      table(answer));
    const first = answer.events.length ? answer.offset + 1 : 0;
    range.textContent = t("pageRange", { first: formatCount(first), last: formatCount(answer.offset + answer.events.length), total: formatCount(total) });
    pages.hidden = false;
    previous.disabled = answer.offset === 0;
    next.disabled = answer.offset + answer.events.length >= total;
  }

  async function load() {
    error.textContent = "";
    results.setAttribute("aria-busy", "true");
    csv.href = `/api/stats?${apiQuery({ format: "csv", limit: "1000", offset: "0" })}`;
    try {
      const answer = await api("GET", `/api/stats?${apiQuery()}`);
      // A page past the end (fewer events than a shared link expected): the last page instead.
      if (answer.events.length === 0 && answer.total_events > 0 && state.offset > 0) {
        state.offset = Math.max(0, Math.floor((answer.total_events - 1) / state.limit) * state.limit);
        return load();
      }
      history.replaceState(null, "", `#/overview?${new URLSearchParams({
        from: state.from, to: state.to, sort: state.sort, order: state.order, limit: String(state.limit), offset: String(state.offset),
      })}`);
      render(answer);
    } catch (problem) {
      error.textContent = problem.problem?.errors?.map((e) => `${e.field}: ${e.message}`).join("; ") ?? describe(problem);
    } finally {
      results.removeAttribute("aria-busy");
    }
  }

  async function page(step) {
    const offset = Math.max(0, state.offset + step * state.limit);
    if (offset >= total && step > 0) return;
    state.offset = offset;
    await load();
    // The button pressed may now be disabled (first or last page): keep focus in the pager.
    if (document.activeElement === document.body || document.activeElement?.disabled) {
      (previous.disabled ? next : previous).focus();
    }
  }

  form.addEventListener("submit", (submit) => {
    submit.preventDefault();
    Object.assign(state, {
      from: inputs.from.value, to: inputs.to.value, sort: inputs.sort.value, order: inputs.order.value,
      limit: Number(inputs.limit.value), offset: 0,
    });
    load();
  });

  pages.hidden = true;
  main.replaceChildren(h("section", { class: "card", id: "overview", "aria-labelledby": "overview-heading" },
    h("h1", { id: "overview-heading" }, t("overviewTitle")),
    h("p", { class: "hint section-hint" }, t("overviewHint", { zone })),
    form, error, totals,
    h("p", { class: "hint section-hint" }, t("uniqueHint")),
    results, pages));
  await load();
}
