// A daily bar chart as inline SVG, with the same numbers in a table for screen readers.
import { h, svg } from "./dom.js";
import { t } from "./i18n.js";

export function dailyChart(timeline, from, to) {
  const width = 640;
  const height = 200;
  const pad = { top: 12, right: 8, bottom: 28, left: 36 };
  const max = Math.max(1, ...timeline.map((d) => d.count));
  const band = (width - pad.left - pad.right) / Math.max(1, timeline.length);
  const y = (value) => pad.top + (height - pad.top - pad.bottom) * (1 - value / max);
  const label = t("chartLabel", { from, to });
  const bars = timeline.map((day, index) => svg("rect", {
    x: (pad.left + index * band + band * 0.15).toFixed(1), y: y(day.count).toFixed(1),
    width: Math.max(1, band * 0.7).toFixed(1), height: (height - pad.bottom - y(day.count)).toFixed(1), class: "bar",
  }, svg("title", {}, `${day.date}: ${day.count}`)));
  const ticks = [0, Math.ceil(max / 2), max].map((value) => svg("text", {
    x: pad.left - 6, y: y(value) + 4, class: "axis", "text-anchor": "end",
  }, String(value)));
  const every = Math.max(1, Math.ceil(timeline.length / 6));
  const dates = timeline.map((day, index) => index % every === 0 ? svg("text", {
    x: pad.left + index * band + band / 2, y: height - 8, class: "axis", "text-anchor": "middle",
  }, day.date.slice(5)) : null).filter(Boolean);
  const chart = svg("svg", {
    id: "stats-chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "stats-chart-title", class: "chart",
  }, svg("title", { id: "stats-chart-title" }, label),
    svg("line", { x1: pad.left, x2: width - pad.right, y1: height - pad.bottom, y2: height - pad.bottom, class: "baseline" }),
    ...ticks, ...bars, ...dates);
  const table = h("table", { id: "stats-table", class: "data-table" },
    h("caption", {}, label),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("date")), h("th", { scope: "col" }, t("count")))),
    h("tbody", {}, timeline.map((day) => h("tr", {}, h("th", { scope: "row" }, day.date), h("td", {}, String(day.count))))));
  return h("div", { class: "chart-block" }, chart, h("details", {}, h("summary", {}, t("perDay")), table));
}

/** The timeline as CSV text. */
export function timelineCSV(timeline) {
  return ["date,count", ...timeline.map((day) => `${day.date},${day.count}`)].join("\r\n") + "\r\n";
}
