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
