import API
import Core
import Storage
import Foundation
import Generator
import Hummingbird
import Logging
import Server
import TestSupport
import Testing

/// `openapi.yaml` and the router must describe the same API: every registered route is in the
/// spec, and every spec operation is registered.
@Suite struct OpenAPISpecTests {
    /// (method, path) pairs under `paths:`: path keys at two spaces, method keys at four.
    static func specOperations() throws -> Set<String> {
        let text = try String(contentsOfFile: "\(PackagePaths.root)/openapi.yaml", encoding: .utf8)
        var operations: Set<String> = []
        var inPaths = false
        var path: String?
        for line in text.components(separatedBy: "\n") {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.isEmpty, !line.hasPrefix(" "), !line.hasPrefix("#") { break }  // next top-level key
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "put", "post", "delete", "patch", "head", "options"].contains(key) {
                    operations.insert("\(key.uppercased()) \(path)")
                }
            }
        }
        return operations
    }

    @Test func everyRouteIsSpecifiedAndEverySpecifiedRouteExists() async throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteStore.inMemory()
        let generator = SiteGenerator(
            database: database,
            renderer: WidgetRenderer(templates: try await TemplateLibrary.load(directory: PackagePaths.templates), uidHost: "example.org"),
            publisher: Publisher(root: folder.path), logger: Logger(label: "test"))
        let routes = OrganizerAPI.addRoutes(
            to: Router(context: AppRequestContext.self), database: database, generator: generator,
            config: APIConfig(publicURL: URL(string: "http://127.0.0.1:8080")!))
        let registered = Set(routes.map(\.description))
        let specified = try Self.specOperations()
        #expect(!specified.isEmpty)
        #expect(registered.subtracting(specified).isEmpty, "routes missing from openapi.yaml: \(registered.subtracting(specified).sorted())")
        #expect(specified.subtracting(registered).isEmpty, "spec operations with no route: \(specified.subtracting(registered).sorted())")
    }
}
