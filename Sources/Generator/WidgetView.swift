import Core
import Foundation
import Mustache

/// Everything `widget.mustache` shows, already computed: the template only places values, and
/// Mustache HTML-escapes every one of them (the template never uses triple braces).
struct WidgetView {
    struct Button {
        var type: String
        var label: String
        var href: String
        /// Web calendars open in a new tab; the `.ics` downloads in place.
        var newTab: Bool
    }

    struct Palette {
        var background: String
        var text: String
        var muted: String
        var accent: String
        var onAccent: String
    }

    var lang: String
    /// `rtl` for Arabic and Hebrew.
    var dir: String
    var title: String
    var description: String
    var showDescription: Bool
    var heading: String
    var buttonsLabel: String
    var dateText: String
    var timeText: String
    var zoneText: String
    var startISO: String
    /// For the visitor's-clock script: the session's end and the event's zone, and its label.
    var endISO: String
    var eventZone: String
    var visitorTime: String
    /// `VisitorClock.script`, placed raw: fixed bytes of ours, never user text.
    var clockScript: String { VisitorClock.script }
    var buttons: [Button]
    /// A series' rule in words, and the note about calendars that cannot add a series.
    var ruleText: String
    var hasRule: Bool { !ruleText.isEmpty }
    var seriesNote: String
    var hasSeriesNote: Bool { !seriesNote.isEmpty }
    /// Add buttons only while the event is upcoming; the subscribe ones also after it ended or
    /// was cancelled when they lead to the organizer's feed (the next webinars).
    var showButtons: Bool
    /// "Cancelled" or "ended": a state line instead of the add buttons.
    var hasState: Bool
    var state: String
    var stateTitle: String
    var stateText: String
    var hasStateText: Bool { !stateText.isEmpty }
    var hasRecording: Bool
    var recordingURL: String
    var recordingLabel: String
    var light: Palette
    var dark: Palette
    /// Which palettes the CSS carries: light only, dark only, or light with a dark media query.
    var autoTheme: Bool
    var darkOnly: Bool
    var outline: Bool
    var radius: Int
    var fontStack: String
    /// The view beacon the CSS loads (`/track/{id}/view[/{placement}]`), empty in previews. A
    /// background image is fetched only by a browser that lays the widget out: link previews,
    /// crawlers and `curl` take the HTML and never ask for it.
    var beaconURL: String
    var counted: Bool { !beaconURL.isEmpty }

    static let lightDefaults = Palette(background: "#ffffff", text: "#111827", muted: "#4b5563", accent: "#1d4ed8", onAccent: "#ffffff")
    static let darkDefaults = Palette(background: "#111827", text: "#f9fafb", muted: "#d1d5db", accent: "#93c5fd", onAccent: "#000000")

    /// The event's own widget; `placed(at:)` turns it into a placement's.
    init(event: Event, settings: WidgetSettings, now: Date, counted: Bool = true) {
        let strings = WidgetStrings.for(settings.language)
        // A series shows its next session (the last one once all are over).
        let (phase, session) = event.moment(at: now)
        let schedule = WidgetSchedule(
            start: session.start, end: session.end, timeZoneIdentifier: event.timeZone, language: settings.language)
        lang = settings.language.rawValue
        dir = settings.language.direction
        // The same canonical text as the .ics, even for rows that bypassed EventDraft.
        title = PlainText.normalized(event.title)
        description = PlainText.normalized(event.description)
        showDescription = settings.showDescription && !description.isEmpty
        heading = phase == .upcoming ? strings.heading : strings.subscribeHeading
        buttonsLabel = phase == .upcoming ? strings.buttonsLabel : strings.subscribeHeading
        dateText = schedule.dateText
        timeText = schedule.timeText
        zoneText = schedule.zoneText
        startISO = UTCTimestamp.extended(session.start)
        endISO = UTCTimestamp.extended(session.end)
        eventZone = event.timeZone
        visitorTime = strings.visitorTime
        let zone = TimeZone(identifier: event.timeZone) ?? TimeZone(identifier: "UTC")!
        ruleText = event.recurrence?.summary(start: event.start, zone: zone, language: settings.language) ?? ""
        let hidesSome = event.recurrence != nil && settings.providers.contains { !$0.carriesSeries }
        seriesNote = hidesSome && phase == .upcoming ? strings.seriesNote : ""
        let offered = settings.providers.filter { type in
            guard event.recurrence == nil || type.carriesSeries else { return false }
            return phase == .upcoming || (!type.addsEvent && event.listed)
        }
        buttons = offered.map { type in
            // The .ics and webcal:// open in the visitor's own calendar app, not in a tab.
            Button(
                type: type.rawValue, label: settings.label(for: type), href: "/track/\(event.publicID.rawValue)/\(type.rawValue)",
                newTab: type != .ics && type != .subscribeWebcal)
        }
        showButtons = !buttons.isEmpty
        hasState = phase != .upcoming
        state = phase == .upcoming ? "" : phase.rawValue
        switch phase {
        case .upcoming:
            stateTitle = ""
            stateText = ""
        case .ended:
            stateTitle = strings.endedState
            stateText = ""
        case .cancelled:
            stateTitle = strings.cancelledState
            stateText = strings.cancelledText
        }
        let recording = phase == .ended ? event.recordingURL : nil
        hasRecording = recording != nil
        recordingURL = recording ?? ""
        recordingLabel = strings.recordingLink
        light = Self.palette(Self.lightDefaults, settings)
        dark = Self.palette(Self.darkDefaults, settings)
        sessionStart = session.start
        sessionEnd = session.end
        cancelled = phase == .cancelled
        autoTheme = settings.theme == .auto
        darkOnly = settings.theme == .dark
        outline = settings.buttonStyle == .outline
        radius = settings.borderRadius
        fontStack = settings.font.cssStack
        beaconURL = counted ? "/track/\(event.publicID.rawValue)/view" : ""
    }

    /// The same widget for one placement: its track links and view beacon carry the placement's
    /// key as a last path segment. Derived, so the dates, rule and colours are worked out once
    /// per event and language rather than once per placement.
    func placed(at key: PublicID) -> WidgetView {
        var view = self
        view.buttons = buttons.map { button in
            var placed = button
            placed.href += "/\(key.rawValue)"
            return placed
        }
        if counted { view.beaconURL += "/\(key.rawValue)" }
        return view
    }

    /// The session shown, for the event page's structured data.
    var sessionStart: Date
    var sessionEnd: Date
    var cancelled: Bool

    /// The organizer's colours replace the theme's, then every text colour is moved just far
    /// enough towards black or white to reach WCAG AA (4.5:1) on the background: the text, the
    /// muted lines, and the accent where it is text (outline buttons). A filled button's text is
    /// black or white, whichever contrasts more with the accent (at least 4.58:1 for any accent).
    static func palette(_ base: Palette, _ settings: WidgetSettings) -> Palette {
        let background = settings.backgroundColor ?? HexColor(base.background)!
        let text = settings.textColor ?? HexColor(base.text)!
        let muted = settings.textColor ?? HexColor(base.muted)!
        var accent = settings.accentColor ?? HexColor(base.accent)!
        if settings.buttonStyle == .outline { accent = accent.ensuringContrast(against: background) }
        return Palette(
            background: background.description,
            text: text.ensuringContrast(against: background).description,
            muted: muted.ensuringContrast(against: background).description,
            accent: accent.description,
            onAccent: accent.readableTextColor.description)
    }
}

// Mustache would otherwise find every `{{key}}` by reflection (`Mirror`), which profiling showed
// as a third of `generate --all`; a direct lookup costs a switch.
extension WidgetView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "lang": lang
        case "dir": dir
        case "endISO": endISO
        case "eventZone": eventZone
        case "visitorTime": visitorTime
        case "clockScript": clockScript
        case "title": title
        case "description": description
        case "showDescription": showDescription
        case "heading": heading
        case "buttonsLabel": buttonsLabel
        case "dateText": dateText
        case "timeText": timeText
        case "zoneText": zoneText
        case "startISO": startISO
        case "buttons": buttons
        case "ruleText": ruleText
        case "hasRule": hasRule
        case "seriesNote": seriesNote
        case "hasSeriesNote": hasSeriesNote
        case "showButtons": showButtons
        case "hasState": hasState
        case "state": state
        case "stateTitle": stateTitle
        case "stateText": stateText
        case "hasStateText": hasStateText
        case "hasRecording": hasRecording
        case "recordingURL": recordingURL
        case "recordingLabel": recordingLabel
        case "light": light
        case "dark": dark
        case "autoTheme": autoTheme
        case "darkOnly": darkOnly
        case "outline": outline
        case "radius": radius
        case "fontStack": fontStack
        case "counted": counted
        case "beaconURL": beaconURL
        default: nil
        }
    }
}

extension WidgetView.Button: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "type": type
        case "label": label
        case "href": href
        case "newTab": newTab
        default: nil
        }
    }
}

extension WidgetView.Palette: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "background": background
        case "text": text
        case "muted": muted
        case "accent": accent
        case "onAccent": onAccent
        default: nil
        }
    }
}
