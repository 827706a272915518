import CShims

/// Checks generated HTML with libxml2: parse errors (unclosed or mismatched tags, bad nesting) and
/// what a widget must never contain (`<script>`, `on*` handlers, `javascript:` URLs). The two
/// scripts we place ourselves are the only exceptions, and only byte for byte: the visitor's
/// clock (its bytes are what the CSP hash admits) and the event page's JSON-LD data block,
/// whose text may not hold a `<` (`EventStructuredData` escapes it).
public enum HTMLValidator {
    /// One finding, with the line of the rendered document it is on.
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// HTML5 elements libxml2 2.9 does not know; they are valid, so "unknown tag" for them is noise.
    static let html5Tags = [
        "main", "nav", "section", "article", "header", "footer", "aside", "time", "mark", "figure",
        "figcaption", "svg", "path", "template", "picture", "source", "details", "summary", "output",
    ]

    public static func problems(in html: String) -> [Problem] {
        uncheckedProblems(in: withoutOurScripts(html))
    }

    /// The page with our own two scripts emptied out (lines kept), for libxml2 to judge the rest.
    static func withoutOurScripts(_ html: String) -> String {
        var text = html.replacingOccurrences(of: "<script>\(VisitorClock.script)</script>", with: "")
        let open = #"<script type="application/ld+json">"#
        while let start = text.range(of: open), let end = text.range(of: "</script>", range: start.upperBound..<text.endIndex) {
            let data = text[start.upperBound..<end.lowerBound]
            guard !data.contains("<"), !data.contains("\n") else { break }
            text.replaceSubrange(start.lowerBound..<end.upperBound, with: "")
        }
        return text
    }

    static func uncheckedProblems(in html: String) -> [Problem] {
        var cStrings = html5Tags.map { strdup($0) }
        cStrings.append(nil)
        defer { cStrings.forEach { free($0) } }
        var bytes = Array(html.utf8)
        bytes.append(0)
        var raw: UnsafeMutablePointer<attendify_html_problem>?
        let count = cStrings.withUnsafeBufferPointer { tags in
            bytes.withUnsafeBufferPointer { buffer in
                tags.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: tags.count) { tagPointer in
                    buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { text in
                        attendify_html_check(text, buffer.count - 1, tagPointer, &raw)
                    }
                }
            }
        }
        defer { attendify_html_problems_free(raw, count) }
        guard let raw else { return [] }
        return (0..<Int(count)).map { index in
            Problem(line: Int(raw[index].line), message: raw[index].message.map { String(cString: $0) } ?? "")
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
