import Foundation
#if canImport(_FoundationICU)
import _FoundationICU
#endif

/// CLDR's plural category of a count in a language (`one`, `few`, `many`, `other`…), from the ICU
/// that Foundation itself ships. Foundation has no public API for it on Linux; the panel asks
/// `Intl.PluralRules`, which reads the same CLDR rules.
public enum PluralCategory {
    public static func of(_ count: Int, in language: WidgetLanguage) -> String {
        #if canImport(_FoundationICU)
        var status = U_ZERO_ERROR
        guard let rules = swift_uplrules_open(language.rawValue, &status), status.rawValue <= 0 else { return fallback(count) }
        defer { swift_uplrules_close(rules) }
        var buffer = [UChar](repeating: 0, count: 16)
        let length = swift_uplrules_select(rules, Double(count), &buffer, Int32(buffer.count), &status)
        guard status.rawValue <= 0, length > 0 else { return fallback(count) }
        return String(decoding: buffer[0..<Int(length)], as: UTF16.self)
        #else
        return fallback(count)
        #endif
    }

    private static func fallback(_ count: Int) -> String { count == 1 ? "one" : "other" }
}
