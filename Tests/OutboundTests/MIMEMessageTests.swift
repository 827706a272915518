import Foundation
import Testing
@testable import Outbound

/// MIME rendering, read back by an independent parser (Python's `email` package).
@Suite struct MIMEMessageTests {
    let date = Date(timeIntervalSince1970: 1_796_181_300)  // 2026-12-02T03:15:00Z

    func render(_ message: MailMessage) -> String {
        MIMEMessage.render(message, date: date, messageID: "abc123@example.com")
    }

    @Test func multipartHasBothPartsAndTheRequiredHeaders() async throws {
        let message = MailMessage(
            from: "Attendify <no-reply@example.com>", to: "ana@example.org", subject: "Reset your Attendify password",
            text: "Hello\nOpen https://example.com/?token=abc#/reset-password\n", html: "<p>Hello <a href=\"https://example.com/\">go</a></p>")
        let text = render(message)
        let mail = try await ParsedMail.parse(text)
        #expect(mail.defects.isEmpty)
        #expect(mail.content_type == "multipart/alternative")
        #expect(mail.header("Date") == ["Wed, 02 Dec 2026 03:15:00 +0000"])
        #expect(mail.header("Message-ID") == ["<abc123@example.com>"])
        #expect(mail.header("MIME-Version") == ["1.0"])
        #expect(mail.header("From") == ["Attendify <no-reply@example.com>"])
        #expect(mail.header("To") == ["ana@example.org"])
        #expect(mail.header("Subject") == ["Reset your Attendify password"])
        #expect(mail.header("Auto-Submitted") == ["auto-generated"])
        #expect(mail.parts.map(\.content_type) == ["text/plain", "text/html"])
        #expect(mail.parts.allSatisfy { $0.charset == "utf-8" })
        #expect(mail.parts[0].text == "Hello\nOpen https://example.com/?token=abc#/reset-password\n")
        #expect(mail.parts[1].text == "<p>Hello <a href=\"https://example.com/\">go</a></p>", "the CRLF before a boundary belongs to the boundary")
        #expect(text == render(message), "rendering is deterministic for a given date and id")
    }

    @Test func textOnlyIsASinglePart() async throws {
        let mail = try await ParsedMail.parse(render(MailMessage(from: "a@example.com", to: "b@example.com", subject: "S", text: "Body", html: nil)))
        #expect(mail.content_type == "text/plain")
        #expect(mail.parts.count == 1)
        #expect(mail.parts[0].text == "Body\n")
        #expect(mail.defects.isEmpty)
    }

    @Test func everyLineEndsInCRLFAndStaysShort() {
        let long = String(repeating: "wörd ", count: 60) + String(repeating: "x", count: 300)
        let text = render(MailMessage(
            from: "Ärger Verwaltung <no-reply@example.com>", to: "b@example.com",
            subject: String(repeating: "Très long sujet ", count: 12), text: long + "\n\ttrailing space \n", html: "<p>" + long + "</p>"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "longest: \(lines.map(\.utf8.count).max() ?? 0)")
        #expect(text.utf8.allSatisfy { $0 < 0x80 }, "7-bit clean")
    }

    @Test func longLinesAndSpecialCharactersRoundTrip() async throws {
        let body = String(repeating: "ünïcödé 🎉 = sign ", count: 40) + "\n\ttab and trailing space \nFrom the start\n=3D literal\n"
        let mail = try await ParsedMail.parse(render(MailMessage(from: "a@example.com", to: "b@example.com", subject: "x", text: body, html: "<b>" + body + "</b>")))
        #expect(mail.parts[0].text == body)
        #expect(mail.parts[1].text == "<b>" + body + "</b>")
        #expect(mail.defects.isEmpty)
    }

    @Test func nonASCIISubjectAndNameAreEncodedWords() async throws {
        let subject = "Réinitialiser votre mot de passe Attendify — ça marche 🎉 " + String(repeating: "ß", count: 40)
        let text = render(MailMessage(from: "Équipe Attendify <no-reply@example.com>", to: "b@example.com", subject: subject, text: "t", html: nil))
        #expect(text.contains("Subject: =?UTF-8?B?"))
        let mail = try await ParsedMail.parse(text)
        #expect(mail.header("Subject") == [subject])
        #expect(mail.header("From") == ["Équipe Attendify <no-reply@example.com>"])
    }

    @Test func quotedDisplayNameWithSpecials() async throws {
        let mail = try await ParsedMail.parse(render(MailMessage(from: "\"Attendify, Inc.\" <no-reply@example.com>", to: "b@example.com", subject: "x", text: "t", html: nil)))
        #expect(mail.header("From") == ["\"Attendify, Inc.\" <no-reply@example.com>"])
    }

    @Test(arguments: [
        ("subject", "Hi\r\nBcc: victim@example.net"),
        ("subject", "Hi\nBcc: victim@example.net"),
        ("subject", "Hi\rBcc: victim@example.net"),
        ("to", "b@example.com\r\nBcc: victim@example.net"),
        ("from", "Attendify\r\nBcc: victim@example.net <a@example.com>"),
        ("from", "Attendify <a@example.com>\r\nBcc: victim@example.net"),
        ("to", "b@example.com\n\n<html>body injection"),
    ])
    func headerInjectionIsNeutralized(field: String, value: String) async throws {
        var message = MailMessage(from: "a@example.com", to: "b@example.com", subject: "x", text: "t", html: nil)
        switch field {
        case "subject": message.subject = value
        case "to": message.to = value
        default: message.from = value
        }
        let text = render(message)
        let headerBlock = text.components(separatedBy: "\r\n\r\n")[0]
        let names = headerBlock.components(separatedBy: "\r\n").filter { !$0.hasPrefix(" ") }.map { $0.split(separator: ":")[0] }
        #expect(names == ["Date", "Message-ID", "MIME-Version", "From", "To", "Subject", "Auto-Submitted", "Content-Type", "Content-Transfer-Encoding"])
        let mail = try await ParsedMail.parse(text)
        #expect(mail.header("Bcc").isEmpty)
        #expect(mail.parts.map(\.text) == ["t\n"])
    }

    @Test func aLoneDotLineSurvivesDotStuffing() {
        let text = render(MailMessage(from: "a@example.com", to: "b@example.com", subject: "x", text: "one\n.\n..two\nend", html: nil))
        let stuffed = String(decoding: DotStuffing.encode(text), as: UTF8.self)
        #expect(stuffed.contains("\r\n..\r\n...two\r\n"))
        #expect(stuffed.hasSuffix("end\r\n.\r\n"))
        let body = stuffed.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        let unstuffed = body.components(separatedBy: "\r\n").dropLast(2).map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
        #expect(unstuffed == ["one", ".", "..two", "end"])
    }
}
