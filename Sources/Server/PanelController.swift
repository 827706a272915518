import Assets
import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the organizer panel (`Panel/`: static HTML, CSS and ES modules) at `/`, with the same
/// headers the production Nginx sends: a strict CSP with no inline script, never framed, always
/// revalidated (`no-cache` with an ETag, answered 304 while the file is unchanged).
///
/// The files come from a folder (`--panel`, read on every request, so edits show at once) or,
/// when `directory` is nil, from the copy of `Panel/` embedded in the binary.
struct PanelController<Context: RequestContext> {
    let directory: String?
    /// The embedded files by path relative to `Panel/`, each with its ETag, built once.
    private let embedded: [String: PanelFile]

    init(directory: String?) {
        self.directory = directory
        guard directory == nil else {
            embedded = [:]
            return
        }
        var files: [String: PanelFile] = [:]
        for path in Assets.paths(under: "Panel") {
            guard let bytes = Assets.file(path) else { continue }
            files[String(path.dropFirst("Panel/".count))] = PanelFile(bytes: bytes)
        }
        embedded = files
    }

    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    static var contentTypes: [String: String] {
        [
            "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
            "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "json": "application/json",
        ]
    }

    func addRoutes(to router: Router<Context>) {
        router.get("/") { request, _ in file("index.html", request) }
        router.head("/") { request, _ in file("index.html", request) }
        router.get("/**") { request, _ in file(String(request.uri.path.dropFirst()), request) }
        router.head("/**") { request, _ in file(String(request.uri.path.dropFirst()), request) }
    }

    /// Only plain relative paths of known file types inside the panel folder are served.
    func file(_ relative: String, _ request: Request) -> Response {
        let segments = relative.split(separator: "/", omittingEmptySubsequences: false)
        let safe = !segments.isEmpty && segments.allSatisfy { segment in
            !segment.isEmpty && !segment.hasPrefix(".")
                && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
        let fileExtension = relative.split(separator: ".").last.map(String.init) ?? ""
        guard safe, let contentType = Self.contentTypes[fileExtension], let file = lookUp(relative) else {
            return StaticSiteController<Context>.notFound()
        }
        var headers: HTTPFields = [
            .contentType: contentType, .cacheControl: "no-cache", .eTag: file.etag,
            .contentSecurityPolicy: Self.contentSecurityPolicy,
            HTTPField.Name("X-Frame-Options")!: "DENY", .xContentTypeOptions: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "strict-origin-when-cross-origin",
        ]
        if file.matches(request.headers[.ifNoneMatch]) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(file.bytes.count)
        let body: ResponseBody = request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: file.bytes))
        return Response(status: .ok, headers: headers, body: body)
    }

    private func lookUp(_ relative: String) -> PanelFile? {
        guard let directory else { return embedded[relative] }
        var isDirectory: ObjCBool = false
        let path = "\(directory)/\(relative)"
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return PanelFile(bytes: Array(data))
    }
}

/// One panel file and its strong ETag: its size and a hash of its bytes, so the tag is the same
/// for the same content whether it comes from a folder or from the binary.
struct PanelFile: Sendable {
    let bytes: [UInt8]
    let etag: String

    /// A fixed key: the tag only has to change with the content, not be secret.
    private static let hasher = SipHash24(key: Array("attendify-panel!".utf8))

    init(bytes: [UInt8]) {
        self.bytes = bytes
        etag = "\"\(String(bytes.count, radix: 16))-\(String(Self.hasher.hash(bytes), radix: 16))\""
    }

    /// If-None-Match (RFC 9110: weak comparison) names this file's tag, or `*`.
    func matches(_ ifNoneMatch: String?) -> Bool {
        ifNoneMatch.map { StaticFile.ifNoneMatch($0, names: etag) } ?? false
    }
}
