import Core
import Foundation

/// Customization JSON as both engines store it: only the keys that are set, sorted, so equal
/// settings are equal text (the revert checks compare them).
enum StoredJSON {
    static func encode(_ overrides: CustomizationOverrides) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(overrides), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> CustomizationOverrides {
        try JSONDecoder().decode(CustomizationOverrides.self, from: Data(text.utf8))
    }

    /// A series' rule, or nil for a one-off (NULL in the column).
    static func encode(_ recurrence: Recurrence?) throws -> String? {
        guard let recurrence else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(recurrence), as: UTF8.self)
    }

    static func decodeRecurrence(_ text: String?) throws -> Recurrence? {
        try text.map { try JSONDecoder().decode(Recurrence.self, from: Data($0.utf8)) }
    }
}

