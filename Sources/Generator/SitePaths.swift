import Core

/// Where each public file of an event lives, relative to the output root (`out/`). The URL layout
/// mirrors the file layout, so Nginx and `attendify serve` map one to the other without logic.
public enum SitePaths {
    public static func widgetDirectory(_ id: PublicID) -> String { "widget/event/\(id.rawValue)" }
    public static func widgetHTML(_ id: PublicID) -> String { "\(widgetDirectory(id))/index.html" }
    public static func widgetGzip(_ id: PublicID) -> String { "\(widgetDirectory(id))/index.html.gz" }
    /// A placement's own widget, inside its event's folder (removing the event removes it too).
    public static func placementDirectory(_ id: PublicID, _ key: PublicID) -> String { "\(widgetDirectory(id))/\(key.rawValue)" }
    public static func placementHTML(_ id: PublicID, _ key: PublicID) -> String { "\(placementDirectory(id, key))/index.html" }
    public static func placementGzip(_ id: PublicID, _ key: PublicID) -> String { "\(placementDirectory(id, key))/index.html.gz" }
    public static func calendarDirectory(_ id: PublicID) -> String { "calendar/\(id.rawValue)" }
    public static func calendarFile(_ id: PublicID) -> String { "\(calendarDirectory(id))/download.ics" }
    /// An event's own subscription feed, next to its download: what a deleted event keeps.
    public static func eventFeed(_ id: PublicID) -> String { "\(calendarDirectory(id))/feed.ics" }
    public static func organizerFeedDirectory(_ feedID: PublicID) -> String { "feed/\(feedID.rawValue)" }
    public static func organizerFeed(_ feedID: PublicID) -> String { "\(organizerFeedDirectory(feedID))/calendar.ics" }

    /// Parent folders that hold one sub-folder per event.
    public static let eventRoots = ["widget/event", "calendar"]
    /// The parent folder of the organizers' feed folders.
    public static let feedRoot = "feed"

}
