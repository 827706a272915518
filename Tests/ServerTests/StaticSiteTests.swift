import Foundation
import Generator
import TestSupport
import Testing

@Suite struct StaticSiteTests {
    @Test func widgetIsServedAsHTMLWithValidatorsAndFramingAllowed() async throws {
        try await withRunningServer { client, site in
            let response = try await client.get("/widget/event/\(site.publicID)")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/html; charset=utf-8")
            #expect(response.header("Access-Control-Allow-Origin") == "*")
            #expect(response.header("X-Frame-Options") == nil)
            #expect(response.header("Content-Security-Policy")?.contains("frame-ancestors *") == true)
            #expect(response.header("ETag") != nil)
            #expect(response.header("Last-Modified")?.hasSuffix(" GMT") == true)
            let file = try Data(contentsOf: URL(fileURLWithPath: "\(site.outputDirectory)/widget/event/\(site.publicID)/index.html"))
            #expect(response.body == Array(file))
        }
    }

    @Test func gzipTwinIsSentOnlyWhenAccepted() async throws {
        try await withRunningServer { client, site in
            let plain = try await client.get("/widget/event/\(site.publicID)")
            let gzip = try await client.get("/widget/event/\(site.publicID)", headers: [("Accept-Encoding", "gzip, br")])
            #expect(plain.header("Content-Encoding") == nil)
            #expect(gzip.header("Content-Encoding") == "gzip")
            #expect(gzip.header("Vary") == "Accept-Encoding, Accept-Language")
            #expect(gzip.body.starts(with: [0x1F, 0x8B]))
            #expect(gzip.body.count < plain.body.count)
        }
    }

    @Test func icsIsADownloadOfTypeTextCalendar() async throws {
        try await withRunningServer { client, site in
            let response = try await client.get("/calendar/\(site.publicID)/download.ics")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/calendar; charset=utf-8")
            #expect(response.header("Content-Disposition") == #"attachment; filename="event.ics""#)
            #expect(response.text.hasPrefix("BEGIN:VCALENDAR\r\n"))
        }
    }

    @Test func conditionalRequestsGet304() async throws {
        try await withRunningServer { client, site in
            let first = try await client.get("/widget/event/\(site.publicID)")
            let etag = try #require(first.header("ETag"))
            let lastModified = try #require(first.header("Last-Modified"))
            let byTag = try await client.get("/widget/event/\(site.publicID)", headers: [("If-None-Match", etag)])
            #expect(byTag.status == 304)
            #expect(byTag.body.isEmpty)
            let byDate = try await client.get("/widget/event/\(site.publicID)", headers: [("If-Modified-Since", lastModified)])
            #expect(byDate.status == 304)
            let stale = try await client.get("/widget/event/\(site.publicID)", headers: [("If-None-Match", "\"other\"")])
            #expect(stale.status == 200)
        }
    }

    @Test func headHasHeadersButNoBody() async throws {
        try await withRunningServer { client, site in
            let response = try await client.send("HEAD", "/calendar/\(site.publicID)/download.ics")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/calendar; charset=utf-8")
            #expect(response.body.isEmpty)
        }
    }

    @Test(arguments: [
        "/widget/event/", "/widget/event/short", "/widget/event/..%2F..%2Fetc%2Fpasswd", "/widget/event/../../etc/passwd",
        "/calendar/AAAAAAAAAAAAAAAAAAAAAA/download.ics", "/widget/event/AAAAAAAAAAAAAAAAAAAAAA", "/out/anything",
        "/widget/event/\(String(repeating: "a", count: 5_000))",
    ])
    func anythingElseIs404(path: String) async throws {
        try await withRunningServer { client, _ in
            let response = try await client.get(path)
            #expect(response.status == 404)
        }
    }

    @Test func aDeletedEventsFilesDisappear() async throws {
        try await withRunningServer { client, site in
            let publisher = Publisher(root: site.outputDirectory)
            try publisher.remove(try #require(site.demo?.event.publicID))
            #expect(try await client.get("/widget/event/\(site.publicID)").status == 404)
            #expect(try await client.get("/calendar/\(site.publicID)/download.ics").status == 404)
        }
    }
}

@Suite struct ServeTrackTests {
    @Test func serveAnswersTrackWithTheSameRedirects() async throws {
        try await withRunningServer { client, site in
            let browser = [("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AttendifyTest")]
            let google = try await client.get("/track/\(site.publicID)/google", headers: browser)
            #expect(google.status == 302)
            #expect(google.header("Location")?.hasPrefix("https://calendar.google.com/calendar/render?") == true)
            #expect(google.header("Cache-Control") == "no-store")
            let ics = try await client.get("/track/\(site.publicID)/ics", headers: browser)
            #expect(ics.header("Location") == "/calendar/\(site.publicID)/download.ics")
            let bad = try await client.get("/track/\(site.publicID)/nope", headers: browser)
            #expect(bad.status == 404)
            let traversal = try await client.get("/track/\(site.publicID)/../../etc/passwd", headers: browser)
            #expect(traversal.status == 404)
        }
    }
}
