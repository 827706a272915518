import ArgumentParser
import Foundation
import Generator

/// `attendify check-templates`: CI's guard against broken or unsafe templates.
struct CheckTemplatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-templates",
        abstract: "Render every template with sample and hostile data and validate the HTML with libxml2.",
        discussion: "Prints template, sample, line and message for each problem and exits non-zero if there is any.")

    @Option(help: ArgumentHelp(SiteOptions.templatesHelp))
    var templates: String?

    func run() async throws {
        let library = try await TemplateLibrary.load(directory: SiteOptions.templatesFolder(flag: templates))
        let directory = library.origin
        let findings = TemplateCheck(templates: library).run()
        for finding in findings { print(finding) }
        guard findings.isEmpty else {
            print("check-templates: \(findings.count) problem(s) in \(directory)")
            throw ExitCode.failure
        }
        print("check-templates: \(library.names.count) template(s) in \(directory) render valid, safe HTML")
    }
}
