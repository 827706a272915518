import Foundation

extension Recurrence {
    /// The rule in words for the widget and the panel: "Every Tuesday at 10:00, 8 sessions",
    /// "W każdy wtorek o 10:00, 8 spotkań". The time is the first session's, in its zone (a rule
    /// is about the wall clock, not an instant). The number is of sessions that take place:
    /// RRULE's COUNT includes excluded ones, visitors should not.
    ///
    /// English and Polish have grammar of their own here (a 24-hour clock, Polish cases); every
    /// other language fills the `rule…` patterns of its texts file with the locale's weekday
    /// names, lists, time format and CLDR plural forms.
    public func summary(start: Date, zone: TimeZone, language: WidgetLanguage) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute, .day, .weekday], from: start)
        let time = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        let startWeekday = Weekday(calendarWeekday: parts.weekday ?? 2) ?? .MO
        let weekdays = byDay.isEmpty ? [startWeekday] : byDay.map(\.weekday).sorted()
        let monthDays = byMonthDay.isEmpty ? [parts.day ?? 1] : byMonthDay.sorted()
        switch language {
        case .en: return english(time: time, weekdays: weekdays, monthDays: monthDays, zone: zone)
        case .pl: return polish(time: time, weekdays: weekdays, monthDays: monthDays, zone: zone)
        default: return patterned(LocaleTexts.for(language), start: start, weekdays: weekdays, monthDays: monthDays, zone: zone)
        }
    }

    /// COUNT less the excluded sessions (each exdate is checked to be one of them).
    private var takingPlace: Int {
        guard case .count(let count) = end else { return 0 }
        return max(0, count - Set(exdates.map(\.epochSeconds)).count)
    }

    private func untilText(_ date: Date, zone: TimeZone, locale: String) -> String {
        untilText(date, zone: zone, locale: Locale(identifier: locale))
    }

    private func untilText(_ date: Date, zone: TimeZone, locale: Locale) -> String {
        date.formatted(Date.FormatStyle(date: .long, time: .omitted, locale: locale, timeZone: zone))
    }

    // MARK: Every other language, from its texts file

    private func patterned(_ texts: LocaleTexts, start: Date, weekdays: [Weekday], monthDays: [Int], zone: TimeZone) -> String {
        let locale = texts.language.locale
        var calendar = Calendar(identifier: .gregorian)
        calendar.locale = locale
        calendar.timeZone = zone
        func dayName(_ day: Weekday) -> String { calendar.standaloneWeekdaySymbols[day.calendarWeekday - 1] }
        func list(_ items: [String]) -> String { items.formatted(.list(type: .and).locale(locale)) }
        let frequencyText: String
        switch frequency {
        case .daily: frequencyText = interval == 1 ? texts.text("ruleDaily") : texts.plural("ruleEveryDays", interval)
        case .weekly: frequencyText = interval == 1 ? texts.text("ruleWeekly") : texts.plural("ruleEveryWeeks", interval)
        case .monthly: frequencyText = interval == 1 ? texts.text("ruleMonthly") : texts.plural("ruleEveryMonths", interval)
        }
        var text: String
        switch frequency {
        case .daily:
            text = frequencyText
        case .weekly:
            text = texts.text("ruleOn", ["frequency": frequencyText, "days": list(weekdays.map(dayName))])
        case .monthly where byDay.isEmpty:
            let days = monthDays.map { texts.text("ruleMonthDay", ["n": String($0)]) }
            text = texts.text("ruleOnMonthDays", ["frequency": frequencyText, "days": list(days)])
        case .monthly:
            let places = byDay.map { rule in
                let ordinal = rule.ordinal == -1 ? texts.text("ruleNthLast") : texts.text("ruleNth\(max(1, min(4, rule.ordinal ?? 1)))")
                return texts.text("ruleNthWeekday", ["ordinal": ordinal, "weekday": dayName(rule.weekday)])
            }
            text = texts.text("ruleOn", ["frequency": frequencyText, "days": list(places)])
        }
        let time = start.formatted(Date.FormatStyle(date: .omitted, time: .shortened, locale: locale, calendar: calendar, timeZone: zone))
        text = texts.text("ruleAt", ["rule": text, "time": time])
        switch end {
        case .count: return texts.plural("ruleSessions", takingPlace).replacingOccurrences(of: "{rule}", with: text)
        case .until(let until): return texts.text("ruleUntil", ["rule": text, "date": untilText(until, zone: zone, locale: locale)])
        }
    }

    // MARK: English

    private static let englishDays: [Weekday: String] = [
        .MO: "Monday", .TU: "Tuesday", .WE: "Wednesday", .TH: "Thursday", .FR: "Friday", .SA: "Saturday", .SU: "Sunday",
    ]

    private func english(time: String, weekdays: [Weekday], monthDays: [Int], zone: TimeZone) -> String {
        func list(_ items: [String]) -> String {
            items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
        func ordinal(_ n: Int) -> String {
            let suffix = (11...13).contains(n % 100) ? "th" : ["th", "st", "nd", "rd", "th", "th", "th", "th", "th", "th"][n % 10]
            return "\(n)\(suffix)"
        }
        var text: String
        switch frequency {
        case .daily:
            text = interval == 1 ? "Every day" : "Every \(interval) days"
        case .weekly:
            let days = list(weekdays.map { Self.englishDays[$0]! })
            text = interval == 1 ? "Every \(days)" : "Every \(interval) weeks on \(days)"
        case .monthly:
            let which: String
            if byDay.isEmpty {
                which = "the " + list(monthDays.map(ordinal))
            } else {
                which = "the " + list(byDay.map { rule in
                    (rule.ordinal == -1 ? "last" : ordinal(rule.ordinal ?? 1)) + " " + Self.englishDays[rule.weekday]!
                })
            }
            text = (interval == 1 ? "Every month" : "Every \(interval) months") + " on \(which)"
        }
        text += " at \(time)"
        switch end {
        case .count:
            let count = takingPlace
            text += count == 1 ? ", 1 session" : ", \(count) sessions"
        case .until(let until): text += ", until \(untilText(until, zone: zone, locale: "en_US"))"
        }
        return text
    }

    // MARK: Polish

    /// Accusative after "w" ("w środę"), and whether "każdy" takes its feminine form.
    private static let polishDays: [Weekday: (accusative: String, plural: String, feminine: Bool)] = [
        .MO: ("poniedziałek", "poniedziałki", false), .TU: ("wtorek", "wtorki", false), .WE: ("środę", "środy", true),
        .TH: ("czwartek", "czwartki", false), .FR: ("piątek", "piątki", false), .SA: ("sobotę", "soboty", true),
        .SU: ("niedzielę", "niedziele", true),
    ]

    /// Polish plural of a counted noun: 1 spotkanie, 2–4 spotkania (not 12–14), else spotkań.
    static func polishPlural(_ n: Int, one: String, few: String, many: String) -> String {
        if n == 1 { return one }
        let lastTwo = n % 100
        let last = n % 10
        return (2...4).contains(last) && !(12...14).contains(lastTwo) ? few : many
    }

    private func polish(time: String, weekdays: [Weekday], monthDays: [Int], zone: TimeZone) -> String {
        func list(_ items: [String]) -> String {
            items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " i " + items.last!
        }
        // "w" becomes "we" before a word starting with "w" ("we wtorek").
        func preposition(_ word: String) -> String { word.hasPrefix("w") ? "we \(word)" : "w \(word)" }
        var text: String
        switch frequency {
        case .daily:
            text = interval == 1 ? "Codziennie" : "Co \(interval) dni"
        case .weekly:
            if interval == 1 {
                if weekdays.count == 1, let day = Self.polishDays[weekdays[0]] {
                    text = "W \(day.feminine ? "każdą" : "każdy") \(day.accusative)"
                } else {
                    text = "W " + list(weekdays.map { Self.polishDays[$0]!.plural })
                }
            } else {
                let weeks = Self.polishPlural(interval, one: "tydzień", few: "tygodnie", many: "tygodni")
                let days = weekdays.map { Self.polishDays[$0]!.accusative }
                text = "Co \(interval) \(weeks) " + (days.count == 1 ? preposition(days[0]) : "(\(list(days)))")
            }
        case .monthly:
            let months = interval == 1
                ? "Co miesiąc"
                : "Co \(interval) \(Self.polishPlural(interval, one: "miesiąc", few: "miesiące", many: "miesięcy"))"
            if byDay.isEmpty {
                text = "\(months), dnia \(list(monthDays.map { "\($0)." }))"
            } else {
                let places = byDay.map { rule -> String in
                    let day = Self.polishDays[rule.weekday]!
                    let masculine = ["pierwszy", "drugi", "trzeci", "czwarty"]
                    let feminine = ["pierwszą", "drugą", "trzecią", "czwartą"]
                    let which = rule.ordinal == -1
                        ? (day.feminine ? "ostatnią" : "ostatni")
                        : (day.feminine ? feminine : masculine)[max(0, min(3, (rule.ordinal ?? 1) - 1))]
                    return "\(which) \(day.accusative)"
                }
                text = "\(months) " + preposition(list(places))
            }
        }
        text += " o \(time)"
        switch end {
        case .count:
            let count = takingPlace
            text += ", \(count) \(Self.polishPlural(count, one: "spotkanie", few: "spotkania", many: "spotkań"))"
        case .until(let until): text += ", do \(untilText(until, zone: zone, locale: "pl_PL"))"
        }
        return text
    }
}
