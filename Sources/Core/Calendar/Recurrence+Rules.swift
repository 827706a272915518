import Foundation

extension Recurrence {
    /// Every rule `self` breaks for a series whose first session is `start`...`end` in `zone`,
    /// as issues under `field` (`recurrence.by_day`, ...); empty when the series is fine.
    public func problems(start: Date, end sessionEnd: Date, zone: TimeZone, field: String = "recurrence") -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func fail(_ key: String?, _ message: String) {
            issues.append(.init(field: key.map { "\(field).\($0)" } ?? field, message: message))
        }
        if !Self.intervalRange.contains(interval) {
            fail("interval", "must be a whole number from \(Self.intervalRange.lowerBound) to \(Self.intervalRange.upperBound)")
        }
        switch frequency {
        case .daily:
            if !byDay.isEmpty { fail("by_day", "is not allowed with freq daily") }
            if !byMonthDay.isEmpty { fail("by_month_day", "is only allowed with freq monthly") }
        case .weekly:
            if byDay.contains(where: { $0.ordinal != nil }) { fail("by_day", "takes plain weekdays (MO ... SU) with freq weekly") }
            if !byMonthDay.isEmpty { fail("by_month_day", "is only allowed with freq monthly") }
        case .monthly:
            if !byDay.isEmpty && !byMonthDay.isEmpty { fail("by_day", "cannot be combined with by_month_day") }
            if byDay.contains(where: { $0.ordinal == nil }) {
                fail("by_day", "takes weekdays with their place in the month with freq monthly, e.g. 2TU or -1FR")
            }
        }
        if Set(byDay).count != byDay.count { fail("by_day", "lists a day twice") }
        if byMonthDay.contains(where: { !(1...31).contains($0) }) { fail("by_month_day", "must hold days from 1 to 31") }
        if Set(byMonthDay).count != byMonthDay.count { fail("by_month_day", "lists a day twice") }
        if case .count(let count) = end, !(1...Self.maximumOccurrences).contains(count) {
            fail("count", "must be from 1 to \(Self.maximumOccurrences)")
        }
        let latest = Calendar(identifier: .gregorian).date(byAdding: .year, value: Self.maximumSpanYears, to: start) ?? start
        if case .until(let until) = end {
            if until < start { fail("until", "must not be before start_datetime") }
            if until > latest { fail("until", "must be at most \(Self.maximumSpanYears) years after start_datetime") }
        }
        if exdates.count > Self.maximumExdates { fail("exdates", "must hold at most \(Self.maximumExdates) dates") }
        guard issues.isEmpty else { return issues }

        // The rule's own sessions, exclusions ignored: the checks below are about the rule.
        var unexcluded = self
        unexcluded.exdates = []
        let sessions = unexcluded.occurrences(start: start, duration: sessionEnd.timeIntervalSince(start), zone: zone)
        if sessions.first?.start != start {
            fail(nil, "start_datetime must be one of the rule's sessions (its weekday or day of the month in \(zone.identifier))")
        }
        if sessions.count > Self.maximumOccurrences {
            fail(nil, "produces more than \(Self.maximumOccurrences) sessions; end it sooner with count or until")
        } else if let last = sessions.last, last.start > latest {
            fail(nil, "its last session must start at most \(Self.maximumSpanYears) years after the first")
        }
        let starts = Set(sessions.map(\.start.epochSeconds))
        if let stray = exdates.first(where: { !starts.contains($0.epochSeconds) }) {
            fail("exdates", "\(UTCTimestamp.extended(stray)) is not a session of the rule")
        }
        if exdates.contains(where: { $0.epochSeconds == start.epochSeconds }) {
            fail("exdates", "must not exclude the first session: move start_datetime to the next one instead")
        }
        if exdates.count == sessions.count, !sessions.isEmpty { fail("exdates", "excludes every session") }
        return issues
    }
}

extension Event {
    /// The sessions of this event: its rule's, or the event itself.
    public var sessions: [Recurrence.Occurrence] {
        guard let recurrence else { return [Recurrence.Occurrence(start: start, end: end)] }
        let zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        return recurrence.occurrences(start: start, duration: end.timeIntervalSince(start), zone: zone)
    }

    /// When the last session ends: from then on the event is over.
    public var lastEnd: Date { sessions.last?.end ?? end }

    /// The next session that has not ended at `now`, or nil when all are over.
    public func nextSession(at now: Date) -> Recurrence.Occurrence? {
        sessions.first { $0.end > now }
    }

    /// When the widget must next change without anyone editing: the end of the next session
    /// that is not the last (the widget then shows the one after), or nil.
    public func nextSessionChange(after now: Date) -> Date? {
        let all = sessions
        return all.dropLast().first { $0.end > now }?.end
    }
}
