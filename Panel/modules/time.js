// Converting between a wall-clock time in an IANA zone (what datetime-local inputs hold) and a
// UTC instant (what the API takes), with Intl only.

function parts(date, zone) {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    second: "2-digit", hourCycle: "h23",
  });
  const out = {};
  for (const part of format.formatToParts(date)) out[part.type] = part.value;
  return out;
}

function offsetMinutes(date, zone) {
  const p = parts(date, zone);
  const asUTC = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUTC - date.getTime()) / 60000);
}

/** "2026-12-01T16:00" in Europe/Warsaw -> "2026-12-01T15:00:00Z" */
export function zonedToUTC(local, zone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local ?? "");
  if (!match) return null;
  const naive = Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5]);
  let guess = new Date(naive - offsetMinutes(new Date(naive), zone) * 60000);
  guess = new Date(naive - offsetMinutes(guess, zone) * 60000);  // second pass settles DST edges
  return guess.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** "2026-12-01T15:00:00Z" shown in Europe/Warsaw -> "2026-12-01T16:00" */
export function utcToZoned(iso, zone) {
  const p = parts(new Date(iso), zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function zoneNames() {
  return typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];
}

/** Today as YYYY-MM-DD in a zone. */
export function today(zone) {
  const p = parts(new Date(), zone);
  return `${p.year}-${p.month}-${p.day}`;
}

export function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
