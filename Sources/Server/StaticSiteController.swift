import Core
import Foundation
import Generator
import Hummingbird

/// Serves the generated public files from `out/` exactly as the production Nginx config does:
/// the widget page (gzip twin when accepted), the `.ics` as a download, validators for caching,
/// and a plain 404 for everything else. Only paths built from a valid public id are ever read.
struct StaticSiteController<Context: RequestContext> {
    let outputDirectory: String

    /// Widgets change when the organizer edits them; a minute of caching bounds how stale one gets.
    static var publicCacheControl: String { "public, max-age=60" }
    /// Feeds are polled by calendar clients and proxies: five minutes of freshness, then a cheap
    /// revalidation (ETag or Last-Modified, answered 304 while nothing changed).
    static var feedCacheControl: String { "public, max-age=300" }

    func addRoutes(to router: Router<Context>) {
        // Hummingbird's router ignores a trailing slash, so this also serves `/widget/event/{id}/`.
        router.get("/widget/event/:id") { request, context in try widget(request, context) }
        router.head("/widget/event/:id") { request, context in try widget(request, context) }
        router.get("/widget/event/:id/:placement") { request, context in try widget(request, context) }
        router.head("/widget/event/:id/:placement") { request, context in try widget(request, context) }
        router.get("/e/:id") { request, context in try eventPage(request, context) }
        router.head("/e/:id") { request, context in try eventPage(request, context) }
        router.get("/calendar/:id/download.ics") { request, context in try calendar(request, context) }
        router.head("/calendar/:id/download.ics") { request, context in try calendar(request, context) }
        router.get("/calendar/:id/feed.ics") { request, context in try feed(request, context, path: SitePaths.eventFeed) }
        router.head("/calendar/:id/feed.ics") { request, context in try feed(request, context, path: SitePaths.eventFeed) }
        router.get("/feed/:id/calendar.ics") { request, context in try feed(request, context, path: SitePaths.organizerFeed) }
        router.head("/feed/:id/calendar.ics") { request, context in try feed(request, context, path: SitePaths.organizerFeed) }
    }

    /// A subscription feed: shown inline (a subscriber fetches it; a browser may display it).
    func feed(_ request: Request, _ context: Context, path: (PublicID) -> String) throws -> Response {
        guard let id = context.parameters.get("id").flatMap(PublicID.init),
            let file = StaticFile(path: "\(outputDirectory)/\(path(id))")
        else { return Self.notFound() }
        return file.response(
            for: request, headers: [.contentType: "text/calendar; charset=utf-8"], cacheControl: Self.feedCacheControl)
    }

    /// An event's widget, or one placement's (`/widget/event/{id}/{placement}`).
    func widget(_ request: Request, _ context: Context) throws -> Response {
        guard let id = context.parameters.get("id").flatMap(PublicID.init) else { return Self.notFound() }
        var placement: PublicID?
        if let raw = context.parameters.get("placement") {
            guard let key = PublicID(raw) else { return Self.notFound() }
            placement = key
        }
        let folder = placement.map { SitePaths.placementDirectory(id, $0) } ?? SitePaths.widgetDirectory(id)
        return page(request, folder: folder, csp: PagePolicy.widgetCSP)
    }

    /// The shareable event page, `/e/{id}`.
    func eventPage(_ request: Request, _ context: Context) throws -> Response {
        guard let id = context.parameters.get("id").flatMap(PublicID.init) else { return Self.notFound() }
        return page(request, folder: SitePaths.pageDirectory(id), csp: PagePolicy.eventPageCSP)
    }

    /// A page folder's `index.html`, or the visitor's language variant when the widget follows
    /// the visitor's language (only then do `index.{code}.html` files exist), gzipped when accepted.
    private func page(_ request: Request, folder: String, csp: String) -> Response {
        let acceptsGzip = request.headers[.acceptEncoding].map { $0.contains("gzip") } ?? false
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .vary: "Accept-Encoding, Accept-Language",
            .contentSecurityPolicy: csp,
        ]
        let wanted = LanguageNegotiation.preferences(request.headers[.acceptLanguage])
        let language = wanted.first { FileManager.default.fileExists(atPath: "\(outputDirectory)/\(SitePaths.variantHTML(in: folder, $0))") }
        if acceptsGzip, var file = StaticFile(path: "\(outputDirectory)/\(SitePaths.variantGzip(in: folder, language))") {
            headers[.contentEncoding] = "gzip"
            file.distinguish(language)
            return file.response(for: request, headers: headers)
        }
        guard var file = StaticFile(path: "\(outputDirectory)/\(SitePaths.variantHTML(in: folder, language))") else { return Self.notFound() }
        file.distinguish(language)
        return file.response(for: request, headers: headers)
    }

    func calendar(_ request: Request, _ context: Context) throws -> Response {
        guard let id = context.parameters.get("id").flatMap(PublicID.init),
            let file = StaticFile(path: "\(outputDirectory)/\(SitePaths.calendarFile(id))")
        else { return Self.notFound() }
        return file.response(
            for: request,
            headers: [
                .contentType: "text/calendar; charset=utf-8",
                .contentDisposition: "attachment; filename=\"event.ics\"",
            ])
    }

    static func notFound() -> Response {
        Response(
            status: .notFound,
            headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: "Not found\n")))
    }
}

/// One regular file read whole (widgets and `.ics` files are a few KB), with its validators.
struct StaticFile {
    let bytes: [UInt8]
    let modified: Int64
    private(set) var etag: String

    /// Language variants of one URL are written in the same instant and can have equal sizes:
    /// the language goes into the ETag, so one variant's tag never revalidates another
    /// (RFC 9110 8.8.3; the answers vary by Accept-Language).
    mutating func distinguish(_ language: WidgetLanguage?) {
        guard let language else { return }
        etag = String(etag.dropLast()) + "-\(language.rawValue)\""
    }

    init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        bytes = Array(data)
        let date = attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0)
        modified = date.epochSeconds
        // Size plus nanosecond mtime: every publish renames a new file in, so either changes.
        let nanoseconds = Int64((date.timeIntervalSince1970 * 1_000_000_000).rounded())
        etag = "\"\(String(bytes.count, radix: 16))-\(String(nanoseconds, radix: 16))\""
    }

    func response(
        for request: Request, headers extra: HTTPFields,
        cacheControl: String = StaticSiteController<AppRequestContext>.publicCacheControl
    ) -> Response {
        var headers = extra
        headers[.eTag] = etag
        headers[.lastModified] = HTTPDate.format(epochSeconds: modified)
        headers[.cacheControl] = cacheControl
        headers[.accessControlAllowOrigin] = "*"
        headers[.xContentTypeOptions] = "nosniff"
        if isNotModified(request) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(bytes.count)
        let body: ResponseBody = request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: bytes))
        return Response(status: .ok, headers: headers, body: body)
    }

    /// If-None-Match (RFC 9110: weak comparison) lists `etag`, or is `*`.
    static func ifNoneMatch(_ header: String, names etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/\(etag)"
        }
    }

    /// RFC 9110: If-None-Match wins over If-Modified-Since when both are present.
    private func isNotModified(_ request: Request) -> Bool {
        if let tags = request.headers[.ifNoneMatch] {
            return Self.ifNoneMatch(tags, names: etag)
        }
        if let since = request.headers[.ifModifiedSince].flatMap(HTTPDate.parse) {
            return modified <= since
        }
        return false
    }
}
