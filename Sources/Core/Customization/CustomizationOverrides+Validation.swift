extension CustomizationOverrides {
    /// Builds overrides from client JSON, collecting one issue per bad field (unknown keys included)
    /// so the client can fix everything in one round trip. `field` prefixes the paths in the issues.
    public static func validated(from json: JSONValue, field: String) throws(ValidationFailure) -> CustomizationOverrides {
        guard case .object(let object) = json else {
            throw ValidationFailure(field: field, message: "must be an object, got \(json.typeName)")
        }
        var issues: [ValidationIssue] = []
        var result = CustomizationOverrides()
        func fail(_ key: String, _ message: String) { issues.append(.init(field: "\(field).\(key)", message: message)) }

        for key in object.keys.sorted() where !allowedKeys.contains(key) {
            fail(key, "unknown key; allowed keys are \(allowedKeys.joined(separator: ", "))")
        }
        for (key, value) in object.sorted(by: { $0.key < $1.key }) where allowedKeys.contains(key) {
            guard let codingKey = CodingKeys(rawValue: key) else { continue }
            switch codingKey {
            case .theme: result.theme = choice(value, key, fail)
            case .buttonStyle: result.buttonStyle = choice(value, key, fail)
            case .font: result.font = choice(value, key, fail)
            case .language: result.language = choice(value, key, fail)
            case .accentColor: result.accentColor = color(value, key, fail)
            case .textColor: result.textColor = color(value, key, fail)
            case .backgroundColor: result.backgroundColor = color(value, key, fail)
            case .borderRadius: result.borderRadius = integer(value, in: borderRadiusRange, key, fail)
            case .reminderMinutes: result.reminderMinutes = integer(value, in: reminderMinutesRange, key, fail)
            case .showDescription:
                if case .bool(let flag) = value { result.showDescription = flag } else { fail(key, "must be true or false") }
            case .allowIndexing:
                if case .bool(let flag) = value { result.allowIndexing = flag } else { fail(key, "must be true or false") }
            case .providers: result.providers = providers(value, key, fail)
            case .labels: result.labels = labels(value, key, fail)
            }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        return result
    }

    private static func choice<T: RawRepresentable & CaseIterable>(
        _ value: JSONValue, _ key: String, _ fail: (String, String) -> Void
    ) -> T? where T.RawValue == String {
        let options = T.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .string(let text) = value, let parsed = T(rawValue: text) else {
            fail(key, "must be one of: \(options)")
            return nil
        }
        return parsed
    }

    private static func color(_ value: JSONValue, _ key: String, _ fail: (String, String) -> Void) -> String? {
        guard case .string(let text) = value, let color = HexColor(text) else {
            fail(key, "must be a colour written as #RRGGBB")
            return nil
        }
        return color.description
    }

    private static func integer(
        _ value: JSONValue, in range: ClosedRange<Int>, _ key: String, _ fail: (String, String) -> Void
    ) -> Int? {
        guard case .number(let number) = value, number.rounded() == number, Double(range.lowerBound)...Double(range.upperBound) ~= number
        else {
            fail(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return Int(number)
    }

    private static func providers(_ value: JSONValue, _ key: String, _ fail: (String, String) -> Void) -> [ProviderType]? {
        let options = ProviderType.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .array(let items) = value, !items.isEmpty else {
            fail(key, "must be a non-empty list of provider types (\(options))")
            return nil
        }
        var seen: [ProviderType] = []
        for item in items {
            guard case .string(let text) = item, let type = ProviderType(rawValue: text) else {
                fail(key, "must only contain provider types (\(options))")
                return nil
            }
            guard !seen.contains(type) else {
                fail(key, "lists \(type.rawValue) twice")
                return nil
            }
            seen.append(type)
        }
        return seen
    }

    private static func labels(_ value: JSONValue, _ key: String, _ fail: (String, String) -> Void) -> [String: String]? {
        guard case .object(let entries) = value else {
            fail(key, "must be an object mapping provider types to button text")
            return nil
        }
        var labels: [String: String] = [:]
        for (type, text) in entries.sorted(by: { $0.key < $1.key }) {
            let path = "\(key).\(type)"
            guard ProviderType(rawValue: type) != nil else {
                fail(path, "is not a provider type")
                continue
            }
            guard case .string(let label) = text else {
                fail(path, "must be a string")
                continue
            }
            let trimmed = label.trimmingWhitespace()
            if trimmed.isEmpty {
                fail(path, "must not be empty")
            } else if trimmed.count > maximumLabelLength {
                fail(path, "must be at most \(maximumLabelLength) characters")
            } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                fail(path, "must not contain line breaks or control characters")
            } else {
                labels[type] = trimmed
            }
        }
        return labels
    }
}

extension String {
    /// The string without leading and trailing white space (spaces, tabs, line breaks), Foundation-free.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
