import CShims

/// Checks generated HTML with libxml2: parse errors (unclosed or mismatched tags, bad nesting) and
/// what a widget must never contain (`<script>`, `on*` handlers, `javascript:` URLs).
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
