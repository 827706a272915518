import Core
import Storage
import Foundation
import Logging
import Server
import TestSupport

/// Runs the real `serve` application on a free loopback port for the duration of `body`.
func withRunningServer<T: Sendable>(
    demo: Bool = true, configure: (inout ServeConfig) -> Void = { _ in },
    _ body: @Sendable (_ client: RawHTTPClient, _ site: ServedSite) async throws -> T
) async throws -> T {
    let folder = try TemporaryDirectory()
    var config = ServeConfig(
        host: "127.0.0.1", port: 0, databasePath: try Backend.suiteDefault.newLocation(in: folder), outputDirectory: folder.file("out"),
        templatesDirectory: PackagePaths.templates)
    // Cheap hashes keep the suite fast; one test checks the production default separately.
    config.bcryptCost = 4
    config.panelDirectory = "\(PackagePaths.root)/Panel"
    config.tracker.refreshInterval = .milliseconds(100)
    config.outbox.mail = .folder(folder.file("mail"))
    // The API's wake-ups send at once; dozens of test servers polling every second on one
    // PostgreSQL would slow the suite's trackers past their deadlines.
    config.outbox.pollInterval = .seconds(30)
    configure(&config)
    let dependencies = try await AppDependencies.build(config: config, logger: Logger(label: "test"))
    let demoResult = demo ? try DemoSite(dependencies: dependencies, publicURL: config.publicURL).prepare() : nil
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = try await buildApplication(config: config, dependencies: dependencies) { port in continuation.yield(port) }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await app.run()
            return nil
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw RawHTTPClient.Failure(description: "server did not start") }
        let site = ServedSite(
            folder: folder, outputDirectory: config.outputDirectory, demo: demoResult, database: dependencies.database)
        let result = try await body(RawHTTPClient(port: port), site)
        group.cancelAll()
        return result
    }
}

/// What a test can look at besides HTTP: the output folder and the demo event.
struct ServedSite: @unchecked Sendable {
    let folder: TemporaryDirectory
    let outputDirectory: String
    let demo: DemoSite.Result?
    let database: any DataStore

    var publicID: String { demo?.event.publicID.rawValue ?? "" }
}
