import Assets
import Foundation
import Mustache

/// The parsed Mustache templates, loaded once at start-up from `Templates/`.
public struct TemplateLibrary: Sendable {
    let mustache: MustacheLibrary
    /// Names of the loaded templates (file names without `.mustache`).
    public let names: [String]

    /// Templates every start-up requires; a missing one stops the process with a clear message.
    public static let requiredTemplates = ["widget", "event"]

    public enum LoadError: Error, CustomStringConvertible {
        case missingDirectory(String)
        case missingTemplate(name: String, directory: String)
        case parse(file: String, line: Int, column: Int, message: String)

        public var description: String {
            switch self {
            case .missingDirectory(let path):
                "template folder \(path) does not exist (pass --templates or set ATTENDIFY_TEMPLATES)"
            case .missingTemplate(let name, let directory): "template \(name).mustache is missing from \(directory)"
            case .parse(let file, let line, let column, let message): "\(file):\(line):\(column): \(message)"
            }
        }
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
        for path in Assets.paths(under: "Templates") where path.hasSuffix(".mustache") {
            let name = String(path.dropFirst("Templates/".count).dropLast(".mustache".count))
            guard !names.contains(name), let bytes = Assets.file(path) else { continue }
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
            names.append(name)
        }
        names.sort()
        for name in requiredTemplates where library.getTemplate(named: name) == nil {
            throw LoadError.missingTemplate(name: name, directory: directory)
        }
        return TemplateLibrary(mustache: library, names: names)
    }

    func render(_ object: Any, template name: String) -> String? {
        mustache.render(object, withTemplate: name)
    }
}
