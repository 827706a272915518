import Core

/// The `<iframe>` an organizer pastes into their page: absolute `src`, a title for screen
/// readers, lazy loading, a size that fits the widget, and a sandbox that allows exactly what the
/// widget does: open a calendar in a new, unsandboxed tab, and download the `.ics`.
enum EmbedCode {
    static let sandbox = "allow-popups allow-popups-to-escape-sandbox allow-downloads"

    /// `placement` embeds that placement's own widget, whose views and clicks are counted for it.
    static func html(for event: Event, publicBase: String, language: WidgetLanguage, placement: Placement? = nil) -> String {
        let source = widgetURL(for: event, publicBase: publicBase, placement: placement)
        let title = "\(WidgetStrings.for(language).heading): \(event.title)"
        return """
            <iframe src="\(attribute(source))" title="\(attribute(title))" width="100%" height="300" \
            style="border:0;max-width:560px" loading="lazy" sandbox="\(sandbox)" referrerpolicy="no-referrer"></iframe>
            """
    }

    static func widgetURL(for event: Event, publicBase: String, placement: Placement? = nil) -> String {
        let widget = "\(publicBase)/widget/event/\(event.publicID.rawValue)"
        return placement.map { "\(widget)/\($0.key.rawValue)" } ?? widget
    }

    /// Escapes text for a double-quoted HTML attribute.
    static func attribute(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\n", "\r\n", "\r": result += " "
            default: result.append(character)
            }
        }
        return result
    }
}
