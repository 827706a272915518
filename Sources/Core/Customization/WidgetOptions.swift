/// Colour scheme of the widget; `auto` follows the visitor's system setting.
public enum WidgetTheme: String, CaseIterable, Codable, Sendable { case light, dark, auto }

/// How buttons are drawn.
public enum ButtonStyle: String, CaseIterable, Codable, Sendable { case filled, outline }

/// The widget's font: an allow-list of system font stacks (no web fonts: the widget loads nothing).
public enum WidgetFont: String, CaseIterable, Codable, Sendable {
    case system, sans, serif, mono

    /// The CSS `font-family` value; fixed strings, never user text. No quotes: the template
    /// HTML-escapes every value, and `&quot;` inside `<style>` would void the whole rule
    /// (multi-word family names are valid unquoted).
    public var cssStack: String {
        switch self {
        case .system: "system-ui,-apple-system,Segoe UI,Roboto,sans-serif"
        case .sans: "Helvetica,Arial,sans-serif"
        case .serif: "Georgia,Times New Roman,serif"
        case .mono: "ui-monospace,Menlo,Consolas,monospace"
        }
    }
}
