import Core
import Foundation
import PropertyBased
import Testing

@Suite struct ICSTextTests {
    @Test func escapesBackslashFirstThenSeparatorsAndLineBreaks() {
        #expect(ICSText.escape(#"a\b;c,d"#) == #"a\\b\;c\,d"#)
        #expect(ICSText.escape("one\r\ntwo\nthree\rfour") == #"one\ntwo\nthree\nfour"#)
        #expect(ICSText.escape(#"\n"#) == #"\\n"#)  // a literal backslash-n stays literal
    }

    @Test func dropsControlCharactersButKeepsTabs() {
        #expect(ICSText.escape("a\u{0}b\u{7}c\td\u{7F}") == "abc\td")
    }

    @Test func shortLinesAreNotFolded() {
        let line = String(repeating: "x", count: 75)
        #expect(ICSText.fold(line) == line)
    }

    @Test func foldsAtSeventyFiveOctetsWithLeadingSpace() {
        let folded = ICSText.fold(String(repeating: "x", count: 160))
        let lines = folded.components(separatedBy: "\r\n")
        #expect(lines.map(\.utf8.count) == [75, 75, 12])
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
    }

    @Test func neverSplitsAMultibyteCharacter() {
        // 74 ASCII octets then a 4-octet emoji: the emoji must move whole to the next line.
        let folded = ICSText.fold(String(repeating: "a", count: 74) + "🎉🎉")
        let lines = folded.components(separatedBy: "\r\n")
        #expect(lines[0] == String(repeating: "a", count: 74))
        #expect(lines[1] == " 🎉🎉")
    }

    static let interestingScalars: [UnicodeScalar] = [
        "\\", ";", ",", "\r", "\n", "\t", " ", ":", "\"", "é", "ż", "€", "🎉", "👩", "\u{200D}", "\u{0301}", "\u{0}",
        "\u{1B}", "\u{7F}", "\u{FEFF}",
    ]

    /// Any Unicode text, biased towards the characters the RFC treats specially.
    static let anyText = Gen<UnicodeScalar>.oneOf(
        Gen<UnicodeScalar?>.element(of: interestingScalars).map { $0! },
        Gen<UnicodeScalar>.unicodeScalar(in: " "..."~"),
        Gen<UInt32>.value(in: 0...0x10FFFF).map { UnicodeScalar($0) ?? "\u{FFFD}" }
    ).array(of: 0...400).map { scalars in
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        return text
    }

    @Test func escapeThenUnescapeGivesTheNormalizedText() async {
        await propertyCheck(count: 500, input: Self.anyText) { text in
            #expect(ICSText.unescape(ICSText.escape(text)) == PlainText.normalized(text))
        }
    }

    @Test func escapedTextHasNoRawLineBreaksOrControls() async {
        await propertyCheck(count: 500, input: Self.anyText) { text in
            let escaped = ICSText.escape(text)
            #expect(!escaped.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\t" })
        }
    }

    @Test func foldThenUnfoldRoundTripsAndRespectsTheOctetLimit() async {
        await propertyCheck(count: 500, input: Self.anyText) { text in
            let line = "DESCRIPTION:" + ICSText.escape(text)
            let folded = ICSText.fold(line)
            #expect(ICSText.unfold(folded) == line)
            for physical in folded.components(separatedBy: "\r\n") {
                #expect(physical.utf8.count <= ICSText.maximumLineOctets)
                // Each physical line is whole UTF-8 on its own: no scalar was cut in two.
                #expect(String(validating: Array(physical.utf8), as: UTF8.self) != nil)
            }
        }
    }
}
