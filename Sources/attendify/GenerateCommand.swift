import ArgumentParser
import Foundation
import Logging
import Generator
import Server
import ServiceLifecycle

/// `attendify generate`: rebuilds public files from the database (after deploys or template changes).
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Render widgets and .ics files from the database into the output folder.",
        discussion: """
            --all rebuilds every event and removes the files of events that no longer exist; \
            --event ID rebuilds one (and its organizer's feed); --organizer ID rebuilds one \
            organizer's feed. --follow makes this node's out/ follow the database: a full \
            rebuild, then every change within a second (PostgreSQL: LISTEN/NOTIFY; SQLite: polling), \
            until SIGTERM or SIGINT. Files are replaced atomically, so it is safe while serving.
            """)

    @OptionGroup var site: SiteOptions

    @Flag(help: "Rebuild every event.")
    var all = false

    @Option(help: "Rebuild only the event with this numeric id.")
    var event: Int64?

    @Option(help: "Rebuild only the feed of the organizer with this numeric id.")
    var organizer: Int64?

    @Flag(help: "Rebuild everything, then keep following changes (one per node, next to its tracker).")
    var follow = false

    func validate() throws {
        let chosen = [all, event != nil, organizer != nil, follow].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("Pass exactly one of --all, --event ID, --organizer ID or --follow.") }
    }

    func run() async throws {
        var config = ServeConfig()
        site.apply(to: &config)
        let logger = Logger(label: "attendify.generate")
        let dependencies = try await AppDependencies.build(config: config, logger: logger)
        defer { dependencies.database.close() }
        if follow {
            let follower = SiteFollower(generator: dependencies.generator, database: dependencies.database, logger: logger)
            let group = ServiceGroup(
                configuration: .init(
                    services: [FollowerService(follower: follower, output: config.outputDirectory)],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            return
        }
        let started = ContinuousClock.now
        if let event {
            try dependencies.generator.publish(eventID: event)
            print("Published event \(event) into \(config.outputDirectory)")
        } else if let organizer {
            guard try dependencies.database.feedOwner(userID: organizer) != nil else {
                throw ValidationError("no organizer with id \(organizer)")
            }
            try dependencies.generator.syncFeed(userID: organizer)
            print("Published the feed of organizer \(organizer) into \(config.outputDirectory)")
        } else {
            let report = try dependencies.generator.publishAll()
            let elapsed = ContinuousClock.now - started
            print("Published \(report.published) event(s) and \(report.feeds) organizer feed(s), removed \(report.removed) stale, in \(elapsed) into \(config.outputDirectory)")
        }
    }
}

/// The follower as a service: runs until a graceful shutdown (SIGTERM/SIGINT) cancels it.
struct FollowerService: Service {
    let follower: SiteFollower
    let output: String

    func run() async throws {
        let output = self.output
        await cancelWhenGracefulShutdown {
            await follower.run(onCaughtUp: { FileHandle.standardOutput.write(Data("Following changes into \(output)\n".utf8)) })
        }
    }
}
