import Core
import Hummingbird

/// Runs everything after it (authentication, the handlers) on `BlockingWorkExecutor.shared`.
struct BlockingWorkMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withTaskExecutorPreference(BlockingWorkExecutor.shared) { try await next(request, context) }
    }
}
