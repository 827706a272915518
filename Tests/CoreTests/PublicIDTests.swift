import Core
import Foundation
import TestSupport
import Testing

@Suite struct PublicIDTests {
    @Test(arguments: ["", "short", "../../../etc/passwd", "AbCdEfGhIjKlMnOp/", "AbCdEfGhIjKlMnOp.", "ĄbCdEfGhIjKlMnOpQr", String(repeating: "a", count: 65), "AbCdEfGhIjKlMnOp%2F"])
    func rejectsAnythingOutsideThePattern(_ text: String) {
        #expect(PublicID(text) == nil)
    }

    @Test func acceptsTheURLSafeAlphabet() {
        #expect(PublicID("Ab-_09zZAb-_09zZ") != nil)
        #expect(PublicID(String(repeating: "a", count: 64)) != nil)
    }

    @Test func mintedIDsAreValidAndDistinct() {
        let ids = (0..<1_000).map { _ in PublicID.random() }
        #expect(ids.allSatisfy { PublicID($0.rawValue) != nil && $0.rawValue.count == PublicID.generatedLength })
        #expect(Set(ids).count == ids.count)
    }
}

@Suite struct UTCTimestampTests {
    @Test func matchesFoundationForManyInstants() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // 1900 to 2200, whole seconds.
            let seconds = Int64.random(in: -2_208_988_800...7_258_118_400, using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(UTCTimestamp.extended(date) == formatter.string(from: date))
        }
        #expect(UTCTimestamp.basic(Fixtures.start) == "20541201T150000Z")
    }

    @Test func httpDatesAreIMFFixdate() {
        #expect(UTCTimestamp.httpDate(epochSeconds: 2_679_750_000) == "Tue, 01 Dec 2054 15:00:00 GMT")
        #expect(UTCTimestamp.httpDate(epochSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(UTCTimestamp.httpDate(epochSeconds: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
    }
}
