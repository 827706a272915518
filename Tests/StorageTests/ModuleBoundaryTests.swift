import Foundation
import TestSupport
import Testing

/// Nothing outside the Storage module knows which engine runs: no other source file imports
/// either driver (or the NIO pieces only the PostgreSQL engine needs).
@Suite struct ModuleBoundaryTests {
    @Test func onlyTheStorageModuleImportsADatabaseDriver() throws {
        let sources = URL(fileURLWithPath: PackagePaths.root).appendingPathComponent("Sources")
        let enumerator = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var offenders: [String] = []
        var storageFilesSeen = 0
        for case let file as URL in enumerator where file.pathExtension == "swift" {
            let relative = String(file.path.dropFirst(sources.path.count + 1))
            let text = try String(contentsOf: file, encoding: .utf8)
            let imports = text.split(separator: "\n").filter { line in
                let words = line.split(separator: " ")
                guard let index = words.firstIndex(of: "import"), index + 1 < words.count else { return false }
                return ["GRDB", "PostgresNIO", "SQLite3", "NIOSSL"].contains(String(words[index + 1]))
            }
            // TLS to mail relays and webhook receivers is Outbound's job; no driver there.
            let allowed = relative.hasPrefix("Outbound/") ? imports.filter { !$0.contains("NIOSSL") } : imports
            if relative.hasPrefix("Storage/") {
                if !imports.isEmpty { storageFilesSeen += 1 }
            } else if !allowed.isEmpty {
                offenders.append("\(relative): \(imports.joined(separator: "; "))")
            }
        }
        #expect(offenders.isEmpty, "driver imports outside Sources/Storage: \(offenders)")
        #expect(storageFilesSeen > 5, "the check found no driver imports at all: is it looking in the right place?")
    }
}
