import Core

/// The `<iframe>` an organizer pastes into their page: absolute `src`, a title for screen
/// readers, lazy loading, a size that fits the widget, and a sandbox that allows exactly what the
/// widget does: open a calendar in a new, unsandboxed tab, and download the `.ics`.
///
/// Two sizes, both valid HTML (the W3C checker refuses `width="100%"`: the attribute is a number
/// of pixels): `html` is 560 × 300 pixels and shrinks to its container's width (`max-width:100%`);
/// `responsiveHTML` takes the container's whole width, up to 560 pixels, sized by CSS alone.
enum EmbedCode {
    static let sandbox = "allow-popups allow-popups-to-escape-sandbox allow-downloads"

    /// `placement` embeds that placement's own widget, whose views and clicks are counted for it.
    static func html(for event: Event, publicBase: String, language: WidgetLanguage, placement: Placement? = nil) -> String {
        iframe(for: event, publicBase: publicBase, language: language, placement: placement, size: #"width="560" height="300" style="border:0;max-width:100%""#)
    }

    static func responsiveHTML(for event: Event, publicBase: String, language: WidgetLanguage, placement: Placement? = nil) -> String {
        iframe(
            for: event, publicBase: publicBase, language: language, placement: placement,
            size: #"style="border:0;display:block;width:100%;max-width:560px;height:300px""#)
    }

    private static func iframe(for event: Event, publicBase: String, language: WidgetLanguage, placement: Placement?, size: String) -> String {
        let source = widgetURL(for: event, publicBase: publicBase, placement: placement)
        let title = "\(WidgetStrings.for(language).heading): \(event.title)"
        return """
            <iframe src="\(attribute(source))" title="\(attribute(title))" \(size) \
            loading="lazy" sandbox="\(sandbox)" referrerpolicy="no-referrer"></iframe>
            """
    }

    static func widgetURL(for event: Event, publicBase: String, placement: Placement? = nil) -> String {
        let widget = "\(publicBase)/widget/event/\(event.publicID.rawValue)"
        return placement.map { "\(widget)/\($0.key.rawValue)" } ?? widget
    }

    /// Escapes text for a double-quoted HTML attribute.
    static func attribute(_ text: String) -> String { HTMLEscape.text(text) }
}
