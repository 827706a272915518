// The widget designer: one control per customization key, a live preview rendered by the server
// from the same template as the published widget, and, next to a colour the server will move for
// readable contrast, the colour it will publish instead. It edits an overrides object: only keys
// the organizer set are sent; an empty control means "inherit".
import { checkField, h } from "./dom.js";
import { LANGUAGES, locale, t, tParts } from "./i18n.js";
import { contrastRatio, isHexColor, palettes, publishedPalette, themesOf } from "./contrast.js";

/** The add-to-calendar types: the first five are what a widget shows when no one chose its
 * buttons (the server's default list); Teams is off until the organizer ticks it. */
const ADD_PROVIDERS = ["google", "ics", "outlook", "office365", "yahoo", "teams"];
const DEFAULT_PROVIDERS = ["google", "ics", "outlook", "office365", "yahoo"];
/** Subscribe to the organizer's feed instead of adding one event. Off until the organizer ticks
 * them (the server's default list has only the add types), but orderable like the others. */
const SUBSCRIBE_PROVIDERS = ["subscribe_webcal", "subscribe_google", "subscribe_outlook"];
const PROVIDERS = [...ADD_PROVIDERS, ...SUBSCRIBE_PROVIDERS];
const PROVIDER_NAMES = { google: "Google", ics: "Apple / .ics", outlook: "Outlook.com", office365: "Microsoft 365", yahoo: "Yahoo", teams: "Microsoft Teams" };
const SUBSCRIBE_KEYS = { subscribe_webcal: "subscribeWebcal", subscribe_google: "subscribeGoogle", subscribe_outlook: "subscribeOutlook" };

/** A click or button type as the organizer reads it: brand names as they are, the subscribe
 * types in the panel's language; an unknown type (a newer server) as its key. */
export function providerName(type) {
  return SUBSCRIBE_KEYS[type] ? t(SUBSCRIBE_KEYS[type]) : PROVIDER_NAMES[type] ?? type;
}
const COLOR_KEYS = [["accent_color", "accent"], ["text_color", "textColor"], ["background_color", "background"]];
/** What an empty colour means (the light theme's own colour), shown in the picker. */
const COLOR_DEFAULTS = { accent_color: palettes.light.accent, text_color: palettes.light.text, background_color: palettes.light.background };

/** A contrast ratio as the notes write it: two decimals at most, rounded down (4.5 is never
 * shown for 4.49), in the panel's language. */
function ratioText(ratio) {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 2 }).format(Math.floor(ratio * 100) / 100);
}

/**
 * Renders the designer into a fieldset.
 * options.initial: saved overrides; options.inherited: what unset keys fall back to (the
 * organizer's defaults, for an event); options.previewQuery: extra query for the preview URL
 * (`event_id=N` or `defaults=none`); options.onChange(overrides).
 */
export function createDesigner({ initial = {}, inherited = {}, previewQuery = "", onChange = () => {} }) {
  const state = structuredClone(initial);
  const chosen = state.providers ?? DEFAULT_PROVIDERS;
  let order = [...chosen, ...PROVIDERS.filter((p) => !chosen.includes(p))];
  const enabled = new Set(chosen);
  let providersTouched = Boolean(state.providers);

  // Sandboxed with no permissions: the preview's buttons cannot navigate, so an organizer trying
  // them never counts as a visitor click.
  const preview = h("iframe", { id: "widget-preview", title: t("preview"), class: "preview", sandbox: "" });
  // Under the accent and text colours: the colour the server will publish when it has to move
  // the chosen one for readable contrast (see showPublished).
  const notes = {
    accent_color: h("div", { id: "set-accent_color-published", class: "published-notes", "aria-live": "polite" }),
    text_color: h("div", { id: "set-text_color-published", class: "published-notes", "aria-live": "polite" }),
  };
  let timer;

  function overrides() {
    const result = {};
    for (const [key, value] of Object.entries(state)) {
      if (value !== undefined && value !== "" && key !== "providers") result[key] = value;
    }
    if (state.labels && Object.keys(state.labels).length === 0) delete result.labels;
    if (providersTouched) result.providers = order.filter((p) => enabled.has(p));
    return result;
  }

  function changed() {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 250);
    showPublished();
    onChange(overrides());
  }

  function refreshPreview() {
    const query = new URLSearchParams(previewQuery);
    query.set("customization", JSON.stringify(overrides()));
    preview.src = `/api/preview/widget?${query}`;
  }

  /**
   * What the widget and the event page will publish (contrast.js's publishedPalette, the server's
   * arithmetic): for the accent (outline buttons only: filled ones keep it and write black or
   * white on it), the text and, without a text colour of its own, the muted lines, a note with the
   * published colour and its ratio wherever it differs from the chosen one, per theme when the
   * widget has both and they differ.
   */
  function showPublished() {
    const own = overrides();
    // A colour still being typed ("#12") is not one yet: what it falls back to is shown.
    for (const [key] of COLOR_KEYS) if (own[key] !== undefined && !isHexColor(own[key])) delete own[key];
    const settings = { ...inherited, ...own };
    const themes = themesOf(settings.theme);
    const shown = themes.map((theme) => [theme, publishedPalette(settings, theme)]);
    const notesFor = (role, keys) => {
      const changed = shown.filter(([, palette]) => palette[role] !== palette.chosen[role]);
      if (changed.length === 0) return [];
      const same = changed.length === themes.length && new Set(changed.map(([, palette]) => palette[role])).size === 1;
      return (same ? [[null, changed[0][1]]] : changed).map(([theme, palette]) => {
        const key = theme === null ? keys.any : theme === "light" ? keys.light : keys.dark;
        // The colour is its own left-to-right span: "#ffcc00" keeps its "#" in front in Hebrew too.
        const color = h("span", { dir: "ltr" }, palette[role]);
        return h("p", { class: "published", dataset: { role, theme: theme ?? "all", color: palette[role] } },
          h("span", { class: "swatch published-swatch", "aria-hidden": "true" }),
          h("span", {}, tParts(key, { ratio: ratioText(contrastRatio(palette[role], palette.background)) }, "color", color)));
      });
    };
    const textKeys = { any: "contrastAdjusted", light: "contrastAdjustedLight", dark: "contrastAdjustedDark" };
    const mutedKeys = { any: "contrastMutedAdjusted", light: "contrastMutedAdjustedLight", dark: "contrastMutedAdjustedDark" };
    notes.accent_color.replaceChildren(...notesFor("accent", textKeys));
    // With a text colour of its own the muted lines are that colour, so one note says both.
    const mutedNotes = isHexColor(settings.text_color ?? "") ? [] : notesFor("muted", mutedKeys);
    notes.text_color.replaceChildren(...notesFor("text", textKeys), ...mutedNotes);
    for (const note of Object.values(notes)) {
      note.hidden = !note.firstChild;
      for (const swatch of note.querySelectorAll(".published-swatch")) swatch.style.background = swatch.parentElement.dataset.color;
    }
  }

  /** options: [value, text, extra option attributes]. */
  function select(key, label, options, hint) {
    const control = h("select", {
      id: `set-${key}`,
      onchange: (event) => { state[key] = event.target.value || undefined; changed(); },
    }, h("option", { value: "" }, t("inherit")), options.map(([value, text, extra = {}]) => h("option", { value, ...extra }, text)));
    control.value = state[key] === undefined ? "" : String(state[key]);
    return row(key, label, control, hint);
  }

  function row(key, label, control, hint) {
    const errorId = `error-customization_settings-${key}`;
    if (hint) control.setAttribute("aria-describedby", `set-${key}-hint ${errorId}`);
    return h("div", { class: "field" },
      h("label", { for: control.id }, label), control,
      hint ? h("p", { class: "hint", id: `set-${key}-hint` }, hint) : null,
      h("p", { class: "error", id: errorId, role: "alert" }));
  }

  function colorRow(key, labelKey) {
    const text = h("input", {
      id: `set-${key}`, type: "text", inputmode: "text", maxlength: 7, placeholder: "#RRGGBB", value: state[key] ?? "", dir: "ltr",
      autocomplete: "off", spellcheck: "false",
      oninput: (event) => {
        const value = event.target.value.trim();
        state[key] = value === "" ? undefined : value;
        if (isHexColor(value)) picker.value = value.toLowerCase();
        event.target.setAttribute("aria-invalid", value !== "" && !isHexColor(value) ? "true" : "false");
        if (value === "" || isHexColor(value)) changed();
      },
    });
    const picker = h("input", {
      id: `set-${key}-picker`, type: "color", value: state[key] ?? COLOR_DEFAULTS[key], "aria-label": t(labelKey),
      oninput: (event) => { text.value = event.target.value; state[key] = event.target.value; changed(); },
    });
    const control = h("span", { class: "color-control" }, text, picker);
    control.id = `set-${key}-wrap`;
    const described = [`set-${key}-hint`, notes[key]?.id, `error-customization_settings-${key}`].filter(Boolean).join(" ");
    text.setAttribute("aria-describedby", described);
    return h("div", { class: "field" },
      h("label", { for: text.id }, t(labelKey)), control, h("p", { class: "hint", id: `set-${key}-hint` }, t("colourHint")),
      notes[key] ?? null,
      h("p", { class: "error", id: `error-customization_settings-${key}`, role: "alert" }));
  }

  function numberRow(key, label, min, max) {
    const control = h("input", {
      id: `set-${key}`, type: "number", min, max, step: 1, value: state[key] ?? "", placeholder: t("inherit"),
      oninput: (event) => {
        const value = event.target.value;
        state[key] = value === "" ? undefined : Number(value);
        changed();
      },
    });
    return row(key, label, control);
  }

  const providerList = h("ol", { class: "providers", id: "set-providers" });
  function renderProviders() {
    providerList.replaceChildren(...order.map((type, index) => h("li", {},
      h("label", { class: "check" },
        h("input", {
          type: "checkbox", id: `set-provider-${type}`, checked: enabled.has(type),
          onchange: (event) => {
            if (event.target.checked) enabled.add(type);
            else if (enabled.size > 1) enabled.delete(type);
            else event.target.checked = true;  // at least one button must stay
            providersTouched = true;
            changed();
          },
        }), " ", providerName(type)),
      h("button", { type: "button", class: "icon", id: `move-up-${type}`, disabled: index === 0, "aria-label": t("labelled", { label: t("up"), value: providerName(type) }), onclick: () => move(type, -1) }, "↑"),
      h("button", { type: "button", class: "icon", id: `move-down-${type}`, disabled: index === order.length - 1, "aria-label": t("labelled", { label: t("down"), value: providerName(type) }), onclick: () => move(type, 1) }, "↓"))));
  }
  function move(type, step) {
    const from = order.indexOf(type);
    const to = from + step;
    if (to < 0 || to >= order.length) return;
    order.splice(to, 0, order.splice(from, 1)[0]);
    providersTouched = true;
    renderProviders();
    // Keep focus on the moved row; at either end its button for that direction is disabled (and
    // cannot hold focus), so the other one takes it.
    const same = document.getElementById(`move-${step < 0 ? "up" : "down"}-${type}`);
    (same && !same.disabled ? same : document.getElementById(`move-${step < 0 ? "down" : "up"}-${type}`))?.focus();
    changed();
  }
  renderProviders();

  const labelRows = PROVIDERS.map((type) => h("div", { class: "field" },
    h("label", { for: `set-label-${type}` }, providerName(type)),
    h("input", {
      id: `set-label-${type}`, type: "text", maxlength: 40, value: state.labels?.[type] ?? "", placeholder: t("inherit"), dir: "auto",
      oninput: (event) => {
        state.labels = { ...(state.labels ?? {}) };
        if (event.target.value.trim() === "") delete state.labels[type];
        else state.labels[type] = event.target.value;
        changed();
      },
    }),
    h("p", { class: "error", id: `error-customization_settings-labels-${type}`, role: "alert" })));

  const showDescription = h("select", {
    id: "set-show_description",
    onchange: (event) => { state.show_description = event.target.value === "" ? undefined : event.target.value === "true"; changed(); },
  }, h("option", { value: "" }, t("inherit")), h("option", { value: "true" }, t("yes")), h("option", { value: "false" }, t("no")));
  showDescription.value = state.show_description === undefined ? "" : String(state.show_description);

  /** `allow_indexing`: the event page's robots rule. Off unless set (the server's default);
   * once the organizer touches the box its state is sent either way, so an event can also say
   * "no" where the defaults say "yes". */
  function indexingRow() {
    const box = h("input", {
      checked: (state.allow_indexing ?? inherited.allow_indexing) === true,
      onchange: (event) => { state.allow_indexing = event.target.checked; changed(); },
    });
    return checkField({ id: "set-allow_indexing", label: t("allowIndexing"), hint: t("allowIndexingHint"),
      errorKey: "customization_settings-allow_indexing", input: box });
  }

  const element = h("div", { class: "designer-layout" },
    h("fieldset", { id: "designer", class: "designer" },
      h("legend", {}, t("designer")),
      select("theme", t("theme"), [["light", t("light")], ["dark", t("dark")], ["auto", t("auto")]]),
      COLOR_KEYS.map(([key, label]) => colorRow(key, label)),
      select("button_style", t("buttonStyle"), [["filled", t("filled")], ["outline", t("outline")]]),
      numberRow("border_radius", t("radius"), 0, 24),
      select("font", t("font"), [["system", t("fontSystem")], ["sans", t("fontSans")], ["serif", t("fontSerif")], ["mono", t("fontMono")]]),
      h("fieldset", { class: "nested", "aria-describedby": "set-providers-hint" }, h("legend", {}, t("providers")),
        h("p", { class: "hint", id: "set-providers-hint" }, t("providersHint")), providerList,
        h("p", { class: "error", id: "error-customization_settings-providers", role: "alert" })),
      h("fieldset", { class: "nested" }, h("legend", {}, t("labels")), labelRows),
      // "auto": the visitor's browser picks among all 14 (the server publishes one file each);
      // the languages by their own names, as a visitor would look for theirs.
      select("language", t("widgetLanguage"), [
        ["auto", t("languageAuto")],
        ...LANGUAGES.map(({ code, name, dir }) => [code, name, { lang: code, dir }]),
      ], t("languageAutoHint")),
      row("show_description", t("showDescription"), showDescription),
      numberRow("reminder_minutes", t("reminder"), 0, 10080),
      indexingRow()),
    // h2: the pane follows the page's h1 directly (axe-core's heading-order).
    h("section", { class: "preview-pane", "aria-label": t("preview") }, h("h2", { class: "pane-heading" }, t("preview")), preview));

  showPublished();
  refreshPreview();
  return { element, overrides };
}
