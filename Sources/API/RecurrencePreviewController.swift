import Core
import Foundation
import Hummingbird

/// `POST /api/recurrence/preview`: the sessions an unsaved rule produces, in order, with the
/// rule in words, checked exactly as saving the event would check it (the panel's live preview;
/// it changes nothing).
struct RecurrencePreviewController<Context: APIRequestContext>: Sendable {
    let config: APIConfig

    static var allowedKeys: Set<String> { ["start_datetime", "end_datetime", "timezone", "recurrence", "language"] }

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.post, "/api/recurrence/preview") { request, context in try await preview(request, context) }
    }

    func preview(_ request: Request, _ context: Context) async throws -> Response {
        _ = try context.requireUser()
        var fields = try await JSONBody.object(from: request, limit: config.maximumBodyBytes)
        fields.rejectUnknownKeys(allowed: Self.allowedKeys)
        let start = fields.dateTime("start_datetime", required: true)
        let end = fields.dateTime("end_datetime", required: true)
        let timeZone = fields.string("timezone", maximumLength: 64) ?? "UTC"
        var language = WidgetLanguage.en
        if let text = fields.string("language", maximumLength: 8) {
            if let parsed = WidgetLanguage(rawValue: text) { language = parsed } else {
                fields.add(ValidationFailure(field: "language", message: "must be one of \(WidgetLanguage.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        var recurrence: Recurrence?
        switch fields.value("recurrence") {
        case nil, .null?: fields.add(ValidationFailure(field: "recurrence", message: "is required"))
        case let value?:
            do { recurrence = try RecurrenceInput.parse(value) } catch { fields.add(error) }
        }
        try fields.finish()
        guard let start, let end, let recurrence else { throw APIError.validation([]) }
        // The same rules as an event: only the fields given here can fail.
        let draft: EventDraft
        do {
            draft = try EventDraft(
                title: "Preview", start: start, end: end, timeZone: timeZone, webinarURL: "https://preview.invalid/",
                recurrence: recurrence
            ).validated()
        } catch {
            throw APIError.validation(error.issues)
        }
        let zone = TimeZone(identifier: draft.timeZone) ?? TimeZone(identifier: "UTC")!
        let sessions = recurrence.occurrences(start: draft.start, duration: draft.end.timeIntervalSince(draft.start), zone: zone)
        return try JSONResponse.make(
            RecurrencePreviewResponse(
                occurrences: sessions.map { .init(start: RFC3339.format($0.start), end: RFC3339.format($0.end)) },
                total: sessions.count, summary: recurrence.summary(start: draft.start, zone: zone, language: language)))
    }
}
