import Core
import Foundation
import Testing

/// The widget's texts in every language: complete against English, placeholders intact, plural
/// forms for every category CLDR gives a count, and the rule summaries built from them.
@Suite struct LocalizationTests {
    nonisolated(unsafe) static let placeholder = /\{[a-z]+\}/

    @Test(arguments: WidgetLanguage.allCases)
    func everyLanguageHasEveryEnglishWidgetText(_ language: WidgetLanguage) {
        let english = LocaleTexts.for(.en)
        let texts = LocaleTexts.for(language)
        #expect(!english.keys.isEmpty, "the English widget texts did not load")
        func base(_ key: String) -> String { String(key.split(separator: "_").first ?? "") }
        let missing = Set(english.keys.map(base)).subtracting(texts.keys.map(base))
        let extra = Set(texts.keys.map(base)).subtracting(english.keys.map(base))
        #expect(missing.isEmpty, "\(language) lacks \(missing.sorted())")
        #expect(extra.isEmpty, "\(language) has keys English lacks: \(extra.sorted())")
        for key in english.keys where !key.contains("_") {
            let wanted = Set(english.text(key).matches(of: Self.placeholder).map { String($0.output) })
            let found = Set(texts.text(key).matches(of: Self.placeholder).map { String($0.output) })
            #expect(wanted == found, "\(language).\(key): placeholders \(found.sorted()) instead of \(wanted.sorted())")
            #expect(!texts.text(key).isEmpty)
        }
    }

    /// Every count from 0 to 1,000 finds its own form (not the `other` stand-in), whatever
    /// category the language's CLDR rule gives it.
    @Test(arguments: WidgetLanguage.allCases)
    func pluralFormsCoverEveryCount(_ language: WidgetLanguage) {
        let texts = LocaleTexts.for(language)
        let plurals = Set(texts.keys.filter { $0.contains("_") }.map { String($0.split(separator: "_")[0]) })
        #expect(plurals.contains("ruleSessions"))
        for base in plurals {
            for count in 0...1_000 {
                let category = PluralCategory.of(count, in: language)
                #expect(texts.keys.contains("\(base)_\(category)"), "\(language).\(base) has no `\(category)` form (for \(count))")
            }
        }
    }

    @Test func pluralCategoriesComeFromCLDR() {
        #expect(PluralCategory.of(1, in: .pl) == "one")
        #expect(PluralCategory.of(3, in: .pl) == "few")
        #expect(PluralCategory.of(5, in: .pl) == "many")
        #expect(PluralCategory.of(22, in: .pl) == "few")
        #expect(PluralCategory.of(12, in: .pl) == "many")
        #expect(PluralCategory.of(21, in: .uk) == "one")
        #expect(PluralCategory.of(0, in: .ar) == "zero")
        #expect(PluralCategory.of(2, in: .ar) == "two")
        #expect(PluralCategory.of(11, in: .ar) == "many")
        #expect(PluralCategory.of(2, in: .he) == "two")
        #expect(PluralCategory.of(1, in: .ja) == "other")
        #expect(PluralCategory.of(1, in: .en) == "one")
        #expect(PluralCategory.of(0, in: .fr) == "one")
    }

    @Test func countedTextsUseTheLanguagesForms() {
        #expect(LocaleTexts.for(.pl).plural("ruleSessions", 5).hasSuffix("5 spotkań"))
        #expect(LocaleTexts.for(.pl).plural("ruleSessions", 3).hasSuffix("3 spotkania"))
        #expect(LocaleTexts.for(.de).plural("ruleSessions", 1).hasSuffix("1 Termin"))
        #expect(LocaleTexts.for(.ar).plural("ruleSessions", 2).hasSuffix("جلستان"))
        #expect(LocaleTexts.for(.cs).plural("ruleEveryWeeks", 3) == "Každé 3 týdny")
    }

    @Test func ruleSummariesInOtherLanguagesUseLocaleWeekdaysAndLists() throws {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        // 2026-03-10 is a Tuesday; 10:00 in Berlin.
        let start = Date(timeIntervalSince1970: 1_773_133_200)
        let weekly = Recurrence(frequency: .weekly, byDay: [.init(.TU), .init(.TH)], end: .count(8))
        #expect(weekly.summary(start: start, zone: zone, language: .de) == "Wöchentlich am Dienstag und Donnerstag um 10:00, 8 Termine")
        #expect(weekly.summary(start: start, zone: zone, language: .fr) == "Chaque semaine, le mardi et jeudi à 10:00, 8 séances")
        let monthly = Recurrence(frequency: .monthly, interval: 2, byDay: [.init(.TU, ordinal: -1)], end: .count(3))
        #expect(monthly.summary(start: start, zone: zone, language: .es) == "Cada 2 meses: el último martes a las 10:00, 3 sesiones")
        let daily = Recurrence(frequency: .daily, end: .count(2))
        #expect(daily.summary(start: start, zone: zone, language: .he) == "מדי יום, בשעה 10:00, שני מפגשים")
        #expect(daily.summary(start: start, zone: zone, language: .ja) == "毎日 10:00、全2回")
        // English and Polish keep their own grammar.
        #expect(weekly.summary(start: start, zone: zone, language: .en) == "Every Tuesday and Thursday at 10:00, 8 sessions")
    }

    @Test func languageChoiceTakesEveryCodeAndAuto() {
        #expect(LanguageChoice(rawValue: "auto") == .auto)
        #expect(LanguageChoice(rawValue: "he") == .fixed(.he))
        #expect(LanguageChoice(rawValue: "zh") == nil)
        #expect(LanguageChoice.allCases.count == WidgetLanguage.allCases.count + 1)
        #expect(WidgetLanguage.allCases.count >= 14)
        #expect(WidgetLanguage.allCases.filter(\.isRightToLeft) == [.ar, .he])
    }

    /// `auto` falls back to the organizer's language: their defaults' when it is a code.
    @Test func autoFallsBackToTheOrganizersLanguage() {
        let auto = CustomizationOverrides(language: .auto)
        let polishDefaults = CustomizationOverrides(language: .fixed(.pl))
        let settings = WidgetSettings.resolve(userDefaults: polishDefaults, event: auto)
        #expect(settings.followsVisitorLanguage)
        #expect(settings.language == .pl)
        let everywhere = WidgetSettings.resolve(userDefaults: auto, event: .init())
        #expect(everywhere.followsVisitorLanguage && everywhere.language == .en)
        let fixed = WidgetSettings.resolve(userDefaults: auto, event: CustomizationOverrides(language: .fixed(.de)))
        #expect(!fixed.followsVisitorLanguage && fixed.language == .de)
    }
}
