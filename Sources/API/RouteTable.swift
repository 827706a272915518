import HTTPTypes
import Hummingbird

/// Registers API routes and remembers them, so a test can hold the router and `openapi.yaml`
/// to the same list of (method, path).
final class RouteTable<Context: APIRequestContext>: @unchecked Sendable {
    let group: RouterGroup<Context>
    private(set) var routes: [APIRoute] = []
    private var preflightPaths: Set<String> = []
    private var methodsByPath: [String: [HTTPRequest.Method]] = [:]

    /// `group` is the `/api` group; paths given to `on` are full paths starting with `/api/`.
    init(group: RouterGroup<Context>) {
        self.group = group
    }

    func on(
        _ method: HTTPRequest.Method, _ path: String,
        use handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        routes.append(APIRoute(method: method.rawValue, path: path))
        // Hummingbird writes captures as `:name`; the spec (and this list) use `{name}`.
        let relative = path.dropFirst("/api".count)
        let routerPath = relative.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
        let access = RouteAccess.of(method: method, path: path)
        group.on(RouterPath(routerPath), method: method) { request, context in
            try access.check(context.grant)
            return try await handler(request, context)
        }
        methodsByPath[routerPath, default: []].append(method)
        // Every path answers CORS preflights; the CORS middleware fills in the headers.
        if preflightPaths.insert(routerPath).inserted {
            group.on(RouterPath(routerPath), method: .options) { _, _ in Response(status: .noContent) }
        }
    }
}

extension RouteTable {
    /// Answers a known path with a method it does not have as 405 with `Allow`, in problem+json.
    func addMethodNotAllowedHandlers() {
        for (path, methods) in methodsByPath {
            let allowed = methods.map(\.rawValue) + ["OPTIONS"]
            for method: HTTPRequest.Method in [.get, .post, .put, .delete, .patch] where !methods.contains(method) {
                group.on(RouterPath(path), method: method) { _, _ -> Response in
                    throw APIError.methodNotAllowed(allowed: allowed)
                }
            }
        }
    }
}

/// One API route in OpenAPI notation: `GET /api/events/{id}`.
public struct APIRoute: Hashable, Sendable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var description: String { "\(method) \(path)" }
}
