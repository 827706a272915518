// WCAG 2 contrast, the same arithmetic as Core's HexColor.

function channel(value) {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function luminance(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrastRatio(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

export const isHexColor = (text) => /^#[0-9a-fA-F]{6}$/.test(text);

/** The widget's built-in palettes (Generator/WidgetView.swift). */
export const palettes = {
  light: { background: "#ffffff", text: "#111827", accent: "#1d4ed8" },
  dark: { background: "#111827", text: "#f9fafb", accent: "#93c5fd" },
};
