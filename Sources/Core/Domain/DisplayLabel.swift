/// Short one-line names organizers give things (placements, API tokens, webhook descriptions):
/// shown in the panel, in CSV files and in JSON, never in a widget. Trimmed, bounded, and free of
/// anything that could break a line or make the name read differently than it is stored.
public enum DisplayLabel {
    public static func validated(_ raw: String, field: String, maximumLength: Int) throws(ValidationFailure) -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ValidationFailure(field: field, message: "must not be empty") }
        guard name.count <= maximumLength else {
            throw ValidationFailure(field: field, message: "must be at most \(maximumLength) characters")
        }
        guard !name.unicodeScalars.contains(where: isForbidden) else {
            throw ValidationFailure(field: field, message: "must not contain control characters or line breaks")
        }
        return name
    }

    /// Control characters, line and paragraph separators, and invisible format characters (bidi
    /// overrides could make a name read differently in the panel); the zero-width joiner stays,
    /// emoji sequences need it.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        case .format: scalar != "\u{200D}"
        default: false
        }
    }
}
