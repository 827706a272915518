import Core
import Foundation
import HTTPTypes
import Hummingbird

/// Changing the sign-in address: asked for with the password, done only when the link mailed to
/// the new address is opened (so nobody can move an account to an address they do not read),
/// and told to the old address afterwards.
struct EmailChangeController<Context: APIRequestContext>: Sendable {
    let support: AccountSupport

    var database: any DataStore { support.database }
    var config: APIConfig { support.config }

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.post, "/api/auth/email") { request, context in try await requestChange(request, context) }
        routes.on(.post, "/api/auth/email/confirm") { request, context in try await confirm(request, context) }
    }

    func requestChange(_ request: Request, _ context: Context) async throws -> Response {
        let user = try context.requireUser()
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: ["new_email", "password"])
        let newEmail = fields.string("new_email", required: true, maximumLength: EmailAddress.maximumLength)?.trimmingCharacters(in: .whitespaces)
        let password = fields.string("password", required: true, maximumLength: PasswordHasher.maximumLength)
        if let newEmail, let problem = EmailAddress.problem(newEmail) {
            fields.add(ValidationFailure(field: "new_email", message: problem))
        } else if let newEmail, newEmail.lowercased() == user.email.lowercased() {
            fields.add(ValidationFailure(field: "new_email", message: "is already the address of this account"))
        }
        try fields.finish()
        guard let newEmail, let password else { throw APIError.validation([]) }
        try await support.reauthenticate(user, password: password)
        if try database.user(email: newEmail) != nil { throw APIError.emailTaken }
        let token = try support.issueLinkToken(userID: user.id, purpose: .emailChange, newEmail: newEmail)
        let mail = AccountMail.emailConfirmation(
            to: newEmail, link: support.link(token: token, screen: "confirm-email"), language: support.language(userID: user.id))
        try support.queue(mail, userID: user.id)
        return try JSONResponse.make(PendingEmailResponse(pendingEmail: newEmail), status: .accepted)
    }

    /// Needs no session: the link may be opened on another device. The token is the proof.
    func confirm(_ request: Request, _ context: Context) async throws -> Response {
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: ["token"])
        let token = fields.string("token", required: true, maximumLength: 200)
        try fields.finish()
        guard let token else { throw APIError.validation([]) }
        guard SessionToken.looksValid(token),
            let redeemed = try database.redeemAccountToken(tokenHash: SessionToken.hash(token), purpose: .emailChange, now: support.now()),
            let newEmail = redeemed.newEmail, let before = try database.user(id: redeemed.userID)
        else { throw AccountSupport.linkTokenProblem() }
        let user: User
        do {
            user = try database.setEmail(userID: redeemed.userID, email: newEmail, now: support.now())
        } catch StorageError.emailTaken {
            throw APIError.emailTaken  // someone registered it between the request and the click
        } catch StorageError.notFound {
            throw AccountSupport.linkTokenProblem()
        }
        let notice = AccountMail.emailChanged(to: before.email, newAddress: newEmail, language: support.language(userID: user.id))
        try support.queue(notice, userID: user.id)
        return try JSONResponse.make(UserResponse(user))
    }
}
