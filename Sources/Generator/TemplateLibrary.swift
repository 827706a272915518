import Assets
import Foundation
import Mustache

/// The parsed Mustache templates, loaded once at start-up: from a folder (`--templates`) or from
/// the copy of `Templates/` embedded in the binary when it was built.
public struct TemplateLibrary: Sendable {
    let mustache: MustacheLibrary
    /// Names of the loaded templates (file names without `.mustache`).
    public let names: [String]
    /// Where they came from, for messages: the folder's path, or `embedded Templates/`.
    public let origin: String

    /// Templates every start-up requires; a missing one stops the process with a clear message.
    public static let requiredTemplates = ["widget", "event"]
    /// How `origin` reads for the embedded copy.
    public static let embeddedOrigin = "embedded Templates/"

    public enum LoadError: Error, CustomStringConvertible {
        case missingDirectory(String)
        case missingTemplate(name: String, directory: String)
        case parse(file: String, line: Int, column: Int, message: String)

        public var description: String {
            switch self {
            case .missingDirectory(let path):
                "template folder \(path) does not exist (pass --templates or set ATTENDIFY_TEMPLATES to a folder, or neither for the embedded templates)"
            case .missingTemplate(let name, let directory): "template \(name).mustache is missing from \(directory)"
            case .parse(let file, let line, let column, let message): "\(file):\(line):\(column): \(message)"
            }
        }
    }

    /// The templates of a folder, or the embedded ones when `directory` is nil.
    public static func load(directory: String?) async throws -> TemplateLibrary {
        guard let directory else { return try loadEmbedded() }
        return try await load(directory: directory)
    }

    public static func load(directory given: String) async throws -> TemplateLibrary {
        // The loader does not follow a symlinked folder itself (deployments often link Templates).
        let directory = URL(fileURLWithPath: given).resolvingSymlinksInPath().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError.missingDirectory(directory)
        }
        var library: MustacheLibrary
        do {
            library = try await MustacheLibrary(directory: directory)
        } catch let error as MustacheLibrary.ParserError {
            throw LoadError.parse(
                file: error.filename, line: error.context.lineNumber, column: error.context.columnNumber,
                message: "\(error.error)")
        }
        var names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".mustache") }
            .map { String($0.dropLast(".mustache".count)) }
        // A folder of one's own templates from before a page existed (say, the widget only)
        // keeps working: what it lacks comes from the templates built into the binary.
        try registerEmbedded(into: &library, names: &names)
        return try checked(library, names: names.sorted(), origin: directory)
    }

    /// The `Templates/*.mustache` files embedded in the binary (module `Assets`), named as the
    /// folder loader names them, so an installed binary renders exactly what its checkout did.
    public static func loadEmbedded() throws -> TemplateLibrary {
        var library = MustacheLibrary()
        var names: [String] = []
        try registerEmbedded(into: &library, names: &names)
        return try checked(library, names: names.sorted(), origin: embeddedOrigin)
    }

    /// Registers every embedded template whose name is not in `names` yet, and lists it there.
    private static func registerEmbedded(into library: inout MustacheLibrary, names: inout [String]) throws {
        for path in Assets.paths(under: "Templates") where path.hasSuffix(".mustache") {
            let name = String(path.dropFirst("Templates/".count).dropLast(".mustache".count))
            guard !names.contains(name), let bytes = Assets.file(path) else { continue }
            do {
                library.register(try MustacheTemplate(string: String(decoding: bytes, as: UTF8.self)), named: name)
            } catch let error as MustacheTemplate.ParserError {
                throw LoadError.parse(
                    file: path, line: error.context.lineNumber, column: error.context.columnNumber, message: "\(error.error)")
            }
            names.append(name)
        }
    }

    private static func checked(_ library: MustacheLibrary, names: [String], origin: String) throws -> TemplateLibrary {
        for name in requiredTemplates where library.getTemplate(named: name) == nil {
            throw LoadError.missingTemplate(name: name, directory: origin)
        }
        return TemplateLibrary(mustache: library, names: names, origin: origin)
    }

    func render(_ object: Any, template name: String) -> String? {
        mustache.render(object, withTemplate: name)
    }
}
