/// A calendar a visitor can add the event to; each is one button in the widget and one
/// `/track/{public_id}/{type}` link.
public enum ProviderType: String, CaseIterable, Codable, Sendable {
    /// Google Calendar (web).
    case google
    /// An `.ics` download: Apple Calendar and every desktop client.
    case ics
    /// Outlook.com (personal Microsoft accounts).
    case outlook
    /// Microsoft 365 (work and school accounts).
    case office365
    /// Yahoo Calendar.
    case yahoo

    /// Parses a type from raw URL bytes without allocating a String on the tracker's hot path.
    public init?(utf8 bytes: some Collection<UInt8>) {
        for type in Self.allCases where type.rawValue.utf8.elementsEqual(bytes) {
            self = type
            return
        }
        return nil
    }
}
