/// The Content-Security-Policy of the public pages, one definition for `attendify serve` and the
/// Nginx config it writes, so a page behaves the same behind either.
public enum PagePolicy {
    /// The widget: inline styles, its own origin's view beacon (a CSS background image), the
    /// visitor's-clock script by hash, and nothing else; framable by any site.
    public static let widgetCSP =
        "default-src 'none'; script-src \(VisitorClock.cspSource); style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors *"
    /// The event page: the same, but never framed (the widget is the page to embed).
    public static let eventPageCSP =
        "default-src 'none'; script-src \(VisitorClock.cspSource); style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}
