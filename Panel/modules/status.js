// An event's life-cycle state as the organizer sees it. The API stores only `status`
// (scheduled | cancelled); "ended" is derived from the clock, like the widget and the tracker do
// on the server (a scheduled event is over once now >= its end).
import { h } from "./dom.js";
import { t } from "./i18n.js";

const LABELS = { scheduled: "statusScheduled", cancelled: "statusCancelled", ended: "statusEnded" };
const HINTS = { scheduled: "statusScheduledHint", cancelled: "statusCancelledHint", ended: "statusEndedHint" };

/** "scheduled" | "cancelled" | "ended" at `now` (ms since the epoch). */
export function eventState(event, now = Date.now()) {
  if (event.status === "cancelled") return "cancelled";
  // A series' end_datetime is only its FIRST session's end: it has ended once the server has no
  // next session left (`next_start` null). A next session that ended since the answer is not the
  // end yet: the widget's scheduler moves on to the one after it.
  if (event.recurrence) return event.next_start == null ? "ended" : "scheduled";
  return Date.parse(event.end_datetime) <= now ? "ended" : "scheduled";
}

export const stateLabel = (state) => t(LABELS[state]);
export const stateHint = (state) => t(HINTS[state]);

/**
 * The state as a badge. The word is the information (an icon-free text, so it does not rely on
 * colour); the colour only helps scanning a list. `prefix` adds a visually hidden "Status: " for
 * places where the word alone would be read out of context (a list row).
 */
export function statusBadge(state, { id, className = "", prefix = false } = {}) {
  return h("span", { class: `status status-${state} ${className}`.trim(), id, dataset: { status: state } },
    prefix ? h("span", { class: "visually-hidden" }, t("labelled", { label: t("statusLabel"), value: "" })) : null,
    stateLabel(state));
}
