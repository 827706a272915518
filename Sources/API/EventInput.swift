import Core
import Foundation

/// Turns a POST or PUT body into a validated `EventDraft`. For PUT, `base` supplies every field
/// the body leaves out ("omitted fields keep their values").
enum EventInput {
    static let allowedKeys: Set<String> = [
        "title", "description", "start_datetime", "end_datetime", "timezone", "webinar_url", "customization_settings",
        "recording_url", "listed", "recurrence",
    ]
    /// A new event is always scheduled; `status` changes an existing one (reinstating a
    /// cancelled event, or cancelling like `POST /cancel`).
    static let updateKeys = allowedKeys.union(["status"])

    static func draft(from body: JSONFields, base: Event?) throws -> EventDraft {
        var fields = body
        let creating = base == nil
        fields.rejectUnknownKeys(allowed: creating ? allowedKeys : updateKeys)
        let title = fields.string("title", required: creating, maximumLength: 10_000)
        let description = fields.string("description", maximumLength: 100_000)
        let start = fields.dateTime("start_datetime", required: creating)
        let end = fields.dateTime("end_datetime", required: creating)
        let timeZone = fields.string("timezone", maximumLength: 64)
        let webinarURL = fields.string("webinar_url", required: creating, maximumLength: 10_000)
        // null clears the recording link; leaving the key out keeps it.
        let recordingURL = fields.has("recording_url") ? fields.string("recording_url", maximumLength: 10_000) : base?.recordingURL
        let listed = fields.bool("listed")
        var status = base?.status ?? .scheduled
        if !creating, let text = fields.string("status", maximumLength: 64) {
            if let parsed = EventStatus(rawValue: text) {
                status = parsed
            } else {
                fields.add(ValidationFailure(field: "status", message: "must be one of scheduled, cancelled"))
            }
        }
        // null makes the event a one-off; leaving the key out keeps the stored rule.
        var recurrence = base?.recurrence
        if let value = fields.value("recurrence") {
            do {
                recurrence = try RecurrenceInput.parse(value)
            } catch {
                fields.add(error)
            }
        }
        var customization = base?.customization ?? CustomizationOverrides()
        if let value = fields.value("customization_settings"), value != .null {
            do {
                customization = try CustomizationOverrides.validated(from: value, field: "customization_settings")
            } catch {
                fields.add(error)
            }
        }
        try fields.finish()

        let draft = EventDraft(
            title: title ?? base?.title ?? "", description: description ?? base?.description ?? "",
            start: start ?? base?.start ?? Date(timeIntervalSince1970: 0), end: end ?? base?.end ?? Date(timeIntervalSince1970: 0),
            timeZone: timeZone ?? base?.timeZone ?? "UTC", webinarURL: webinarURL ?? base?.webinarURL ?? "",
            customization: customization, status: status, recordingURL: recordingURL, listed: listed ?? base?.listed ?? true, recurrence: recurrence)
        do {
            return try draft.validated()
        } catch {
            throw APIError.validation(error.issues)
        }
    }
}
