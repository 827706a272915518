import Foundation
import Generator
import TestSupport
import Testing

@Suite struct TemplateCheckTests {
    @Test func shippedTemplatesPass() async throws {
        let findings = TemplateCheck(templates: try await GeneratorFixtures.templates()).run()
        #expect(findings.isEmpty, "\(findings)")
    }

    func check(widget: String) async throws -> [TemplateCheck.Finding] {
        let folder = try TemporaryDirectory()
        try widget.write(toFile: folder.file("widget.mustache"), atomically: true, encoding: .utf8)
        return TemplateCheck(templates: try await TemplateLibrary.load(directory: folder.path)).run()
    }

    @Test func mismatchedTagsAreReportedWithALine() async throws {
        let findings = try await check(widget: "<!DOCTYPE html>\n<html><body>\n<div>{{title}}</span></div>\n</body></html>")
        #expect(findings.contains { $0.line == 3 && $0.message.contains("Unexpected end tag : span") })
    }

    @Test func unknownTagsAndBrokenAttributesAreReported() async throws {
        let findings = try await check(widget: "<!DOCTYPE html>\n<html><body>\n<bogus>{{title}}</bogus><a href=\"x>y</a>\n</body></html>")
        #expect(findings.contains { $0.message.contains("Tag bogus invalid") })
        #expect(findings.contains { $0.message.contains("AttValue") })
    }

    @Test func unescapedOutputIsCaught() async throws {
        let findings = try await check(widget: "<!DOCTYPE html>\n<html><body><h1>{{{title}}}</h1></body></html>")
        #expect(findings.contains { $0.message.contains("<script>") || $0.message.contains("unescaped") })
    }

    @Test func scriptsAndHandlersAreRefused() async throws {
        let findings = try await check(
            widget: "<!DOCTYPE html>\n<html><body><a href=\"javascript:x()\" onclick=\"y()\">{{title}}</a><script>z()</script></body></html>")
        let messages = findings.map(\.message)
        #expect(messages.contains { $0.contains("javascript: URL") })
        #expect(messages.contains { $0.contains("onclick") })
        #expect(messages.contains { $0.contains("<script>") })
    }

    @Test func missingTemplateFolderFailsLoudly() async throws {
        await #expect(throws: TemplateLibrary.LoadError.self) {
            _ = try await TemplateLibrary.load(directory: "/nonexistent/templates")
        }
    }

    @Test func aTemplateWithoutSampleDataIsAFinding() async throws {
        let folder = try TemporaryDirectory()
        try "<p>{{title}}</p>".write(toFile: folder.file("extra.mustache"), atomically: true, encoding: .utf8)
        try String(contentsOfFile: "\(PackagePaths.templates)/widget.mustache", encoding: .utf8)
            .write(toFile: folder.file("widget.mustache"), atomically: true, encoding: .utf8)
        let findings = TemplateCheck(templates: try await TemplateLibrary.load(directory: folder.path)).run()
        #expect(findings.map(\.template) == ["extra"])
    }
}

@Suite struct StyleEntityTests {
    @Test func anEscapedQuoteInsideStyleIsAFinding() async throws {
        let folder = try TemporaryDirectory()
        try "<!DOCTYPE html>\n<html><head><style>body{font:{{title}}}</style></head><body>x</body></html>"
            .write(toFile: folder.file("widget.mustache"), atomically: true, encoding: .utf8)
        let findings = TemplateCheck(templates: try await TemplateLibrary.load(directory: folder.path)).run()
        #expect(findings.contains { $0.message.contains("inside <style>") })
    }
}
