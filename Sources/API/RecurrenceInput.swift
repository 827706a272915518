import Core
import Foundation

/// Reads the `recurrence` object of an event body: types and the closed key set here (one issue
/// per bad key, under `recurrence.<key>`), the rule's own checks in Core (`Recurrence.problems`).
enum RecurrenceInput {
    static let allowedKeys = ["freq", "interval", "by_day", "by_month_day", "count", "until", "exdates"]

    /// nil for `null` (a one-off event); throws every issue found.
    static func parse(_ value: JSONValue, field: String = "recurrence") throws(ValidationFailure) -> Recurrence? {
        if value == .null { return nil }
        guard case .object(let object) = value else {
            throw ValidationFailure(field: field, message: "must be an object or null, got \(value.typeName)")
        }
        var issues: [ValidationIssue] = []
        func fail(_ key: String, _ message: String) { issues.append(.init(field: "\(field).\(key)", message: message)) }
        for key in object.keys.sorted() where !allowedKeys.contains(key) {
            fail(key, "unknown key; allowed keys are \(allowedKeys.joined(separator: ", "))")
        }
        func integer(_ key: String) -> Int? {
            guard let raw = object[key], raw != .null else { return nil }
            guard case .number(let number) = raw, number.rounded() == number, abs(number) < 1e9 else {
                fail(key, "must be a whole number")
                return nil
            }
            return Int(number)
        }
        func strings(_ key: String) -> [String] {
            guard let raw = object[key], raw != .null else { return [] }
            guard case .array(let items) = raw, items.count <= Recurrence.maximumExdates else {
                fail(key, "must be a list of at most \(Recurrence.maximumExdates) strings")
                return []
            }
            var result: [String] = []
            for item in items {
                guard case .string(let text) = item, text.count <= 64 else {
                    fail(key, "must only hold strings")
                    return []
                }
                result.append(text)
            }
            return result
        }
        func instant(_ key: String, _ text: String) -> Date? {
            guard let date = RFC3339.parse(text) else {
                fail(key, "must hold RFC 3339 date-times with a time zone, e.g. 2026-12-08T09:00:00Z")
                return nil
            }
            return date
        }

        var frequency: Recurrence.Frequency?
        switch object["freq"] {
        case .string(let text)?:
            frequency = Recurrence.Frequency(rawValue: text)
            if frequency == nil { fail("freq", "must be one of daily, weekly, monthly") }
        case nil: fail("freq", "is required")
        case let other?: fail("freq", "must be one of daily, weekly, monthly, got \(other.typeName)")
        }
        let interval = integer("interval") ?? 1
        var byDay: [Recurrence.DayRule] = []
        for text in strings("by_day") {
            guard let rule = Recurrence.DayRule(text) else {
                fail("by_day", "\(text) is not a weekday code (MO TU WE TH FR SA SU, monthly with 1-4 or -1 before it)")
                continue
            }
            byDay.append(rule)
        }
        var byMonthDay: [Int] = []
        if let raw = object["by_month_day"], raw != .null {
            // Whole numbers only; their range is Core's check.
            let days: [Int]? = {
                guard case .array(let items) = raw, items.count <= 31 else { return nil }
                let numbers = items.compactMap { item -> Int? in
                    guard case .number(let n) = item, n.rounded() == n, abs(n) < 1e9 else { return nil }
                    return Int(n)
                }
                return numbers.count == items.count ? numbers : nil
            }()
            if let days { byMonthDay = days } else { fail("by_month_day", "must be a list of days from 1 to 31") }
        }
        let count = integer("count")
        var until: Date?
        switch object["until"] {
        case nil, .null?: break
        case .string(let text)?: until = instant("until", text)
        case let other?: fail("until", "must be an RFC 3339 date-time, got \(other.typeName)")
        }
        let exdates = strings("exdates").compactMap { instant("exdates", $0) }
        let hasCount = object["count"].map { $0 != .null } ?? false
        let hasUntil = object["until"].map { $0 != .null } ?? false
        if hasCount && hasUntil { fail("count", "cannot be given together with until; a series ends one way") }
        if !hasCount && !hasUntil { issues.append(.init(field: field, message: "needs an end: count (sessions) or until (a date-time)")) }
        guard issues.isEmpty, let frequency else { throw ValidationFailure(issues) }
        let end: Recurrence.End = count.map { .count($0) } ?? .until(until ?? Date())
        return Recurrence(frequency: frequency, interval: interval, byDay: byDay, byMonthDay: byMonthDay, end: end, exdates: exdates)
    }
}
