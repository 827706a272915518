import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the organizer panel (`Panel/`: static HTML, CSS and ES modules) at `/`, with the same
/// headers the production Nginx sends: a strict CSP with no inline script, never framed.
struct PanelController<Context: RequestContext> {
    let directory: String

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
        guard safe, let contentType = Self.contentTypes[fileExtension],
            let data = FileManager.default.contents(atPath: "\(directory)/\(relative)")
        else {
            return StaticSiteController<Context>.notFound()
        }
        let headers: HTTPFields = [
            .contentType: contentType, .cacheControl: "no-cache", .contentSecurityPolicy: Self.contentSecurityPolicy,
            HTTPField.Name("X-Frame-Options")!: "DENY", .xContentTypeOptions: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "strict-origin-when-cross-origin",
        ]
        let body: ResponseBody = request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: data))
        return Response(status: .ok, headers: headers, body: body)
    }
}
