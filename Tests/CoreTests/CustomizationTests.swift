import Core
import Foundation
import Testing

@Suite struct CustomizationTests {
    func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    func issues(_ text: String) throws -> [ValidationIssue] {
        let value = try json(text)
        do {
            _ = try CustomizationOverrides.validated(from: value, field: "customization_settings")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func acceptsEveryKeyWithValidValues() throws {
        let overrides = try CustomizationOverrides.validated(
            from: json(
                """
                {"theme":"dark","accent_color":"#FF0000","text_color":"#111111","background_color":"#fafafa",
                 "button_style":"outline","border_radius":24,"font":"serif","providers":["ics","google"],
                 "labels":{"google":"  Google Kalendarz "},"language":"pl","show_description":false,"reminder_minutes":30}
                """), field: "customization_settings")
        #expect(overrides.theme == .dark)
        #expect(overrides.accentColor == "#ff0000")  // stored in one canonical form
        #expect(overrides.providers == [.ics, .google])
        #expect(overrides.labels == ["google": "Google Kalendarz"])
        #expect(overrides.reminderMinutes == 30)
        #expect(overrides.showDescription == false)
    }

    @Test func unknownKeysAreRejectedByName() throws {
        let found = try issues(##"{"theme":"light","colour":"#000000"}"##)
        #expect(found.map(\.field) == ["customization_settings.colour"])
        #expect(found[0].message.contains("unknown key"))
    }

    @Test func everyBadFieldIsReportedAtOnce() throws {
        let found = try issues(
            """
            {"theme":"neon","accent_color":"red","border_radius":25,"providers":["google","google"],
             "labels":{"google":"","msn":"x"},"show_description":"yes","reminder_minutes":1.5,"font":"Comic Sans"}
            """)
        #expect(Set(found.map(\.field)) == [
            "customization_settings.theme", "customization_settings.accent_color", "customization_settings.border_radius",
            "customization_settings.providers", "customization_settings.labels.google", "customization_settings.labels.msn",
            "customization_settings.show_description", "customization_settings.reminder_minutes",
            "customization_settings.font",
        ])
    }

    @Test(arguments: ["#abc", "#12345g", "red", "url(javascript:alert(1))", "#1234567", " #123456", ""])
    func coloursMustBeSixHexDigits(_ value: String) throws {
        #expect(try issues(#"{"accent_color":"\#(value)"}"#).map(\.field) == ["customization_settings.accent_color"])
    }

    @Test func labelsAreLimitedToFortyCharactersAndOneLine() throws {
        let long = String(repeating: "x", count: 41)
        #expect(try issues(#"{"labels":{"ics":"\#(long)"}}"#).map(\.field) == ["customization_settings.labels.ics"])
        #expect(try issues(#"{"labels":{"ics":"a\nb"}}"#).map(\.field) == ["customization_settings.labels.ics"])
        #expect(try issues(#"{"labels":{"ics":"\#(String(repeating: "ż", count: 40))"}}"#).isEmpty)
    }

    @Test func notAnObjectIsOneIssue() throws {
        #expect(try issues("[1,2]") == [ValidationIssue(field: "customization_settings", message: "must be an object, got array")])
    }

    @Test func layersResolveKeyByKeyEventOverOrganizerOverDefaults() {
        let organizer = CustomizationOverrides(theme: .dark, accentColor: "#00ff00", language: .fixed(.pl))
        let event = CustomizationOverrides(accentColor: "#0000ff", providers: [.ics])
        let settings = WidgetSettings.resolve(userDefaults: organizer, event: event)
        #expect(settings.theme == .dark)  // organizer
        #expect(settings.accentColor == HexColor("#0000ff"))  // event wins
        #expect(settings.language == .pl)
        #expect(settings.providers == [.ics])
        #expect(settings.buttonStyle == WidgetSettings.defaults.buttonStyle)  // built-in
        #expect(settings.label(for: .ics) == "Apple / .ics")
    }

    @Test func contrastFollowsWCAG() throws {
        let black = try #require(HexColor("#000000"))
        let white = try #require(HexColor("#FFFFFF"))
        #expect(abs(black.contrastRatio(with: white) - 21) < 0.001)
        #expect(white.contrastRatio(with: white) == 1)
        #expect(try #require(HexColor("#ffcc00")).readableTextColor == black)
        #expect(try #require(HexColor("#1d4ed8")).readableTextColor == white)
    }
}
