import Foundation

extension Recurrence {
    /// One session of a series: its start and end instants.
    public struct Occurrence: Equatable, Sendable {
        public var start: Date
        public var end: Date

        public init(start: Date, end: Date) {
            self.start = start
            self.end = end
        }
    }

    /// Every session of the series that starts at `start` and lasts `duration`, in order, the
    /// excluded ones left out. Dates are generated as wall-clock dates in `zone` at the first
    /// session's local time, then turned into instants with RFC 5545's rules for the two odd
    /// local times: one that a daylight-saving change skips is read with the offset before the
    /// change (02:30 on a spring-forward night is 03:30), and one that happens twice is the
    /// first of the two. Stops after `maximumOccurrences + 1` so a caller can tell "too many".
    public func occurrences(start: Date, duration: TimeInterval, zone: TimeZone) -> [Occurrence] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let first = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: start)
        guard let year = first.year, let month = first.month, let day = first.day else { return [] }
        let time = (first.hour ?? 0, first.minute ?? 0, first.second ?? 0)
        let excluded = Set(exdates.map(\.epochSeconds))
        let limit = Self.maximumOccurrences + 1
        var result: [Occurrence] = []
        var generated = 0
        // Each candidate date, in order; the closure returns false once the series is over.
        func emit(_ date: LocalDate) -> Bool {
            let instant = Self.instant(date, time, in: zone)
            if instant < start { return true }  // before the first session (weekly/monthly sets)
            if case .until(let until) = end, instant > until { return false }
            generated += 1
            if !excluded.contains(instant.epochSeconds) {
                result.append(Occurrence(start: instant, end: instant.addingTimeInterval(duration)))
            }
            if case .count(let count) = end, generated >= count { return false }
            return result.count < limit
        }
        let startDate = LocalDate(year: year, month: month, day: day)
        // A hard stop beyond every bound, so a rule that produces nothing cannot loop forever.
        let lastYear = year + Self.maximumSpanYears + 1
        switch frequency {
        case .daily:
            var date = startDate
            while date.year <= lastYear, emit(date) { date = date.adding(days: interval) }
        case .weekly:
            let days = (byDay.isEmpty ? [DayRule(Weekday(calendarWeekday: first.weekday ?? 2) ?? .MO)] : byDay)
                .map(\.weekday).sorted()
            // The Monday of the first session's week (WKST=MO), then every `interval` weeks.
            var monday = startDate.adding(days: -startDate.isoWeekdayIndex)
            weeks: while monday.year <= lastYear {
                for weekday in days where !emit(monday.adding(days: weekday.isoIndex)) { break weeks }
                monday = monday.adding(days: 7 * interval)
            }
        case .monthly:
            var cursor = (year: year, month: month)
            months: while cursor.year <= lastYear {
                for date in monthDates(year: cursor.year, month: cursor.month, defaultDay: day) where !emit(date) { break months }
                let next = cursor.month - 1 + interval
                cursor = (cursor.year + next / 12, next % 12 + 1)
            }
        }
        return result
    }

    /// The dates a monthly rule picks in one month, in order. Days the month lacks (the 31st in
    /// April) are skipped, as RFC 5545 says.
    func monthDates(year: Int, month: Int, defaultDay: Int) -> [LocalDate] {
        let length = LocalDate.daysIn(year: year, month: month)
        var days: Set<Int> = []
        if !byDay.isEmpty {
            let firstWeekday = LocalDate(year: year, month: month, day: 1).isoWeekdayIndex
            for rule in byDay {
                let firstMatch = 1 + (rule.weekday.isoIndex - firstWeekday + 7) % 7
                let matches = Array(stride(from: firstMatch, through: length, by: 7))
                guard let ordinal = rule.ordinal else {
                    days.formUnion(matches)
                    continue
                }
                let index = ordinal > 0 ? ordinal - 1 : matches.count + ordinal
                if matches.indices.contains(index) { days.insert(matches[index]) }
            }
        } else {
            for value in byMonthDay.isEmpty ? [defaultDay] : byMonthDay where value <= length { days.insert(value) }
        }
        return days.sorted().map { LocalDate(year: year, month: month, day: $0) }
    }

    /// The instant of a wall-clock time in `zone`, by RFC 5545's rules (see `occurrences`).
    static func instant(_ date: LocalDate, _ time: (Int, Int, Int), in zone: TimeZone) -> Date {
        let local = date.daysSinceEpoch * 86_400 + Int64(time.0 * 3_600 + time.1 * 60 + time.2)
        // The offsets in force on either side of any change near this local time.
        let before = Int64(zone.secondsFromGMT(for: Date(epochSeconds: local - 86_400)))
        let after = Int64(zone.secondsFromGMT(for: Date(epochSeconds: local + 86_400)))
        let readings = [before, after].map { local - $0 }.filter { Int64(zone.secondsFromGMT(for: Date(epochSeconds: $0))) == local - $0 }
        if let earliest = readings.min() { return Date(epochSeconds: earliest) }
        return Date(epochSeconds: local - before)  // skipped by the change: the offset before it
    }
}

/// A calendar date without a zone, with the arithmetic the expansion needs (proleptic
/// Gregorian, as RFC 5545 assumes).
struct LocalDate: Equatable, Hashable, Sendable {
    var year: Int
    var month: Int
    var day: Int

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    var daysSinceEpoch: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The inverse of `daysSinceEpoch` (civil_from_days).
    init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), month: Int(month), day: Int(day))
    }

    func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + Int64(days)) }

    /// 0 for Monday ... 6 for Sunday (1970-01-01 was a Thursday).
    var isoWeekdayIndex: Int { Int(((daysSinceEpoch % 7) + 7 + 3) % 7) }
}
