import Core
import Foundation
import Generator
import HTTPTypes
import Hummingbird
import Logging

/// The account as a whole: take everything away (export, GDPR Article 20) or erase it
/// (Article 17).
struct AccountController<Context: APIRequestContext>: Sendable {
    let support: AccountSupport
    let generator: SiteGenerator

    var database: any DataStore { support.database }
    var config: APIConfig { support.config }

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.get, "/api/account/export") { _, context in try export(context) }
        routes.on(.get, "/api/account/export/clicks.csv") { _, context in try clicksCSV(context) }
        routes.on(.delete, "/api/account") { request, context in try await delete(request, context) }
    }

    func export(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let export = AccountExport(database: database, user: user, publicBase: config.publicBase, now: support.now())
        let header = try export.header()  // read now: a failure is still an error answer, not a cut-off file
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/json", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"attendify-export.json\"",
            ],
            body: ResponseBody { writer in try await export.write(header: header, to: &writer) })
    }

    func clicksCSV(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let export = AccountExport(database: database, user: user, publicBase: config.publicBase, now: support.now())
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"attendify-clicks.csv\"",
            ],
            body: ResponseBody { writer in try await export.writeClicksCSV(to: &writer) })
    }

    /// `DELETE /api/account {password}`: every row in one transaction, then every published file.
    /// Other nodes' trackers and followers learn it from the change log, as for any deletion.
    func delete(_ request: Request, _ context: Context) async throws -> Response {
        let user = try context.requireUser()
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: ["password"])
        let password = fields.string("password", required: true, maximumLength: PasswordHasher.maximumLength)
        try fields.finish()
        guard let password else { throw APIError.validation([]) }
        try await support.reauthenticate(user, password: password)
        guard let deleted = try database.deleteAccount(userID: user.id) else { throw APIError.notFound }
        do {
            try generator.removeAccount(deleted)
        } catch {
            // The rows are gone; the next start's rebuild (and `generate --all`) sweeps leftovers.
            context.logger.error("an erased account's files could not all be removed", metadata: ["error": "\(error)"])
        }
        var response = Response(status: .noContent)
        response.setCookie(SessionCookie.cleared(config: config))
        return response
    }
}
