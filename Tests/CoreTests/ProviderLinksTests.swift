import Core
import Foundation
import TestSupport
import Testing

@Suite struct ProviderLinksTests {
    /// The add links are never nil for the types that add an event.
    struct AddLinks {
        let links = ProviderLinks()
        func url(for type: ProviderType, event: Event) -> String { links.url(for: type, event: event)! }
    }

    let links = AddLinks()

    @Test func subscriptionTypesHaveNoAddLink() {
        for type in ProviderType.allCases where !type.addsEvent {
            #expect(ProviderLinks().url(for: type, event: Fixtures.event()) == nil)
        }
    }

    func query(_ url: String) throws -> [String: String] {
        let components = try #require(URLComponents(string: url))
        var result: [String: String] = [:]
        for item in components.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }

    @Test func googleLinkCarriesUTCDatesTitleDetailsAndLocation() throws {
        let url = links.url(for: .google, event: Fixtures.event(title: "Q&A = fun #1"))
        #expect(url.hasPrefix("https://calendar.google.com/calendar/render?action=TEMPLATE&"))
        let items = try query(url)
        #expect(items["dates"] == "20541201T150000Z/20541201T163000Z")
        #expect(items["text"] == "Q&A = fun #1")
        #expect(items["details"] == "All the news.\n\nhttps://example.com/join")
        #expect(items["location"] == "https://example.com/join")
    }

    @Test func outlookUsesISOTimesAndHTMLLineBreaks() throws {
        let event = Fixtures.event(description: "Line one\nLine two")
        let url = links.url(for: .outlook, event: event)
        #expect(url.hasPrefix("https://outlook.live.com/calendar/0/action/compose?rru=addevent"))
        let items = try query(url)
        #expect(items["startdt"] == "2054-12-01T15:00:00Z")
        #expect(items["enddt"] == "2054-12-01T16:30:00Z")
        #expect(items["subject"] == "Quarterly webinar")
        #expect(items["body"] == "Line one<br>Line two<br><br>https://example.com/join")
    }

    @Test func office365UsesTheCloudMicrosoftDeeplink() throws {
        let url = links.url(for: .office365, event: Fixtures.event())
        #expect(url.hasPrefix("https://outlook.cloud.microsoft/calendar/deeplink/compose?"))
        #expect(try query(url)["startdt"] == "2054-12-01T15:00:00Z")
    }

    @Test func yahooUsesBasicFormat() throws {
        let items = try query(links.url(for: .yahoo, event: Fixtures.event()))
        #expect(items["v"] == "60")
        #expect(items["st"] == "20541201T150000Z")
        #expect(items["et"] == "20541201T163000Z")
        #expect(items["title"] == "Quarterly webinar")
    }

    @Test func teamsOpensANewMeetingWithTheLinkInItsContent() throws {
        let url = links.url(for: .teams, event: Fixtures.event(description: "Line one\nLine two"))
        #expect(url.hasPrefix("https://teams.microsoft.com/l/meeting/new?startTime="))
        let items = try query(url)
        #expect(items["startTime"] == "2054-12-01T15:00:00Z")
        #expect(items["endTime"] == "2054-12-01T16:30:00Z")
        #expect(items["subject"] == "Quarterly webinar")
        #expect(items["content"] == "Line one\nLine two\n\nhttps://example.com/join")
        #expect(items["location"] == nil)
        #expect(ProviderType.teams.addsEvent && !ProviderType.teams.carriesSeries)
    }

    @Test func icsPointsAtTheStaticDownload() {
        #expect(links.url(for: .ics, event: Fixtures.event()) == "/calendar/AbCdEfGhIjKlMnOpQrStUv/download.ics")
    }

    @Test func reservedCharactersAreEncodedSoTheyCannotAddParameters() {
        let url = links.url(for: .google, event: Fixtures.event(title: "a&dates=evil#frag+plus space"))
        #expect(url.contains("text=a%26dates%3Devil%23frag%2Bplus%20space"))
        #expect(!url.contains("#"))
    }

    @Test(arguments: [ProviderType.google, .outlook, .office365, .yahoo, .teams])
    func longDescriptionsAreShortenedButKeepTheWebinarLink(type: ProviderType) throws {
        let event = Fixtures.event(
            title: String(repeating: "Title 🎉 ", count: 25), description: String(repeating: "Zażółć gęślą jaźń. ", count: 300))
        let url = links.url(for: type, event: event)
        #expect(url.count <= ProviderLinks.maximumLinkLength)
        let items = try query(url)
        let details = items["details"] ?? items["body"] ?? items["desc"] ?? items["content"] ?? ""
        #expect(details.hasSuffix("https://example.com/join"))
        #expect(details.contains("…"))
        let title = items["text"] ?? items["subject"] ?? items["title"] ?? ""
        #expect(title.hasPrefix("Title 🎉"))
    }
}
