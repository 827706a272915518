import Core
import Generator
import Foundation

/// Response bodies: their own types, never database records, so a new column cannot leak.
struct UserResponse: Encodable {
    var id: Int64
    var email: String
    var fullName: String?
    var createdAt: String

    init(_ user: User) {
        id = user.id
        email = user.email
        fullName = user.fullName
        createdAt = RFC3339.format(user.createdAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, email
        case fullName = "full_name"
        case createdAt = "created_at"
    }

    // Encode `full_name` as null rather than omitting it: the contract lists the key.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(email, forKey: .email)
        try container.encode(fullName, forKey: .fullName)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

struct LoginResponse: Encodable {
    var token: String
    var expiresAt: String
    var user: UserResponse

    enum CodingKeys: String, CodingKey {
        case token, user
        case expiresAt = "expires_at"
    }
}

struct EventResponse: Encodable {
    var id: Int64
    var publicID: String
    var title: String
    var description: String
    var startDatetime: String
    var endDatetime: String
    var timezone: String
    var webinarURL: String
    var customizationSettings: CustomizationOverrides
    var widgetURL: String
    /// The shareable event page, `/e/{public_id}`.
    var pageURL: String
    var icsURL: String
    var sequence: Int
    var status: String
    var feedURL: String
    var recordingURL: String?
    var listed: Bool
    var recurrence: RecurrenceResponse?
    var nextStart: String?
    var nextEnd: String?
    var createdAt: String
    var updatedAt: String

    init(_ event: Event, publicBase: String, now: Date) {
        id = event.id
        publicID = event.publicID.rawValue
        title = event.title
        description = event.description
        startDatetime = RFC3339.format(event.start)
        endDatetime = RFC3339.format(event.end)
        timezone = event.timeZone
        webinarURL = event.webinarURL
        customizationSettings = event.customization
        widgetURL = EmbedCode.widgetURL(for: event, publicBase: publicBase)
        pageURL = "\(publicBase)\(SitePaths.pagePath(event.publicID))"
        icsURL = "\(publicBase)\(ProviderLinks.icsPath(event.publicID))"
        sequence = event.sequence
        status = event.status.rawValue
        feedURL = "\(publicBase)\(ProviderLinks.eventFeedPath(event.publicID))"
        recordingURL = event.recordingURL
        listed = event.listed
        recurrence = event.recurrence.map(RecurrenceResponse.init)
        let next = event.status == .cancelled ? nil : event.nextSession(at: now)
        nextStart = next.map { RFC3339.format($0.start) }
        nextEnd = next.map { RFC3339.format($0.end) }
        createdAt = RFC3339.format(event.createdAt)
        updatedAt = RFC3339.format(event.updatedAt)
    }

    // `recording_url` is null rather than missing when unset: the contract lists the key.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(publicID, forKey: .publicID)
        try container.encode(title, forKey: .title)
        try container.encode(description, forKey: .description)
        try container.encode(startDatetime, forKey: .startDatetime)
        try container.encode(endDatetime, forKey: .endDatetime)
        try container.encode(timezone, forKey: .timezone)
        try container.encode(webinarURL, forKey: .webinarURL)
        try container.encode(customizationSettings, forKey: .customizationSettings)
        try container.encode(widgetURL, forKey: .widgetURL)
        try container.encode(pageURL, forKey: .pageURL)
        try container.encode(icsURL, forKey: .icsURL)
        try container.encode(feedURL, forKey: .feedURL)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(status, forKey: .status)
        try container.encode(recordingURL, forKey: .recordingURL)
        try container.encode(listed, forKey: .listed)
        try container.encode(recurrence, forKey: .recurrence)
        try container.encode(nextStart, forKey: .nextStart)
        try container.encode(nextEnd, forKey: .nextEnd)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, title, description, timezone, sequence, status, listed, recurrence
        case nextStart = "next_start"
        case nextEnd = "next_end"
        case feedURL = "feed_url"
        case recordingURL = "recording_url"
        case publicID = "public_id"
        case startDatetime = "start_datetime"
        case endDatetime = "end_datetime"
        case webinarURL = "webinar_url"
        case customizationSettings = "customization_settings"
        case widgetURL = "widget_url"
        case pageURL = "page_url"
        case icsURL = "ics_url"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// A series' rule as the API shows it: every key present, the unused end as null.
struct RecurrenceResponse: Encodable {
    var freq: String
    var interval: Int
    var byDay: [String]
    var byMonthDay: [Int]
    var count: Int?
    var until: String?
    var exdates: [String]

    init(_ rule: Recurrence) {
        freq = rule.frequency.rawValue
        interval = rule.interval
        byDay = rule.byDay.map(\.description)
        byMonthDay = rule.byMonthDay
        switch rule.end {
        case .count(let n): count = n
        case .until(let date): until = RFC3339.format(date)
        }
        exdates = rule.exdates.sorted().map(RFC3339.format)
    }

    enum CodingKeys: String, CodingKey {
        case freq, interval, count, until, exdates
        case byDay = "by_day"
        case byMonthDay = "by_month_day"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(freq, forKey: .freq)
        try container.encode(interval, forKey: .interval)
        try container.encode(byDay, forKey: .byDay)
        try container.encode(byMonthDay, forKey: .byMonthDay)
        try container.encode(count, forKey: .count)
        try container.encode(until, forKey: .until)
        try container.encode(exdates, forKey: .exdates)
    }
}

/// `POST /api/recurrence/preview`: every session of a rule, and the rule in words.
struct RecurrencePreviewResponse: Encodable {
    struct Session: Encodable {
        var start: String
        var end: String
    }

    var occurrences: [Session]
    var total: Int
    var summary: String
}

/// `GET /api/feed`: the organizer's feed and the ways to subscribe to it.
struct FeedResponse: Encodable {
    var feedURL: String
    var webcalURL: String
    var googleSubscribeURL: String
    var outlookSubscribeURL: String

    init(_ links: SubscriptionLinks) {
        feedURL = links.feedURL
        webcalURL = links.webcalURL
        googleSubscribeURL = links.googleURL
        outlookSubscribeURL = links.outlookURL
    }

    enum CodingKeys: String, CodingKey {
        case feedURL = "feed_url"
        case webcalURL = "webcal_url"
        case googleSubscribeURL = "google_subscribe_url"
        case outlookSubscribeURL = "outlook_subscribe_url"
    }
}

struct EventListResponse: Encodable {
    var events: [EventResponse]
    var total: Int
}

struct IframeCodeResponse: Encodable {
    var iframeHTML: String
    var responsiveIframeHTML: String
    enum CodingKeys: String, CodingKey {
        case iframeHTML = "iframe_html"
        case responsiveIframeHTML = "iframe_html_responsive"
    }
}

struct SettingsResponse: Encodable {
    var iframeDefaults: CustomizationOverrides
    enum CodingKeys: String, CodingKey { case iframeDefaults = "iframe_defaults" }
}

struct SessionResponse: Encodable {
    var user: UserResponse?

    // `user` is always present: null when signed out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user, forKey: .user)
    }

    enum CodingKeys: String, CodingKey { case user }
}
