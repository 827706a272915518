import Core
import Foundation
import Hummingbird

/// Reads a JSON request body defensively: labelled `application/json` (415 otherwise, so a
/// cross-site HTML form, which can only send form or text types, never reaches a handler),
/// size-capped (413), parsed (400 when it is not JSON), and required to be an object. Fields are then taken one by one through `JSONFields`, so a
/// wrong type or an unknown key names the field in a 422 instead of failing the whole decode.
enum JSONBody {
    static func object(from request: Request, limit: Int) async throws -> JSONFields {
        guard isJSON(request.headers[.contentType]) else { throw APIError.unsupportedMediaType }
        let buffer = try await collect(request, limit: limit)
        guard buffer.readableBytes > 0 else { throw APIError.malformedBody("The request needs a JSON object body.") }
        return try parse(buffer)
    }

    /// For actions whose body is optional (`POST …/cancel`): nil when there is none, else the
    /// same checks as `object`.
    static func optionalObject(from request: Request, limit: Int) async throws -> JSONFields? {
        let buffer = try await collect(request, limit: limit)
        guard buffer.readableBytes > 0 else { return nil }
        guard isJSON(request.headers[.contentType]) else { throw APIError.unsupportedMediaType }
        return try parse(buffer)
    }

    private static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch {
            throw APIError.bodyTooLarge(limit: limit)
        }
    }

    private static func parse(_ buffer: ByteBuffer) throws -> JSONFields {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.malformedBody("The body is not valid JSON.")
        }
        guard case .object(let object) = value else { throw APIError.malformedBody("The body must be a JSON object.") }
        return JSONFields(object)
    }

    /// `application/json` or any `+json` type, parameters (`; charset=utf-8`) allowed, any case.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
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

    mutating func bool(_ key: String) -> Bool? {
        switch object[key] {
        case .none: return nil
        case .bool(let value): return value
        case .some(let other):
            issues.append(.init(field: key, message: "must be true or false, got \(other.typeName)"))
            return nil
        }
    }

    /// An RFC 3339 date-time with an explicit offset or `Z`.
    mutating func dateTime(_ key: String, required: Bool = false) -> Date? {
        guard let text = string(key, required: required, maximumLength: 64) else { return nil }
        guard let date = RFC3339.parse(text) else {
            issues.append(
                .init(field: key, message: "must be an RFC 3339 date-time with a time zone between 1970 and 9999, e.g. 2026-12-01T15:00:00Z"))
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

/// RFC 3339 date-times in and out. Parsing is strict and arithmetic (no calendar objects, so no
/// Julian switch before 1582 and no rolling of 30 February into March): `YYYY-MM-DDTHH:MM:SS`,
/// optional fraction, then `Z` or `±HH:MM`; `T` and `Z` in either case; years 1970 to 9999, both
/// as written and as the UTC instant.
/// Output is always UTC with `Z` and no fractional seconds.
enum RFC3339 {
    static let years = 1970...9999
    /// 1970-01-01T00:00:00Z through 9999-12-31T23:59:59Z, in seconds since the epoch.
    static let instants = 0...253_402_300_799

    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard index < bytes.count, (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        func byte(_ index: Int, _ allowed: String) -> Bool { index < bytes.count && allowed.utf8.contains(bytes[index]) }
        guard let year = number(0..<4), byte(4, "-"), let month = number(5..<7), byte(7, "-"), let day = number(8..<10),
            byte(10, "Tt"), let hour = number(11..<13), byte(13, ":"), let minute = number(14..<16), byte(16, ":"),
            let second = number(17..<19), years.contains(year), (1...12).contains(month),
            (1...daysIn(month: month, year: year)).contains(day), (0...23).contains(hour), (0...59).contains(minute),
            (0...59).contains(second)
        else { return nil }
        var index = 19
        if byte(index, ".") {
            index += 1
            let start = index
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            guard index > start else { return nil }
        }
        var offset = 0
        if byte(index, "Zz"), index + 1 == bytes.count {
            offset = 0
        } else if byte(index, "+-"), index + 6 == bytes.count, let hours = number(index + 1..<index + 3), byte(index + 3, ":"),
            let minutes = number(index + 4..<index + 6), hours <= 23, minutes <= 59
        {
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset
        // The range holds for the instant, not just the written year: 9999-12-31T23:00:00-05:00
        // is already year 10000 in UTC, which no calendar format we write can carry.
        guard instants.contains(seconds) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    static func format(_ date: Date) -> String { UTCTimestamp.extended(date) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
