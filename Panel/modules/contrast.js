// WCAG 2 contrast and the colours a widget is published with: the same arithmetic as Core's
// HexColor (`contrastRatio(with:)`, `readableTextColor`, `ensuringContrast(_:against:)`) and
// Generator's WidgetView.palette, so what the designer says is what the widget and the event page
// will use.

/** WCAG AA for text: what every published text colour reaches on its background. */
export const MINIMUM_CONTRAST = 4.5;

function channel(value) {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function channels(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex(values) {
  return `#${values.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

export function luminance(hex) {
  const [r, g, b] = channels(hex);
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrastRatio(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

export const isHexColor = (text) => /^#[0-9a-fA-F]{6}$/.test(text);

/** Black or white, whichever reads better on `hex` (white on a tie): a filled button's text. */
export function readableTextColor(hex) {
  return contrastRatio("#ffffff", hex) >= contrastRatio("#000000", hex) ? "#ffffff" : "#000000";
}

/**
 * `color` if it reaches `minimum` on `background`; else the first of 100 steps towards black or
 * white (whichever contrasts more with the background, black on a tie) that does:
 * step i mixes each sRGB channel as round(c + (target - c) * i / 100). Step 100 is the target.
 * Lower-case `#rrggbb` either way, as the server stores and renders colours.
 */
export function ensuringContrast(color, background, minimum = MINIMUM_CONTRAST) {
  const from = color.toLowerCase();
  if (contrastRatio(from, background) >= minimum) return from;
  const target = contrastRatio("#000000", background) >= contrastRatio("#ffffff", background) ? [0, 0, 0] : [255, 255, 255];
  const start = channels(from);
  for (let step = 1; step <= 100; step += 1) {
    const share = step / 100;
    const candidate = toHex(start.map((c, i) => Math.round(c + (target[i] - c) * share)));
    if (contrastRatio(candidate, background) >= minimum) return candidate;
  }
  return toHex(target);
}

/** The widget's built-in palettes (Generator/WidgetView.swift). */
export const palettes = {
  light: { background: "#ffffff", text: "#111827", muted: "#4b5563", accent: "#1d4ed8" },
  dark: { background: "#111827", text: "#f9fafb", muted: "#d1d5db", accent: "#93c5fd" },
};

/** The palettes a theme publishes: light, dark, or (auto, the default) both. */
export function themesOf(theme) {
  if (theme === "light") return ["light"];
  if (theme === "dark") return ["dark"];
  return ["light", "dark"];
}

/**
 * One palette as published for customization `settings` (the snake_case keys; colours that are
 * not `#RRGGBB` count as unset): the organizer's colours replace the theme's, the muted lines take
 * the text colour when one is set, then text and muted (and the accent, for outline buttons,
 * where it is text) are moved to reach 4.5:1 on the background. `chosen` holds the colours before
 * that move, so a caller can tell what was adjusted.
 */
export function publishedPalette(settings, theme) {
  const base = palettes[theme];
  const pick = (key, fallback) => (isHexColor(settings[key] ?? "") ? settings[key].toLowerCase() : fallback);
  const background = pick("background_color", base.background);
  const chosen = {
    text: pick("text_color", base.text),
    muted: pick("text_color", base.muted),
    accent: pick("accent_color", base.accent),
  };
  const accent = settings.button_style === "outline" ? ensuringContrast(chosen.accent, background) : chosen.accent;
  return {
    background,
    text: ensuringContrast(chosen.text, background),
    muted: ensuringContrast(chosen.muted, background),
    accent,
    onAccent: readableTextColor(accent),
    chosen,
  };
}
