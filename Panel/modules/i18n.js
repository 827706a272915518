// The panel's languages. Every text lives in `Panel/locales/{code}.json` (its "panel" section;
// the "widget" section is the server's), loaded here with English as the fallback for a key a
// file lacks or a file that cannot be loaded. The choice is remembered in localStorage (a
// preference, not a secret: the session itself lives only in an HttpOnly cookie); without one the
// browser's languages (navigator.languages) pick, else English.

/** The 14 languages, in the picker's order: code, native name, writing direction, Intl locale.
 * Arabic keeps Latin digits, the digits of the date and number inputs beside its texts. */
export const LANGUAGES = [
  { code: "en", name: "English", dir: "ltr", locale: "en-US" },
  { code: "pl", name: "Polski", dir: "ltr", locale: "pl-PL" },
  { code: "de", name: "Deutsch", dir: "ltr", locale: "de-DE" },
  { code: "fr", name: "Français", dir: "ltr", locale: "fr-FR" },
  { code: "es", name: "Español", dir: "ltr", locale: "es-ES" },
  { code: "it", name: "Italiano", dir: "ltr", locale: "it-IT" },
  { code: "pt", name: "Português", dir: "ltr", locale: "pt-BR" },
  { code: "nl", name: "Nederlands", dir: "ltr", locale: "nl-NL" },
  { code: "sv", name: "Svenska", dir: "ltr", locale: "sv-SE" },
  { code: "cs", name: "Čeština", dir: "ltr", locale: "cs-CZ" },
  { code: "uk", name: "Українська", dir: "ltr", locale: "uk-UA" },
  { code: "ja", name: "日本語", dir: "ltr", locale: "ja-JP" },
  { code: "ar", name: "العربية", dir: "rtl", locale: "ar-u-nu-latn" },
  { code: "he", name: "עברית", dir: "rtl", locale: "he-IL" },
];
const BY_CODE = new Map(LANGUAGES.map((entry) => [entry.code, entry]));
/** Old or alternative primary subtags a browser may still send. */
const ALIASES = { iw: "he" };
const STORAGE_KEY = "attendify.language";

/**
 * The best of the 14 for a list of BCP 47 tags in preference order (navigator.languages): the
 * first tag whose primary language is one of them ("de-AT" -> de, "pt-PT" -> pt), else null.
 */
export function bestLanguage(tags) {
  for (const tag of tags ?? []) {
    const primary = String(tag).toLowerCase().split(/[-_]/)[0];
    const code = primary in ALIASES ? ALIASES[primary] : primary;
    if (code && BY_CODE.has(code)) return code;
  }
  return null;
}

const loaded = new Map();

/** The "panel" section of a language's file, or null when it cannot be had. */
async function load(code) {
  if (!loaded.has(code)) {
    const url = new URL(`../locales/${code}.json`, import.meta.url);
    loaded.set(code, fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`${url}: HTTP ${response.status}`))))
      .then((file) => file?.panel ?? {})
      .catch((error) => {
        console.warn(`attendify: the texts in ${code} could not be loaded (${error.message}); English is used instead`);
        loaded.delete(code);  // a later switch may try again
        return null;
      }));
  }
  return loaded.get(code);
}

function storedLanguage() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return BY_CODE.has(stored) ? stored : null;
  } catch {
    return null;  // storage refused (a privacy mode): the browser's languages decide
  }
}

const english = (await load("en")) ?? {};
let current = "en";
let texts = english;

function apply() {
  document.documentElement.lang = current;
  document.documentElement.dir = BY_CODE.get(current).dir;
}

async function choose(code) {
  const wanted = BY_CODE.has(code) ? code : "en";
  const chosen = wanted === "en" ? english : await load(wanted);
  current = chosen ? wanted : "en";
  texts = chosen ?? english;
  apply();
  return current;
}

await choose(storedLanguage() ?? bestLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]) ?? "en");

export function language() {
  return current;
}

/** "rtl" for Arabic and Hebrew, else "ltr". */
export function direction() {
  return BY_CODE.get(current).dir;
}

/** Switches the panel's language (loading its texts) and remembers the choice. */
export async function setLanguage(code) {
  await choose(code);
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // Not remembered across visits; this visit still switches.
  }
  return current;
}

function template(key) {
  return texts[key] ?? english[key] ?? key;
}

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** t("placementAdded", {name: "Blog"}) */
export function t(key, values = {}) {
  return fill(template(key), values);
}

/**
 * A text with one node in it: ["Status: ", node] for t("labelled", {label: "Status"}) with `slot`
 * "value", so an element (a badge) can sit where the language puts the value.
 */
export function tParts(key, values, slot, node) {
  const [before, after = ""] = template(key).split(`{${slot}}`);
  return [fill(before, values), node, fill(after, values)].filter((part) => part !== "");
}

/** 1234 -> "1,234" (en) / "1234" (pl): a number in the panel's language. */
export function formatNumber(value) {
  return new Intl.NumberFormat(locale()).format(value ?? 0);
}

/**
 * t() for a text that depends on a number: `{key}_{category}` with the language's CLDR plural
 * category (Intl.PluralRules: English one/other, Polish one/few/many/other, Arabic all six...),
 * falling back to `{key}_other`. `{n}` is the number as the language writes it unless `values`
 * gives it.
 */
export function tn(key, n, values = {}) {
  const category = new Intl.PluralRules(locale()).select(n);
  const keys = [`${key}_${category}`, `${key}_other`];
  // The panel's language first: a language may word a number with one form where English has two.
  const chosen = keys.find((k) => k in texts) ?? keys.find((k) => k in english);
  return t(chosen ?? key, { n: formatNumber(n), ...values });
}

/** The locale for Intl formatting in the panel's language. */
export function locale() {
  return BY_CODE.get(current).locale;
}
