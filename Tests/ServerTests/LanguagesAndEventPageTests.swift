import Foundation
import TestSupport
import Testing

@testable import Server

/// `serve`'s half of issue 14: the visitor's language picked by `Accept-Language`, the event page
/// `/e/{id}`, and `page_url` in event answers.
@Suite struct LanguagesAndEventPageTests {
    @Test func lookupWeighsQualitiesAndFallsBackFromRegions() {
        #expect(LanguageNegotiation.preferences("de-DE,de;q=0.9,en;q=0.8") == [.de, .en])
        #expect(LanguageNegotiation.preferences("fr-CA") == [.fr])
        #expect(LanguageNegotiation.preferences("en;q=0.5, uk;q=0.9") == [.uk, .en])
        #expect(LanguageNegotiation.preferences("zh-CN,zh;q=0.9") == [])
        #expect(LanguageNegotiation.preferences("pl;q=0, de") == [.de])
        #expect(LanguageNegotiation.preferences("*, de") == [])
        #expect(LanguageNegotiation.preferences("HE-il") == [.he])
        #expect(LanguageNegotiation.preferences("de;q=abc, ja") == [.ja])
        #expect(LanguageNegotiation.preferences(nil) == [])
        #expect(LanguageNegotiation.preferences("") == [])
    }

    @Test func anAutoWidgetAndItsPageSpeakTheVisitorsLanguage() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let client = APIClient(http: http)
            let token = try await client.signUp("auto@example.com")
            #expect(try await client.call("PUT", "/api/settings/iframe", json: ["iframe_defaults": ["language": "pl"]], token: token).status == 200)
            let event = try await client.createEvent(token: token, ["customization_settings": ["language": "auto"]])
            let id = try #require(event["public_id"] as? String)
            #expect(event["page_url"] as? String == "\(APIClient.origin)/e/\(id)")
            for path in ["/widget/event/\(id)", "/e/\(id)"] {
                for (header, lang) in [("de-DE,de;q=0.9,en;q=0.8", "de"), ("fr-CA", "fr"), ("zh-CN,zh;q=0.9", "pl"), ("ar", "ar"), ("en;q=0.2, he", "he")] {
                    for encoding in ["identity", "gzip"] {
                        let reply = try await http.get(path, headers: [("Accept-Language", header), ("Accept-Encoding", encoding)])
                        #expect(reply.status == 200)
                        #expect(reply.header("Vary") == "Accept-Encoding, Accept-Language")
                        let html = encoding == "gzip" ? try gunzip(reply.body) : reply.text
                        #expect(html.contains(#"<html lang="\#(lang)""#), "\(path) for \(header) (\(encoding))")
                    }
                }
                // No header: the organizer's language.
                #expect(try await http.get(path).text.contains(#"<html lang="pl" dir="ltr">"#))
            }
            // Back to one language: every visitor gets it, and the variants are gone.
            let changed = try await client.call(
                "PUT", "/api/events/\(event["id"] as? Int ?? 0)", json: ["customization_settings": ["language": "sv"]], token: token)
            #expect(changed.status == 200)
            #expect(try await http.get("/e/\(id)", headers: [("Accept-Language", "de")]).text.contains(#"<html lang="sv""#))
        }
    }

    @Test func theEventPageIsServedNeverFramedAndGoneWithItsEvent() async throws {
        try await withRunningServer(demo: false) { http, _ in
            let client = APIClient(http: http)
            let token = try await client.signUp("page@example.com")
            let event = try await client.createEvent(token: token)
            let id = try #require(event["public_id"] as? String)
            let page = try await http.get("/e/\(id)")
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            #expect(page.header("Content-Security-Policy")?.contains("'unsafe-inline'; img-src") == true)  // styles only
            #expect(page.header("Content-Security-Policy")?.contains("script-src 'sha256-") == true)
            #expect(page.text.contains(#"<meta name="robots" content="noindex">"#))
            #expect(page.text.contains("Launch webinar"))
            let indexed = try await client.call(
                "PUT", "/api/events/\(event["id"] as? Int ?? 0)", json: ["customization_settings": ["allow_indexing": true]], token: token)
            #expect(indexed.status == 200)
            #expect(try await http.get("/e/\(id)").text.contains(#"<meta name="robots" content="index,follow">"#))
            let wrong = try await client.call(
                "PUT", "/api/events/\(event["id"] as? Int ?? 0)", json: ["customization_settings": ["allow_indexing": "yes"]], token: token)
            #expect(wrong.status == 422)
            #expect(try await client.call("DELETE", "/api/events/\(event["id"] as? Int ?? 0)", token: token).status == 204)
            #expect(try await http.get("/e/\(id)").status == 404)
            #expect(try await http.get("/e/not-an-id").status == 404)
            #expect(try await http.get("/e/../../etc/passwd").status == 404)
        }
    }

    private func gunzip(_ bytes: [UInt8]) throws -> String {
        let folder = try TemporaryDirectory()
        let path = folder.file("page.gz")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
