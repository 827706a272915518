import Core
import Testing

@testable import Generator

@Suite struct WidgetPaletteTests {
    @Test(arguments: [("light", WidgetView.lightDefaults), ("dark", WidgetView.darkDefaults)])
    func defaultThemesMeetWCAGAAContrast(name: String, palette: WidgetView.Palette) throws {
        let background = try #require(HexColor(palette.background))
        let pairs: [(String, String)] = [
            ("text", palette.text), ("muted text", palette.muted), ("outline button", palette.accent),
        ]
        for (label, color) in pairs {
            let ratio = try #require(HexColor(color)).contrastRatio(with: background)
            #expect(ratio >= HexColor.minimumTextContrast, "\(name) \(label): \(ratio)")
        }
        let filled = try #require(HexColor(palette.onAccent)).contrastRatio(with: try #require(HexColor(palette.accent)))
        #expect(filled >= HexColor.minimumTextContrast, "\(name) filled button: \(filled)")
    }
}

/// Whatever the organizer picks, the published colours reach WCAG AA (4.5:1) for every text:
/// body text and muted lines on the background, the accent where it is text (outline buttons),
/// and a filled button's text on the accent.
@Suite struct PublishedContrastTests {
    static let hostile: [(accent: String?, text: String?, background: String?)] = [
        ("#ffff00", nil, nil), ("#777777", nil, nil), (nil, "#cccccc", "#ffffff"), ("#000080", nil, "#000000"),
        ("#ffffff", "#ffffff", "#ffffff"), ("#000000", "#000000", "#000000"), ("#f0f0f0", nil, nil), ("#808080", "#808080", "#808080"),
        ("#1d4ed8", "#111827", "#111827"), ("#ff0000", "#00ff00", "#0000ff"),
    ]

    @Test(arguments: WidgetTheme.allCases, ButtonStyle.allCases)
    func everyHostileChoiceIsPublishedReadable(theme: WidgetTheme, style: ButtonStyle) throws {
        for colours in Self.hostile {
            var settings = WidgetSettings.defaults
            settings.theme = theme
            settings.buttonStyle = style
            settings.accentColor = colours.accent.flatMap(HexColor.init)
            settings.textColor = colours.text.flatMap(HexColor.init)
            settings.backgroundColor = colours.background.flatMap(HexColor.init)
            for base in [WidgetView.lightDefaults, WidgetView.darkDefaults] {
                let palette = WidgetView.palette(base, settings)
                let background = try #require(HexColor(palette.background))
                func ratio(_ a: String, _ b: HexColor) throws -> Double { try #require(HexColor(a)).contrastRatio(with: b) }
                #expect(try ratio(palette.text, background) >= 4.5, "\(colours) text")
                #expect(try ratio(palette.muted, background) >= 4.5, "\(colours) muted")
                if style == .outline { #expect(try ratio(palette.accent, background) >= 4.5, "\(colours) outline accent") }
                #expect(try ratio(palette.onAccent, try #require(HexColor(palette.accent))) >= 4.5, "\(colours) filled")
            }
        }
    }

    /// A colour that already reads well is published as picked.
    @Test func readableChoicesAreKept() throws {
        var settings = WidgetSettings.defaults
        settings.accentColor = HexColor("#0b57d0")
        settings.textColor = HexColor("#202124")
        settings.buttonStyle = .outline
        let palette = WidgetView.palette(WidgetView.lightDefaults, settings)
        #expect(palette.accent == "#0b57d0")
        #expect(palette.text == "#202124")
    }

    /// The adjustment moves towards black on a light background and stops at the first 1 % step
    /// that passes (the panel repeats this exact arithmetic).
    @Test func adjustmentIsTheSmallestStepTowardsTheReadableEnd() throws {
        let yellow = try #require(HexColor("#ffff00"))
        let white = HexColor.white
        let adjusted = yellow.ensuringContrast(against: white)
        #expect(adjusted.contrastRatio(with: white) >= 4.5)
        #expect(adjusted.red == adjusted.green && adjusted.blue == 0)  // still a yellow, darker
        let share = 1 - Double(adjusted.red) / 255
        let previous = Double(Int((share * 100).rounded()) - 1) / 100
        let lighter = UInt8((255 - 255 * previous).rounded())
        #expect(HexColor(red: lighter, green: lighter, blue: 0).contrastRatio(with: white) < 4.5)
        // On a dark background it lightens.
        let navy = try #require(HexColor("#000080"))
        #expect(navy.ensuringContrast(against: HexColor.black).relativeLuminance > navy.relativeLuminance)
    }
}
