import HTTPTypes
import Hummingbird

/// CORS for `/api`: only configured origins get an `Access-Control-Allow-Origin` (their own,
/// never `*`, since credentials are allowed); preflights are answered here.
struct APICORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin].flatMap { allowedOrigins.contains($0) ? $0 : nil }
        if request.method == .options {
            var response = Response(status: .noContent)
            if let origin {
                response.headers[.accessControlAllowOrigin] = origin
                response.headers[.accessControlAllowCredentials] = "true"
                response.headers[.accessControlAllowMethods] = "GET, POST, PUT, DELETE, OPTIONS"
                response.headers[.accessControlAllowHeaders] = "Content-Type, Authorization"
                response.headers[.accessControlMaxAge] = "600"
            }
            response.headers[.vary] = "Origin"
            return response
        }
        var response = try await next(request, context)
        if let origin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowCredentials] = "true"
        }
        response.headers[.vary] = "Origin"
        return response
    }
}
