import Foundation

/// A fresh folder under the system temp dir, removed when the value goes away.
final class TestFolder: @unchecked Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "attendify-outbound-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
}

/// Paths inside the package checkout (found from this file, so it works from any clone).
enum PackageRoot {
    static let path: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Tests/OutboundTests/Support/ThisFile.swift
        return url.path
    }()

    static var pysupport: String { "\(path)/Tests/pysupport" }
}
