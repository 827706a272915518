import ArgumentParser

/// The one `attendify` executable: each subcommand parses its flags and hands a plain config to a builder.
@main
struct Attendify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Attendify: the \"Add to calendar\" widget service.",
        discussion: """
            Widgets and .ics files are generated into the output folder and served as plain files; only \
            click tracking and the organizer API are dynamic. Every flag has an ATTENDIFY_* environment \
            fallback, shown in each command's --help.
            """,
        subcommands: [
            ServeCommand.self, APICommand.self, TrackCommand.self, GenerateCommand.self, CheckTemplatesCommand.self, MigrateCommand.self,
            NginxConfigCommand.self, BackupCommand.self, RestoreCommand.self, MigrateToPostgresCommand.self,
        ])

    static func main() async {
        MemoryArenas.limit()  // before any thread allocates
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
