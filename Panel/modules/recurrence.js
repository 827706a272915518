// The "Repeats" section of the event form: a recurring series' rule (issue 12) and a live preview
// of its sessions. The server is the only authority on the rule: the preview asks
// POST /api/recurrence/preview for the sessions and the summary sentence rather than expanding the
// rule here, so what the organizer sees is exactly what the widget, the .ics and the feeds will
// say (daylight-saving changes and the 500-session / 5-year limits included).
//
// The event's Starts / Ends are the FIRST session, entered as wall-clock time in the event's
// zone; so weekday and month positions are read from that local date, never from UTC.
import { api, ApiError } from "./api.js";
import { h } from "./dom.js";
import { formatNumber, language, locale, t, tn } from "./i18n.js";
import { utcToZoned, zonedToUTC } from "./time.js";

const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const FREQUENCIES = ["daily", "weekly", "monthly"];
const UNIT_KEYS = { daily: "unitDaily", weekly: "unitWeekly", monthly: "unitMonthly" };
/** Rows listed before "and N more": enough to check a pattern, short enough to scan. */
const PREVIEW_ROWS = 10;
/** Typing a count or a date fires an input event per key; ask the server once it settles. */
const DEBOUNCE_MS = 350;
const DEFAULT_COUNT = 10;

/** The key of "the third Tuesday of the month" and friends: one whole sentence per ordinal and
 * weekday (`nthWeekday3TU`, `nthWeekdayLastSU`), since many languages make the ordinal agree
 * with the weekday's gender and case ("w trzeci wtorek" / "w trzecią środę", "la prima domenica",
 * "den tredje tisdagen"), which no template with two blanks can do. */
const nthWeekdayKey = (ordinal, code) => `nthWeekday${ordinal === -1 ? "Last" : ordinal}${code}`;

/** True when Intl knows the IANA zone (an unknown one would make every conversion throw). */
export function isValidZone(zone) {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** "2026-12-01" -> "TU". The date is already local to the event's zone, so no zone is involved. */
export function weekdayOf(date) {
  return WEEKDAYS[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7];
}

/** Where a local date sits in its month: day 15, the 3rd Tuesday, and whether it is the last one. */
export function monthPosition(date) {
  const [year, month, day] = date.split("-").map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { day, weekday: weekdayOf(date), nth: Math.ceil(day / 7), last: day + 7 > daysInMonth };
}

/** A weekday's name in the panel's language (2024-01-01 was a Monday). */
export function weekdayName(code) {
  const date = new Date(Date.UTC(2024, 0, 1 + WEEKDAYS.indexOf(code)));
  return new Intl.DateTimeFormat(locale(), { weekday: "long", timeZone: "UTC" }).format(date);
}

function nthWeekdayText(ordinal, code) {
  return t(nthWeekdayKey(ordinal, code));
}

/** "Tue, Dec 1, 2026, 10:00 – 11:00" in `zone`, in the panel's language (24-hour clock in all,
 * as the server's summary sentence uses). */
export function formatSession(start, end, zone) {
  const format = new Intl.DateTimeFormat(locale(), {
    weekday: "short", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23", timeZone: zone,
  });
  const from = new Date(start);
  if (!end) return format.format(from);
  return typeof format.formatRange === "function" ? format.formatRange(from, new Date(end)) : `${format.format(from)} – ${format.format(new Date(end))}`;
}

/**
 * POST /api/recurrence/preview with the panel's language; a server that refuses the language
 * (an older one, which knew fewer) is asked again in English rather than showing no sessions.
 */
export async function previewRecurrence(body) {
  try {
    return await api("POST", "/api/recurrence/preview", { ...body, language: language() });
  } catch (error) {
    const refusedLanguage = error instanceof ApiError && error.status === 422 && language() !== "en"
      && (error.problem?.errors ?? []).some((issue) => issue.field === "language");
    if (!refusedLanguage) throw error;
    return api("POST", "/api/recurrence/preview", { ...body, language: "en" });
  }
}

/** The preview request for a saved event (the event view and the list use it for the summary). */
export async function seriesSummary(event) {
  const result = await previewRecurrence({
    start_datetime: event.start_datetime, end_datetime: event.end_datetime, timezone: event.timezone,
    recurrence: event.recurrence,
  });
  return result.summary;
}

/** The text of a 422 (its field messages) or of any other failure. */
function problemText(error) {
  const errors = error?.problem?.errors;
  if (Array.isArray(errors) && errors.length) return errors.map((e) => e.message).join(" ");
  return error?.problem?.detail ?? error?.message ?? String(error);
}

/**
 * Routes the server's `recurrence.*` field errors to the section's slots: a field without its own
 * slot (`recurrence.exdates[2]`, `recurrence.freq`, a newer server's key) goes to the nearest
 * slot on its path and at worst to `#error-recurrence`, so no message about the rule lands in the
 * form's general line, away from the section. Messages for the same slot are joined.
 */
export function placeRecurrenceErrors(root, problem) {
  if (!Array.isArray(problem?.errors)) return problem;
  const slot = (field) => root.querySelector(`#error-${CSS.escape(field.replaceAll(".", "-"))}`);
  const merged = new Map();
  const rest = [];
  for (const issue of problem.errors) {
    if (typeof issue.field !== "string" || !/^recurrence(\b|$)/.test(issue.field)) {
      rest.push(issue);
      continue;
    }
    const head = /^recurrence\.[a-z_]+/.exec(issue.field)?.[0];
    const field = slot(issue.field) ? issue.field : head && slot(head) ? head : "recurrence";
    merged.set(field, merged.has(field) ? `${merged.get(field)} ${issue.message}` : issue.message);
  }
  return { ...problem, errors: [...rest, ...[...merged].map(([field, message]) => ({ field, message }))] };
}

/**
 * Builds the section. options.initial: the event's saved `recurrence` (or null); options.zone: the
 * zone it was saved in (to read its until and exdates as local dates); options.context() returns
 * the form's current {start, end, zone} (datetime-local strings and the zone's name).
 * Returns {element, value(), contextChanged(), flush()}: value() is the `recurrence` to send
 * (null for a one-off); flush() runs a pending preview now and waits for it.
 */
export function createRecurrenceEditor({ initial = null, zone: savedZone, context }) {
  const startDate = () => (context().start ?? "").slice(0, 10);
  const hasStart = () => /^\d{4}-\d{2}-\d{2}$/.test(startDate());

  const state = {
    freq: FREQUENCIES.includes(initial?.freq) ? initial.freq : "none",
    interval: String(initial?.interval ?? 1),
    // Weekly: until the organizer ticks a day, the start's weekday is the rule's (and follows the
    // start when it moves), which is what the server requires of the first session anyway.
    byDay: new Set(initial?.freq === "weekly" ? (initial.by_day ?? []) : []),
    byDayTouched: initial?.freq === "weekly" && (initial.by_day ?? []).length > 0,
    monthly: "day",
    saved: null,
    end: initial?.until ? "until" : "count",
    count: String(initial?.count ?? DEFAULT_COUNT),
    until: initial?.until && isValidZone(savedZone) ? utcToZoned(initial.until, savedZone).slice(0, 10) : "",
    // Skipped sessions by their LOCAL date: one session a day at most (the finest frequency is
    // daily), and a local date still names the same session after its time or zone is edited,
    // where the instant would not.
    skipped: new Set((initial?.exdates ?? []).filter(() => isValidZone(savedZone)).map((x) => utcToZoned(x, savedZone).slice(0, 10))),
    expanded: false,
  };
  if (initial?.freq === "monthly") {
    // A saved monthly rule the form can offer as one of its choices selects that choice; anything
    // else (several days, set through the API) is kept as it is under "As saved".
    const byDay = initial.by_day ?? [];
    const byMonthDay = initial.by_month_day ?? [];
    const position = hasStart() ? monthPosition(startDate()) : null;
    const single = byDay.length === 1 ? /^(-?\d)?([A-Z]{2})$/.exec(byDay[0]) : null;
    if (position && byDay.length === 0 && byMonthDay.length === 1 && byMonthDay[0] === position.day) state.monthly = "day";
    else if (position && byMonthDay.length === 0 && single && single[2] === position.weekday && Number(single[1]) === -1 && position.last) state.monthly = "last";
    else if (position && byMonthDay.length === 0 && single && single[2] === position.weekday && Number(single[1]) === position.nth && position.nth <= 4) state.monthly = "weekday";
    else {
      state.monthly = "saved";
      state.saved = { by_day: byDay, by_month_day: byMonthDay };
    }
  }

  // --- Controls --------------------------------------------------------------------------------

  const freq = h("select", {
    id: "recurrence-freq", "aria-describedby": "recurrence-hint error-recurrence error-recurrence-freq",
    onchange: () => { state.freq = freq.value; renderRule(); changed(); },
  },
  h("option", { value: "none" }, t("freqNone")),
  FREQUENCIES.map((f) => h("option", { value: f }, t(`freq${f[0].toUpperCase()}${f.slice(1)}`))));
  freq.value = state.freq;

  const unit = h("span", { id: "recurrence-interval-unit", class: "unit" });
  const interval = h("input", {
    type: "number", id: "recurrence-interval", min: 1, max: 99, step: 1, value: state.interval, inputmode: "numeric",
    class: "short-number",
    // Read as "Every, 2, weeks": the unit after the box is part of what the number means.
    "aria-describedby": "recurrence-interval-unit error-recurrence-interval",
    oninput: () => { state.interval = interval.value; renderUnit(); changed(); },
  });

  const byBlock = h("div", { class: "recurrence-by" });

  const endCount = h("input", {
    type: "radio", name: "recurrence-end", id: "recurrence-ends-count", value: "count", checked: state.end === "count",
    onchange: () => { state.end = "count"; changed(); },
  });
  const endUntil = h("input", {
    type: "radio", name: "recurrence-end", id: "recurrence-ends-until", value: "until", checked: state.end === "until",
    onchange: () => { state.end = "until"; changed(); },
  });
  const sessionsUnit = h("span", { id: "recurrence-count-unit", class: "unit" });
  // Typing into a box chooses its way of ending: nobody types a count and means the date.
  const count = h("input", {
    type: "number", id: "recurrence-count", min: 1, max: 500, step: 1, value: state.count, inputmode: "numeric",
    class: "short-number", "aria-label": t("countLabel"), "aria-describedby": "error-recurrence-count",
    oninput: () => { state.count = count.value; chooseEnd("count"); renderUnit(); changed(); },
  });
  const until = h("input", {
    type: "date", id: "recurrence-until", value: state.until, class: "date-input",
    "aria-label": t("untilLabel"), "aria-describedby": "error-recurrence-until",
    oninput: () => { state.until = until.value; chooseEnd("until"); changed(); },
    onchange: () => { state.until = until.value; chooseEnd("until"); changed(); },
  });
  function chooseEnd(kind) {
    state.end = kind;
    endCount.checked = kind === "count";
    endUntil.checked = kind === "until";
  }

  // --- The preview -----------------------------------------------------------------------------

  const previewHeading = h("h2", { class: "pane-heading", id: "recurrence-preview-heading" });
  // The summary is the one live part: a screen reader hears the new sentence once the server has
  // answered, not every row of the list.
  const summary = h("p", { id: "recurrence-summary", class: "summary" });
  // The server's sentence words the rule and counts the sessions that take place; with skips the
  // panel adds, from the server's total, how many take place and how many were skipped.
  const held = h("p", { id: "recurrence-held", class: "hint" });
  const status = h("div", { id: "recurrence-status", role: "status", "aria-live": "polite" }, summary, held);
  const loading = h("p", { id: "recurrence-loading", class: "hint", hidden: true }, t("previewLoading"));
  const past = h("p", { id: "recurrence-past", class: "hint", hidden: true });
  const sessions = h("ol", { id: "recurrence-sessions", class: "sessions", "aria-labelledby": "recurrence-preview-heading" });
  const moreText = h("span", { id: "recurrence-more" });
  const showAll = h("button", {
    type: "button", id: "recurrence-show-all", class: "link", "aria-controls": "recurrence-sessions",
    onclick: () => { state.expanded = !state.expanded; renderList(); },
  });
  const moreRow = h("p", { class: "more-row", hidden: true }, moreText, " ", showAll);
  // Not class "error": showFieldErrors() empties those on a refused save, and this message says
  // why the list is empty for as long as the rule stays refused.
  const previewError = h("p", { id: "recurrence-preview-error", class: "preview-error", role: "alert" });
  const preview = h("div", { id: "recurrence-preview", class: "recurrence-preview" },
    previewHeading, status, loading, past, sessions, moreRow, previewError,
    h("p", { class: "error", id: "error-recurrence-exdates", role: "alert" }));

  const ruleBlock = h("div", { id: "recurrence-rule", class: "recurrence-rule" },
    h("div", { class: "field" },
      h("label", { for: "recurrence-interval", id: "recurrence-interval-label" }, t("every")),
      h("div", { class: "inline-row" }, interval, unit),
      h("p", { class: "error", id: "error-recurrence-interval", role: "alert" })),
    byBlock,
    h("p", { class: "error", id: "error-recurrence-by_day", role: "alert" }),
    h("p", { class: "error", id: "error-recurrence-by_month_day", role: "alert" }),
    h("fieldset", { class: "nested", id: "recurrence-ends" },
      h("legend", {}, t("ends")),
      h("div", { class: "inline-row choice" }, endCount, h("label", { for: "recurrence-ends-count" }, t("endsAfter")), count, sessionsUnit),
      h("p", { class: "error", id: "error-recurrence-count", role: "alert" }),
      h("div", { class: "inline-row choice" }, endUntil, h("label", { for: "recurrence-ends-until" }, t("endsOn")), until),
      h("p", { class: "error", id: "error-recurrence-until", role: "alert" })),
    preview);

  const element = h("fieldset", { id: "recurrence", class: "recurrence nested" },
    h("legend", {}, t("repeats")),
    h("p", { class: "hint section-hint", id: "recurrence-hint" }, t("repeatsHint")),
    h("div", { class: "field" },
      h("label", { for: "recurrence-freq" }, t("frequency")),
      freq,
      h("p", { class: "error", id: "error-recurrence", role: "alert" }),
      h("p", { class: "error", id: "error-recurrence-freq", role: "alert" })),
    ruleBlock);

  function renderUnit() {
    const n = Number(state.interval) || 1;
    unit.textContent = state.freq === "none" ? "" : tn(UNIT_KEYS[state.freq], n);
    sessionsUnit.textContent = tn("sessionsUnit", Number(state.count) || 0);
  }

  /** The weekday or month-day choices, which depend on the start date: re-rendered when it moves. */
  function renderBy() {
    const focusedId = byBlock.contains(document.activeElement) ? document.activeElement.id : null;
    if (state.freq === "weekly") byBlock.replaceChildren(weekdays());
    else if (state.freq === "monthly") byBlock.replaceChildren(monthly());
    else byBlock.replaceChildren();
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  function weekdays() {
    const chosen = state.byDayTouched ? state.byDay : new Set(hasStart() ? [weekdayOf(startDate())] : []);
    return h("fieldset", { class: "nested", id: "recurrence-weekdays", "aria-describedby": "recurrence-weekdays-hint" },
      h("legend", {}, t("onDays")),
      h("p", { class: "hint", id: "recurrence-weekdays-hint" }, t("onDaysHint")),
      h("div", { class: "weekdays" }, WEEKDAYS.map((code) => h("span", { class: "check" },
        h("input", {
          type: "checkbox", id: `recurrence-day-${code}`, value: code, checked: chosen.has(code),
          "aria-describedby": "error-recurrence-by_day",
          onchange: (event) => {
            // The first tick makes the shown default (the start's weekday) the organizer's own.
            if (!state.byDayTouched) {
              state.byDay = new Set(chosen);
              state.byDayTouched = true;
            }
            if (event.target.checked) state.byDay.add(code);
            else state.byDay.delete(code);
            changed();
          },
        }),
        h("label", { for: `recurrence-day-${code}` }, weekdayName(code))))));
  }

  function monthly() {
    const position = hasStart() ? monthPosition(startDate()) : null;
    const choices = [];
    if (position) {
      choices.push(["day", t("monthDay", { day: position.day })]);
      // Ordinals 1..4 or -1 (the contract's range): a fifth Tuesday is always the last one.
      if (position.nth <= 4) choices.push(["weekday", nthWeekdayText(position.nth, position.weekday)]);
      if (position.last) choices.push(["last", nthWeekdayText(-1, position.weekday)]);
    }
    if (state.saved) choices.push(["saved", t("asSaved", { value: [...state.saved.by_day, ...state.saved.by_month_day].join(", ") })]);
    if (!choices.some(([value]) => value === state.monthly)) state.monthly = choices.find(([value]) => value === "last")?.[0] ?? choices[0]?.[0] ?? "day";
    return h("fieldset", { class: "nested", id: "recurrence-monthly" },
      h("legend", {}, t("onMonthly")),
      choices.length === 0 ? h("p", { class: "hint" }, t("previewNeedsTimes")) : null,
      choices.map(([value, label]) => h("div", { class: "check" },
        h("input", {
          type: "radio", name: "recurrence-monthly", id: `recurrence-monthly-${value}`, value, checked: state.monthly === value,
          "aria-describedby": "error-recurrence-by_day error-recurrence-by_month_day",
          onchange: () => { state.monthly = value; changed(); },
        }),
        h("label", { for: `recurrence-monthly-${value}` }, label))));
  }

  function renderRule() {
    ruleBlock.hidden = state.freq === "none";
    renderUnit();
    renderBy();
  }

  // --- The rule --------------------------------------------------------------------------------

  /** The rule without exdates, or null for a one-off. Empty boxes go as null, so the server's
   * message (count or until is required) explains them. */
  function rule() {
    if (state.freq === "none") return null;
    const ctx = context();
    const result = { freq: state.freq, interval: state.interval.trim() === "" ? 1 : Number(state.interval) };
    if (state.freq === "weekly") {
      const days = state.byDayTouched ? state.byDay : new Set(hasStart() ? [weekdayOf(startDate())] : []);
      result.by_day = WEEKDAYS.filter((code) => days.has(code));
    } else if (state.freq === "monthly" && hasStart()) {
      const position = monthPosition(startDate());
      if (state.monthly === "saved" && state.saved) {
        if (state.saved.by_day.length) result.by_day = [...state.saved.by_day];
        if (state.saved.by_month_day.length) result.by_month_day = [...state.saved.by_month_day];
      } else if (state.monthly === "weekday") result.by_day = [`${position.nth}${position.weekday}`];
      else if (state.monthly === "last") result.by_day = [`-1${position.weekday}`];
      else result.by_month_day = [position.day];
    }
    if (state.end === "count") result.count = state.count.trim() === "" ? null : Number(state.count);
    else {
      // The last day counts whole: a session that starts any time that day in the event's zone
      // is in the series (UNTIL is inclusive).
      result.until = state.until && isValidZone(ctx.zone) ? zonedToUTC(`${state.until}T23:59`, ctx.zone) : null;
    }
    return result;
  }

  function requestBase() {
    const { start, end, zone } = context();
    if (!isValidZone(zone)) return null;
    const startUTC = zonedToUTC(start, zone);
    const endUTC = zonedToUTC(end, zone);
    return startUTC && endUTC ? { start_datetime: startUTC, end_datetime: endUTC, timezone: zone } : null;
  }

  /** The last answer for the rule WITHOUT exdates: the full list the organizer picks skips from
   * (the server leaves exdates out of its list, so a skipped session could not be un-skipped). */
  let plain = null;  // {key, zone, occurrences}

  function exdatesFrom(occurrences, zone) {
    // Never the first session: it is the event's own start (skip it by moving the start).
    return occurrences.slice(1).filter((o) => state.skipped.has(utcToZoned(o.start, zone).slice(0, 10))).map((o) => o.start);
  }

  function value() {
    const base = rule();
    if (!base) return null;
    const request = requestBase();
    const key = request && JSON.stringify([request, base]);
    if (plain && plain.key === key) return { ...base, exdates: exdatesFrom(plain.occurrences, request.timezone) };
    // No fresh list (the server refused the rule, or has not answered): the skipped dates at the
    // start's local time, which is where the rule puts its sessions; the server checks them.
    const { start, zone } = context();
    const time = (start ?? "").slice(11, 16);
    const exdates = isValidZone(zone) && time
      ? [...state.skipped].filter((date) => date !== startDate()).sort().map((date) => zonedToUTC(`${date}T${time}`, zone)).filter(Boolean)
      : [];
    return { ...base, exdates };
  }

  // --- Talking to the server -------------------------------------------------------------------

  let timer = null;
  let pending = Promise.resolve();
  let sequence = 0;
  let shown = { key: null, occurrences: [], zone: "UTC" };

  function changed() {
    clearTimeout(timer);
    if (state.freq === "none") {
      timer = null;
      sequence += 1;  // an answer still on its way is for a rule that no longer exists
      return;
    }
    preview.setAttribute("aria-busy", "true");
    loading.hidden = false;
    timer = setTimeout(() => { timer = null; pending = refresh(); }, DEBOUNCE_MS);
  }

  async function refresh() {
    const mine = ++sequence;
    const base = rule();
    const request = requestBase();
    previewError.textContent = "";
    if (!base) return;
    if (!request) {
      done();
      summary.textContent = t("previewNeedsTimes");
      held.textContent = "";
      delete summary.dataset.total;
      showSessions(null);
      return;
    }
    const key = JSON.stringify([request, base]);
    try {
      let list = plain?.key === key ? plain : null;
      let answer = null;
      if (!list) {
        answer = await previewRecurrence({ ...request, recurrence: { ...base, exdates: [] } });
        if (mine !== sequence) return;
        list = { key, zone: request.timezone, occurrences: answer.occurrences ?? [] };
        plain = list;
      }
      const exdates = exdatesFrom(list.occurrences, request.timezone);
      // With skips the summary and total are the server's for the real rule (and it checks the
      // exdates); without, the first answer already is that.
      if (exdates.length || !answer) {
        answer = await previewRecurrence({ ...request, recurrence: { ...base, exdates } });
        if (mine !== sequence) return;
      }
      done();
      summary.textContent = answer.summary ?? "";
      summary.dataset.total = String(answer.total ?? "");
      held.textContent = exdates.length && Number.isInteger(answer.total)
        ? t("sessionsHeldSkipped", { held: tn("sessionsHeld", answer.total), skipped: t("skippedCount", { n: formatNumber(exdates.length) }) }) : "";
      // The server accepts the rule as it now stands: an earlier save's messages about it are
      // out of date.
      for (const slot of element.querySelectorAll(".error[id^='error-recurrence']")) slot.textContent = "";
      showSessions(list);
    } catch (error) {
      if (mine !== sequence) return;
      done();
      summary.textContent = "";
      held.textContent = "";
      delete summary.dataset.total;
      // A refused rule (422) says why in the server's words; anything else is a failure to say so.
      previewError.textContent = error instanceof ApiError && error.status === 422
        ? t("previewRefused", { reason: problemText(error) }) : t("failed", { detail: problemText(error) });
      showSessions(null);
    }
  }

  function done() {
    preview.removeAttribute("aria-busy");
    loading.hidden = true;
  }

  function showSessions(list) {
    const zone = list?.zone ?? context().zone;
    previewHeading.textContent = t("sessionsIn", { zone: isValidZone(zone) ? zone : "UTC" });
    // The rows are rebuilt only when the list itself changed, not for a skip: the checkbox that
    // was just toggled must keep focus.
    if (list && shown.key === list.key) return updateSkips();
    shown = list ? { key: list.key, occurrences: list.occurrences, zone: list.zone } : { key: null, occurrences: [], zone: "UTC" };
    renderList();
  }

  function renderList() {
    const focusedId = sessions.contains(document.activeElement) || document.activeElement === showAll ? document.activeElement.id : null;
    const { occurrences, zone } = shown;
    const now = Date.now();
    // "Next sessions": an edited series that has begun lists what is still ahead.
    const ahead = occurrences.map((o, index) => ({ ...o, index })).filter((o) => Date.parse(o.end) > now);
    const over = occurrences.length - ahead.length;
    past.hidden = over === 0;
    past.textContent = over ? tn("pastSessions", over) : "";
    const rows = state.expanded ? ahead : ahead.slice(0, PREVIEW_ROWS);
    sessions.replaceChildren(...rows.map((o) => sessionRow(o, zone)));
    const more = ahead.length - Math.min(ahead.length, PREVIEW_ROWS);
    moreRow.hidden = more === 0;
    moreText.textContent = more && !state.expanded ? t("andMore", { n: formatNumber(more) }) : "";
    showAll.textContent = state.expanded ? t("showFewer") : t("showAll");
    showAll.setAttribute("aria-expanded", String(state.expanded));
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  function sessionRow(occurrence, zone) {
    const local = utcToZoned(occurrence.start, zone);
    const date = local.slice(0, 10);
    const when = formatSession(occurrence.start, occurrence.end, zone);
    const skipped = occurrence.index > 0 && state.skipped.has(date);
    const row = h("li", { class: skipped ? "session skipped" : "session", dataset: { start: occurrence.start, local, skipped: String(skipped) } },
      h("span", { class: "session-when" }, when));
    if (occurrence.index === 0) {
      row.append(h("span", { class: "hint session-first" }, t("firstSession")));
      return row;
    }
    const id = `recurrence-skip-${date}`;
    row.append(h("span", { class: "check session-skip" },
      h("input", {
        type: "checkbox", id, checked: skipped, "aria-describedby": "error-recurrence-exdates",
        onchange: (event) => {
          if (event.target.checked) state.skipped.add(date);
          else state.skipped.delete(date);
          updateSkips();
          changed();
        },
      }),
      // Each box is named for its session ("Skip Tue, Dec 8, 2026, 10:00 – 11:00"), not just
      // "Skip" ten times over.
      h("label", { for: id }, t("skip"), h("span", { class: "visually-hidden" }, ` ${when}`))));
    return row;
  }

  function updateSkips() {
    for (const row of sessions.querySelectorAll("li.session")) {
      const box = row.querySelector("input[type=checkbox]");
      const skipped = Boolean(box?.checked);
      row.classList.toggle("skipped", skipped);
      row.dataset.skipped = String(skipped);
    }
  }

  function contextChanged() {
    renderBy();
    if (state.freq !== "none") changed();
  }

  /** Runs a waiting preview now and resolves once the newest one has answered (so value() can
   * read the exdates from a list that matches the form). */
  async function flush() {
    if (timer) {
      clearTimeout(timer);
      timer = null;
      pending = refresh();
    }
    await pending.catch(() => {});
  }

  renderRule();
  previewHeading.textContent = t("sessionsIn", { zone: isValidZone(context().zone) ? context().zone : "UTC" });
  if (state.freq !== "none") pending = refresh();
  return { element, value, contextChanged, flush };
}
