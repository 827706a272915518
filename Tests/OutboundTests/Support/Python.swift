import Foundation

/// The repository's Python (its `.venv`, where setup.sh installs aiosmtpd), else `python3`.
enum Python {
    static let executable: String = {
        let venv = "\(PackageRoot.path)/.venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/env"
    }()

    static func arguments(_ script: String, _ rest: [String]) -> [String] {
        let scriptPath = "\(PackageRoot.pysupport)/\(script)"
        return executable.hasSuffix("/env") ? ["python3", scriptPath] + rest : [scriptPath] + rest
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs a pysupport script to completion on a plain thread (never a cooperative one) and returns stdout.
    static func run(_ script: String, _ rest: [String]) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments(script, rest)
                    let out = Pipe()
                    let err = Pipe()
                    process.standardOutput = out
                    process.standardError = err
                    try process.run()
                    let data = out.fileHandleForReading.readDataToEndOfFile()
                    let errors = err.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    guard process.terminationStatus == 0 else {
                        throw Failure(description: "\(script) failed: \(String(decoding: errors, as: UTF8.self))")
                    }
                    continuation.resume(returning: data)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// A message as Python's `email` package reads it (Tests/pysupport/parse_eml.py).
struct ParsedMail: Decodable {
    struct Part: Decodable {
        var content_type: String
        var charset: String?
        var transfer_encoding: String?
        var text: String
    }

    var headers: [[String]]
    var content_type: String
    var parts: [Part]
    var defects: [String]

    func header(_ name: String) -> [String] {
        headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] }
    }

    static func parse(file: String) async throws -> ParsedMail {
        try JSONDecoder().decode(ParsedMail.self, from: try await Python.run("parse_eml.py", [file]))
    }

    static func parse(_ text: String) async throws -> ParsedMail {
        let folder = try TestFolder()
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder.file("m.eml")))
        return try await parse(file: folder.file("m.eml"))
    }
}
