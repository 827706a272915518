import Foundation

/// A running Tests/pysupport/smtp_sink.py (aiosmtpd): a real SMTP server on 127.0.0.1.
///
/// Started per test; stops when the value is stopped or the test process exits (the sink quits
/// when its stdin closes). Received mail is read from `folder`.
final class SMTPSink: @unchecked Sendable {
    let folder = try! TestFolder()
    let certFolder = try! TestFolder()
    let port: Int
    private let process: Process
    private let stdin: Pipe

    var caFile: String { certFolder.file("cert.pem") }

    struct Received {
        var raw: String
        var mailFrom: String
        var rcptTos: [String]
        var tls: Bool
        var authenticated: Bool
        var file: String
    }

    init(_ options: [String] = []) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Python.executable)
        let stdin = Pipe()
        let stdout = Pipe()
        process.arguments = Python.arguments("smtp_sink.py", ["--folder", folder.path, "--cert-dir", certFolder.path] + options)
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        self.process = process
        self.stdin = stdin
        port = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var seen = Data()
                while true {
                    let chunk = stdout.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    seen += chunk
                    let text = String(decoding: seen, as: UTF8.self)
                    if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }), text.contains("\n"),
                       let port = Int(line.dropFirst("READY ".count)) {
                        continuation.resume(returning: port)
                        return
                    }
                }
                continuation.resume(throwing: Python.Failure(description: "smtp_sink.py exited before READY (is aiosmtpd installed in .venv?)"))
            }
        }
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }

    /// Every message the sink accepted, in order.
    func received() throws -> [Received] {
        try folder.names().filter { $0.hasSuffix(".eml") }.sorted { Int($0.dropLast(4))! < Int($1.dropLast(4))! }.map { name in
            let base = folder.file(String(name.dropLast(4)))
            let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".json"))) as! [String: Any]
            return Received(
                raw: try String(contentsOfFile: base + ".eml", encoding: .utf8),
                mailFrom: meta["mail_from"] as! String, rcptTos: meta["rcpt_tos"] as! [String],
                tls: meta["tls"] as! Bool, authenticated: meta["authenticated"] as! Bool, file: base + ".eml")
        }
    }
}

/// A loopback port nobody listens on: bound to find a free one, then closed.
func closedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
