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
}

