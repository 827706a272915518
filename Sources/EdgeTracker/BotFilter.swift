/// Link-preview bots, crawlers and clients that send no user agent: they are redirected like
/// anyone else but never counted, since no person clicked. The one list, in one place.
public enum BotFilter {
    /// Case-insensitive substrings of user agents that are not people.
    public static let markers: [String] = [
        "slackbot", "slack-imgproxy", "facebookexternalhit", "facebookcatalog", "twitterbot", "linkedinbot",
        "googlebot", "google-inspectiontool", "bingbot", "bingpreview", "discordbot", "whatsapp", "telegrambot",
        "applebot", "yandexbot", "duckduckbot", "baiduspider", "skypeuripreview", "redditbot", "embedly",
        "pinterestbot", "mastodon", "bot/", "crawler", "spider", "headlesschrome", "python-requests", "curl/", "wget/",
        "go-http-client", "okhttp", "java/", "libwww-perl", "httpclient",
    ]

    /// True when the request should not count as a person's click.
    public static func isAutomated(userAgent: String?) -> Bool {
        guard let userAgent, !userAgent.isEmpty else { return true }
        let lowered = userAgent.lowercased()
        return markers.contains { lowered.contains($0) }
    }
}
