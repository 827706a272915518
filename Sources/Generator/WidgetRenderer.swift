import Core
import Foundation

/// The pure half of the generator: an event and its settings in, the exact bytes of its public
/// files out. No disk, no clock: the same input always gives the same output.
public struct WidgetRenderer: Sendable {
    let templates: TemplateLibrary
    let icsWriter: ICSWriter

    public enum RenderError: Error, CustomStringConvertible {
        case templateFailed(String)
        public var description: String {
            switch self {
            case .templateFailed(let name): "template \(name) could not be rendered"
            }
        }
    }

    /// `uidHost` is the host of the public URL: it makes each `.ics` UID globally unique.
    public init(templates: TemplateLibrary, uidHost: String) {
        self.templates = templates
        self.icsWriter = ICSWriter(uidHost: uidHost)
    }

    /// The widget page alone (also used by previews of unsaved settings).
    public func widgetHTML(event: Event, settings: WidgetSettings) throws -> String {
        guard let html = templates.render(WidgetView(event: event, settings: settings), template: "widget") else {
            throw RenderError.templateFailed("widget")
        }
        return html
    }

    /// All files of one event: the widget, its gzip twin and the `.ics`.
    public func render(_ item: PublishableEvent) throws -> [OutputFile] {
        let settings = item.settings
        let event = item.event
        let html = Array(try widgetHTML(event: event, settings: settings).utf8)
        let ics = icsWriter.calendar(for: event, reminderMinutes: settings.reminderMinutes)
        return [
            OutputFile(relativePath: SitePaths.widgetHTML(event.publicID), contents: html),
            OutputFile(relativePath: SitePaths.widgetGzip(event.publicID), contents: try Gzip.compress(html)),
            OutputFile(relativePath: SitePaths.calendarFile(event.publicID), contents: Array(ics.utf8)),
        ]
    }
}
