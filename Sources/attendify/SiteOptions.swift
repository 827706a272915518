import ArgumentParser
import Foundation
import Server

/// Flags shared by every command that touches the database, the templates or `out/`.
/// Each falls back to an environment variable, then to a default that works on a laptop.
struct SiteOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Option(help: "Folder the generated public files go to (env ATTENDIFY_OUT; default ./out).")
    var out: String?

    @Option(help: ArgumentHelp(SiteOptions.templatesHelp))
    var templates: String?

    @Option(
        name: .customLong("public-url"),
        help: "Public origin written into embed codes and .ics UIDs (env ATTENDIFY_PUBLIC_URL; default http://127.0.0.1:8080).")
    var publicURL: String?

    func validate() throws {
        if let text = resolvedPublicURLText, Self.parseOrigin(text) == nil {
            throw ValidationError("--public-url must be an absolute http(s) URL such as https://attendify.example, got \(text)")
        }
    }

    private var resolvedPublicURLText: String? { publicURL ?? Environment.value("ATTENDIFY_PUBLIC_URL") }
    /// Whether --public-url or ATTENDIFY_PUBLIC_URL named one (else the config keeps its default).
    var publicURLGiven: Bool { resolvedPublicURLText != nil }

    static let templatesHelp = """
        Folder of the Mustache templates (env ATTENDIFY_TEMPLATES; default ./Templates if that folder \
        exists here, else the templates built into this binary).
        """

    /// `--templates`, else ATTENDIFY_TEMPLATES, else ./Templates where it exists, else nil (embedded).
    static func templatesFolder(flag: String?) -> String? {
        ServeConfig.assetFolder(flag: flag, environment: Environment.value("ATTENDIFY_TEMPLATES"), local: "./Templates")
    }

    static func parseOrigin(_ text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else { return nil }
        return url
    }

    /// Applies these options (then the environment, then defaults) to a config.
    func apply(to config: inout ServeConfig) {
        config.databasePath = database.location
        config.databasePasswordFile = database.resolvedPasswordFile
        config.outputDirectory = out ?? Environment.value("ATTENDIFY_OUT") ?? config.outputDirectory
        config.templatesDirectory = Self.templatesFolder(flag: templates)
        if let text = resolvedPublicURLText, let url = Self.parseOrigin(text) { config.publicURL = url }
    }
}

/// Reads `ATTENDIFY_*` variables; an empty value counts as unset.
enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// A flag's value, else the variable's parsed as the flag's type (a `ValidationError` naming
    /// the variable when it does not parse), else nil.
    static func value<T: LosslessStringConvertible>(flag: T?, _ name: String) throws -> T? {
        if let flag { return flag }
        guard let text = value(name) else { return nil }
        guard let parsed = T(text) else { throw ValidationError("\(name) must be a number, got \(text)") }
        return parsed
    }

    /// A comma-separated variable as a list (empty when unset).
    static func list(_ name: String) -> [String] {
        (value(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
