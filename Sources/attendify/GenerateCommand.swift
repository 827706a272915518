import ArgumentParser
import Foundation
import Logging
import Server

/// `attendify generate`: rebuilds public files from the database (after deploys or template changes).
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Render widgets and .ics files from the database into the output folder.",
        discussion: """
            --all rebuilds every event and removes the files of events that no longer exist; \
            --event ID rebuilds one. Files are replaced atomically, so it is safe while serving.
            """)

    @OptionGroup var site: SiteOptions

    @Flag(help: "Rebuild every event.")
    var all = false

    @Option(help: "Rebuild only the event with this numeric id.")
    var event: Int64?

    func validate() throws {
        guard all != (event != nil) else { throw ValidationError("Pass exactly one of --all or --event ID.") }
    }

    func run() async throws {
        var config = ServeConfig()
        site.apply(to: &config)
        let logger = Logger(label: "attendify.generate")
        let dependencies = try await AppDependencies.build(config: config, logger: logger)
        let started = ContinuousClock.now
        if let event {
            try dependencies.generator.publish(eventID: event)
            print("Published event \(event) into \(config.outputDirectory)")
        } else {
            let report = try dependencies.generator.publishAll()
            let elapsed = ContinuousClock.now - started
            print("Published \(report.published) event(s), removed \(report.removed) stale, in \(elapsed) into \(config.outputDirectory)")
        }
    }
}
