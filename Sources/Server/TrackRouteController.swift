import Core
import EdgeTracker
import Hummingbird
import HTTPTypes

/// `/track/...` inside `attendify serve`: the same `ClickTracker` decision as the bare-NIO
/// `attendify track` server, reached through Hummingbird's router (fine for a laptop; production
/// runs the faster dedicated process behind Nginx).
struct TrackRouteController {
    let tracker: ClickTracker

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/track/**") { request, context in await track(request, context) }
        router.head("/track/**") { request, context in await track(request, context) }
    }

    func track(_ request: Request, _ context: AppRequestContext) async -> Response {
        guard let parts = ClickTracker.split(path: request.uri.path.utf8) else {
            return StaticSiteController<AppRequestContext>.notFound()
        }
        let outcome = await tracker.outcome(
            ClickTracker.Request(
                isHead: request.method == .head, idBytes: parts.id, typeBytes: parts.type,
                userAgent: request.headers[.userAgent], peerAddress: context.remoteAddress?.ipAddress,
                forwardedFor: request.headers[values: Self.forwardedFor].last, placementBytes: parts.placement))
        switch outcome {
        case .redirect(let location):
            return Response(
                status: .found,
                headers: [
                    .location: location, .cacheControl: "no-store", Self.referrerPolicy: "no-referrer",
                    .accessControlAllowOrigin: "*",
                ])
        case .viewed:
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        case .notFound:
            return StaticSiteController<AppRequestContext>.notFound()
        case .unavailable:
            return Response(
                status: .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store", .retryAfter: "5"],
                body: .init(byteBuffer: ByteBuffer(string: "Temporarily unavailable; try again in a few seconds\n")))
        }
    }
}
