import Foundation

/// The stored form of a rule (JSON text in `events.recurrence`): the API's shape with instants
/// as epoch seconds, so both engines hold the same text.
extension Recurrence: Codable {
    enum CodingKeys: String, CodingKey {
        case freq, interval, count, until, exdates
        case byDay = "by_day"
        case byMonthDay = "by_month_day"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let frequency = Frequency(rawValue: try container.decode(String.self, forKey: .freq)) else {
            throw DecodingError.dataCorruptedError(forKey: .freq, in: container, debugDescription: "unknown frequency")
        }
        let days = try container.decodeIfPresent([String].self, forKey: .byDay) ?? []
        let byDay = days.compactMap(DayRule.init)
        guard byDay.count == days.count else {
            throw DecodingError.dataCorruptedError(forKey: .byDay, in: container, debugDescription: "unknown day")
        }
        let end: End
        if let count = try container.decodeIfPresent(Int.self, forKey: .count) {
            end = .count(count)
        } else {
            end = .until(Date(epochSeconds: try container.decode(Int64.self, forKey: .until)))
        }
        self.init(
            frequency: frequency, interval: try container.decodeIfPresent(Int.self, forKey: .interval) ?? 1, byDay: byDay,
            byMonthDay: try container.decodeIfPresent([Int].self, forKey: .byMonthDay) ?? [], end: end,
            exdates: (try container.decodeIfPresent([Int64].self, forKey: .exdates) ?? []).map(Date.init(epochSeconds:)))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(frequency.rawValue, forKey: .freq)
        try container.encode(interval, forKey: .interval)
        if !byDay.isEmpty { try container.encode(byDay.map(\.description), forKey: .byDay) }
        if !byMonthDay.isEmpty { try container.encode(byMonthDay, forKey: .byMonthDay) }
        switch end {
        case .count(let count): try container.encode(count, forKey: .count)
        case .until(let until): try container.encode(until.epochSeconds, forKey: .until)
        }
        if !exdates.isEmpty { try container.encode(exdates.map(\.epochSeconds).sorted(), forKey: .exdates) }
    }
}
