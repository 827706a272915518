import Foundation

/// The product's own files (`Templates/`, `Panel/`) as they were when the binary was built, so
/// `attendify` runs from any folder. Paths are relative to the source root:
/// `Templates/widget.mustache`, `Panel/locales/de.json`. Owns no logic beyond looking them up;
/// flags such as `--templates` and `--panel` decide elsewhere whether a folder on disk wins.
public enum Assets {
    /// Decoded once, on first use.
    private static let files: [String: [UInt8]] = embeddedFiles.compactMapValues { Data(base64Encoded: $0).map(Array.init) }

    /// The bytes of one embedded file, or nil when no such file was embedded.
    public static func file(_ path: String) -> [UInt8]? { files[path] }

    /// Every embedded path under a folder (`"Panel/locales"`), sorted.
    public static func paths(under folder: String) -> [String] {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return files.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }
}
