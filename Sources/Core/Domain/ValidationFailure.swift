/// One rejected input field: `field` is the JSON path the client sent (`customization_settings.theme`).
public struct ValidationIssue: Equatable, Sendable, Codable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Input that breaks a domain rule; the API maps it to 422 with every issue listed.
public struct ValidationFailure: Error, Equatable, Sendable {
    public var issues: [ValidationIssue]

    public init(_ issues: [ValidationIssue]) {
        self.issues = issues
    }

    public init(field: String, message: String) {
        self.issues = [ValidationIssue(field: field, message: message)]
    }
}
