// The statistics' pictures, dependency-free: a daily views/clicks chart as inline SVG, horizontal
// CSS bars for ranking events, and the views -> clicks funnel. Every picture has its numbers in
// text too (a table or the list itself), so nothing is only visual. Also the number and rate
// formats they share with the screens.
import { h, svg } from "./dom.js";
import { direction, formatNumber, locale, t, tn } from "./i18n.js";

/** 1234 -> "1,234" (en) / "1234" (pl) */
export const formatCount = formatNumber;

/** 0.125 -> "12.5%"; null (no views, so no rate) -> "—". */
export function rateText(rate) {
  if (rate === null || rate === undefined) return "—";
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(rate);
}

/** A rate for a table cell or a tile: the dash of a missing rate is hidden from screen readers,
 * which hear "no views" instead. */
export function rateNode(rate) {
  if (rate === null || rate === undefined) {
    return h("span", { class: "no-rate" }, h("span", { "aria-hidden": "true" }, "—"), h("span", { class: "visually-hidden" }, t("noViews")));
  }
  return rateText(rate);
}

/** What the two series are called, with the colour swatch each has in the pictures. */
export function legend() {
  return h("ul", { class: "legend" },
    h("li", {}, h("span", { class: "swatch swatch-views", "aria-hidden": "true" }), t("views")),
    h("li", {}, h("span", { class: "swatch swatch-clicks", "aria-hidden": "true" }), t("clicksLabel")));
}

/**
 * Views and clicks per day (`views_timeline` of the stats answer) as paired SVG bars
 * (`#stats-chart`), and the same days in a table (`#stats-table`: date, views, unique visitors,
 * clicks, conversion) for screen readers and for reading exact numbers. In a right-to-left
 * language the days run from right to left and the scale stands on the right, as its text reads.
 */
export function trafficChart(timeline, from, to) {
  const width = 640;
  const height = 200;
  const pad = { top: 12, right: 8, bottom: 28, left: 36 };
  const max = Math.max(1, ...timeline.map((d) => Math.max(d.views, d.clicks)));
  const band = (width - pad.left - pad.right) / Math.max(1, timeline.length);
  const bar = Math.max(1, band * 0.36);
  const y = (value) => pad.top + (height - pad.top - pad.bottom) * (1 - value / max);
  // x is laid out left to right and mirrored for a right-to-left language: a span [x, x + w]
  // becomes [width - x - w, width - x].
  const rtl = direction() === "rtl";
  const x = (position, span = 0) => (rtl ? width - position - span : position);
  const label = t("chartLabel", { from, to });
  const bars = timeline.flatMap((day, index) => {
    const left = pad.left + index * band + band * 0.14;
    const tip = svg("title", {}, t("chartTip", { date: day.date, views: formatCount(day.views), clicks: formatCount(day.clicks) }));
    return [
      svg("rect", { x: x(left, bar).toFixed(1), y: y(day.views).toFixed(1), width: bar.toFixed(1), height: (height - pad.bottom - y(day.views)).toFixed(1), class: "bar bar-views" }, tip),
      svg("rect", { x: x(left + bar, bar).toFixed(1), y: y(day.clicks).toFixed(1), width: bar.toFixed(1), height: (height - pad.bottom - y(day.clicks)).toFixed(1), class: "bar bar-clicks" }, tip.cloneNode(true)),
    ];
  });
  const ticks = [0, Math.ceil(max / 2), max].map((value) => svg("text", {
    x: x(pad.left - 6), y: y(value) + 4, class: "axis", "text-anchor": rtl ? "start" : "end",
  }, formatCount(value)));
  const every = Math.max(1, Math.ceil(timeline.length / 6));
  const dates = timeline.map((day, index) => index % every === 0 ? svg("text", {
    x: x(pad.left + index * band + band / 2), y: height - 8, class: "axis", "text-anchor": "middle",
  }, day.date.slice(5)) : null).filter(Boolean);
  const chart = svg("svg", {
    id: "stats-chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "stats-chart-title", class: "chart",
    // The mirroring above is the layout: text anchors keep their left-to-right meaning.
    direction: "ltr",
  }, svg("title", { id: "stats-chart-title" }, label),
    svg("line", { x1: x(pad.left), x2: x(width - pad.right), y1: height - pad.bottom, y2: height - pad.bottom, class: "baseline" }),
    ...ticks, ...bars, ...dates);
  const table = h("table", { id: "stats-table", class: "data-table numbers" },
    h("caption", {}, label),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t("date")), h("th", { scope: "col" }, t("views")), h("th", { scope: "col" }, t("uniqueVisitors")),
      h("th", { scope: "col" }, t("clicksLabel")), h("th", { scope: "col" }, t("conversion")))),
    h("tbody", {}, timeline.map((day) => h("tr", { dataset: { date: day.date } },
      h("th", { scope: "row" }, day.date),
      h("td", { class: "views" }, formatCount(day.views)),
      h("td", { class: "unique" }, formatCount(day.unique_visitors)),
      h("td", { class: "clicks" }, formatCount(day.clicks)),
      h("td", { class: "conversion" }, rateNode(day.conversion_rate))))));
  return h("div", { class: "chart-block" }, chart, legend(),
    h("details", { id: "stats-table-details" }, h("summary", {}, t("timelineTable")), h("div", { class: "table-scroll" }, table)));
}

/** A bar's width: a share of the row's track, set through the CSSOM (the CSP refuses style
 * attributes in markup, not properties set from a module). */
function bar(kind, value, max) {
  const element = h("span", { class: `bar bar-${kind}`, "aria-hidden": "true" });
  element.style.width = `${max > 0 ? Math.max(value > 0 ? 0.5 : 0, (100 * value) / max) : 0}%`;
  return element;
}

/**
 * The events on the overview's page as horizontal bars (views and clicks, conversion in words).
 * It is one picture with a name (role="img"): the table below it holds the same numbers, and the
 * links, for screen readers and keyboards.
 */
export function rankingChart(events, { id, label }) {
  const max = Math.max(1, ...events.map((e) => Math.max(e.views, e.clicks)));
  return h("div", { id, class: "ranking", role: "img", "aria-label": label },
    events.map((event) => h("div", { class: "ranking-row", dataset: { eventId: event.id } },
      h("p", { class: "ranking-title" }, h("bdi", {}, event.title),
        h("span", { class: "ranking-rate" }, ` · ${t("conversionRate", { rate: rateText(event.conversion_rate) })}`)),
      h("div", { class: "ranking-line" }, h("span", { class: "track" }, bar("views", event.views, max)),
        h("span", { class: "ranking-value" }, tn("viewCount", event.views, { n: formatCount(event.views) }))),
      h("div", { class: "ranking-line" }, h("span", { class: "track" }, bar("clicks", event.clicks, max)),
        h("span", { class: "ranking-value" }, tn("clickCount", event.clicks, { n: formatCount(event.clicks) }))))));
}

/**
 * From the widget's views to each button's clicks (`#stats-funnel`): a list whose rows say their
 * numbers in words (the bars are decoration), so it reads the same with and without sight.
 * `rows` is [[type, clicks, name]], most clicked first.
 */
export function funnel(views, rows, totalClicks, conversion) {
  const max = Math.max(1, views, ...rows.map(([, clicks]) => clicks));
  const share = (clicks) => views > 0 ? t("ofViews", { rate: rateText(clicks / views) }) : t("noViews");
  return h("ol", { id: "stats-funnel", class: "funnel" },
    h("li", { dataset: { step: "views" } },
      h("span", { class: "funnel-label" }, t("views")),
      h("span", { class: "track" }, bar("views", views, max)),
      h("span", { class: "funnel-value" }, formatCount(views))),
    rows.map(([type, clicks, name]) => h("li", { dataset: { type } },
      h("span", { class: "funnel-label" }, name),
      h("span", { class: "track" }, bar("clicks", clicks, max)),
      h("span", { class: "funnel-value" }, `${tn("clickCount", clicks, { n: formatCount(clicks) })} · ${share(clicks)}`))),
    h("li", { dataset: { step: "clicks" }, class: "funnel-total" },
      h("span", { class: "funnel-label" }, t("total")),
      h("span", { class: "track" }, bar("clicks", totalClicks, max)),
      h("span", { class: "funnel-value" }, `${formatCount(totalClicks)} · ${t("conversionRate", { rate: rateText(conversion) })}`)));
}
