import Testing
@testable import Outbound

@Suite struct SMTPReplyParserTests {
    @Test func multiLineRepliesAcrossFeeds() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.feed(Array("250-mail.example.com Hello\r\n250-AUTH PLAIN LO".utf8)).isEmpty)
        #expect(parser.hasBufferedInput)
        let replies = try parser.feed(Array("GIN\r\n250-STARTTLS\n250 8BITMIME\r\n220 next\r\n".utf8))
        #expect(replies == [
            SMTPReply(code: 250, lines: ["mail.example.com Hello", "AUTH PLAIN LOGIN", "STARTTLS", "8BITMIME"]),
            SMTPReply(code: 220, lines: ["next"]),
        ])
        #expect(replies[0].extensions["AUTH"] == ["PLAIN", "LOGIN"])
        #expect(replies[0].extensions["STARTTLS"] == [])
        #expect(!parser.hasBufferedInput)
    }

    @Test func bareCodeIsAReply() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.feed(Array("354\r\n".utf8)) == [SMTPReply(code: 354, lines: [""])])
    }

    @Test(arguments: ["hello\r\n", "25 short\r\n", "250_x\r\n", String(repeating: "2", count: 5000)])
    func malformed(input: String) {
        var parser = SMTPReplyParser()
        #expect(throws: SMTPConnectionError.malformedReply) { try parser.feed(Array(input.utf8)) }
    }

    @Test func safeTextHidesAddresses() {
        let reply = SMTPReply(code: 550, lines: ["5.1.1 <ana@example.org>: Recipient address rejected: User unknown"])
        #expect(reply.safeText == "5.1.1 [address] Recipient address rejected: User unknown")
    }
}
