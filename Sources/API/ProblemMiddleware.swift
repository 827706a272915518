import Core
import Foundation
import Generator
import HTTPTypes
import Hummingbird
import Logging

/// The one place errors become responses: `APIError`s as problem+json, Hummingbird's own errors
/// (unknown route, body too large) mapped to the same format, and anything unexpected logged with
/// its detail and answered with a bland 500 that never echoes the error.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch StorageError.notFound {
            // A row this request refers to went away meanwhile (its account was erased, say).
            return APIError.notFound.response()
        } catch let error as ValidationFailure {
            return APIError.validation(error.issues).response()
        } catch let error as HTTPError {
            switch error.status {
            case .notFound: return APIError.notFound.response()
            case .contentTooLarge: return APIError.bodyTooLarge(limit: 64 * 1024).response()
            case .badRequest: return APIError.malformedBody("The request could not be read.").response()
            case .methodNotAllowed: return APIError.notFound.response()
            default:
                context.logger.error("unexpected HTTP error", metadata: ["error": "\(error)"])
                return internalError()
            }
        } catch {
            // Operational faults (a locked or full database, a full or unwritable out/) are the
            // operator's to fix and the client's to retry: 503 or 507, never an internal error.
            if let fault = StorageFault(error) {
                context.logger.warning("storage fault", metadata: ["fault": "\(fault)", "error": "\(error)", "path": "\(request.uri.path)"])
                return APIError(fault).response()
            }
            if let failure = error as? Publisher.WriteError {
                context.logger.error("could not write public files", metadata: ["error": "\(failure)"])
                return (failure.isOutOfSpace
                    ? APIError.insufficientStorage
                    : APIError.unavailable(reason: "The public files cannot be written right now.", retryAfter: 5)).response()
            }
            context.logger.error("unhandled error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return internalError()
        }
    }

    private func internalError() -> Response {
        let body = #"{"detail":"Something went wrong on our side; it has been logged.","status":500,"title":"Internal error","type":"about:blank"}"#
        return Response(
            status: .internalServerError, headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: .init(string: body)))
    }
}
