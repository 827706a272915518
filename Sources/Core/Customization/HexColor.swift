/// A `#RRGGBB` colour, with the WCAG 2 arithmetic the widget and the panel need.
public struct HexColor: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let red: UInt8
    public let green: UInt8
    public let blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Accepts exactly `#` and six hex digits, either case; anything else (CSS names, `#abc`,
    /// `url(...)`) is refused, so a colour can never smuggle CSS into the widget.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[0] == UInt8(ascii: "#") else { return nil }
        var values: [UInt8] = []
        for index in stride(from: 1, to: 7, by: 2) {
            guard let high = Self.hexValue(bytes[index]), let low = Self.hexValue(bytes[index + 1]) else { return nil }
            values.append(high << 4 | low)
        }
        self.init(red: values[0], green: values[1], blue: values[2])
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Lower-case `#rrggbb`, the one form we store and render.
    public var description: String {
        let digits = Array("0123456789abcdef")
        var text = "#"
        for value in [red, green, blue] {
            text.append(digits[Int(value >> 4)])
            text.append(digits[Int(value & 15)])
        }
        return text
    }

    /// WCAG 2 relative luminance.
    public var relativeLuminance: Double {
        func linear(_ channel: UInt8) -> Double {
            let value = Double(channel) / 255
            return value <= 0.04045 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// WCAG 2 contrast ratio, from 1 (same colour) to 21 (black on white).
    public func contrastRatio(with other: HexColor) -> Double {
        let (lighter, darker) = (max(relativeLuminance, other.relativeLuminance), min(relativeLuminance, other.relativeLuminance))
        return (lighter + 0.05) / (darker + 0.05)
    }

    /// Black or white, whichever reads better on this colour: the text colour of a filled button.
    public var readableTextColor: HexColor {
        contrastRatio(with: Self.white) >= contrastRatio(with: Self.black) ? Self.white : Self.black
    }

    public static let minimumTextContrast = 4.5
    public static let black = HexColor(red: 0, green: 0, blue: 0)
    public static let white = HexColor(red: 255, green: 255, blue: 255)

    /// This colour, or the nearest one towards black or white (whichever the background allows)
    /// that reaches `minimum` against `background`: what a widget publishes, whatever the
    /// organizer picked. Mixes in steps of 1 % per sRGB channel, rounded; the panel's
    /// `contrast.js` repeats the same arithmetic to show the colour that will be published.
    public func ensuringContrast(_ minimum: Double = minimumTextContrast, against background: HexColor) -> HexColor {
        guard contrastRatio(with: background) < minimum else { return self }
        let target = Self.black.contrastRatio(with: background) >= Self.white.contrastRatio(with: background) ? Self.black : Self.white
        for step in 1...100 {
            let share = Double(step) / 100
            func mix(_ from: UInt8, _ to: UInt8) -> UInt8 { UInt8((Double(from) + (Double(to) - Double(from)) * share).rounded()) }
            let candidate = HexColor(red: mix(red, target.red), green: mix(green, target.green), blue: mix(blue, target.blue))
            if candidate.contrastRatio(with: background) >= minimum { return candidate }
        }
        return target
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
