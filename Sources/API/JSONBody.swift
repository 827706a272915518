import Core
import Foundation
import Hummingbird

/// Reads a JSON request body defensively: size-capped (413), parsed (400 when it is not JSON),
/// and required to be an object. Fields are then taken one by one through `JSONFields`, so a
/// wrong type or an unknown key names the field in a 422 instead of failing the whole decode.
enum JSONBody {
    static func object(from request: Request, limit: Int) async throws -> JSONFields {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw APIError.bodyTooLarge(limit: limit)
        }
        guard buffer.readableBytes > 0 else { throw APIError.malformedBody("The request needs a JSON object body.") }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.malformedBody("The body is not valid JSON.")
        }
        guard case .object(let object) = value else { throw APIError.malformedBody("The body must be a JSON object.") }
        return JSONFields(object)
    }
}

/// Typed access to the fields of one JSON object, collecting every problem before failing.
struct JSONFields {
    let object: [String: JSONValue]
    private(set) var issues: [ValidationIssue] = []

    init(_ object: [String: JSONValue]) {
        self.object = object
    }

    /// Flags keys outside `allowed` (a typo must not be silently ignored).
    mutating func rejectUnknownKeys(allowed: Set<String>) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            issues.append(.init(field: key, message: "is not a known field"))
        }
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    mutating func string(_ key: String, required: Bool = false, maximumLength: Int = 100_000) -> String? {
        switch object[key] {
        case .none:
            if required { issues.append(.init(field: key, message: "is required")) }
            return nil
        case .null where !required:
            return nil
        case .string(let text):
            guard text.count <= maximumLength else {
                issues.append(.init(field: key, message: "must be at most \(maximumLength) characters"))
                return nil
            }
            return text
        case .some(let other):
            issues.append(.init(field: key, message: "must be a string, got \(other.typeName)"))
            return nil
        }
    }

    /// An RFC 3339 date-time with an explicit offset or `Z`.
    mutating func dateTime(_ key: String, required: Bool = false) -> Date? {
        guard let text = string(key, required: required, maximumLength: 64) else { return nil }
        guard let date = RFC3339.parse(text) else {
            issues.append(.init(field: key, message: "must be an RFC 3339 date-time with a time zone, e.g. 2026-12-01T15:00:00Z"))
            return nil
        }
        return date
    }

    mutating func value(_ key: String) -> JSONValue? { object[key] }

    mutating func add(_ failure: ValidationFailure) { issues.append(contentsOf: failure.issues) }

    /// Throws every collected issue as one 422.
    func finish() throws {
        if !issues.isEmpty { throw APIError.validation(issues) }
    }
}

/// RFC 3339 date-times in and out. Output is always UTC with `Z` and no fractional seconds.
enum RFC3339 {
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    static func format(_ date: Date) -> String { UTCTimestamp.extended(date) }
}
