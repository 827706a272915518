import Foundation
import Generator
import Server
import TestSupport
import Testing

/// The installed binary needs no checkout: with no templates or panel folder configured, `serve`
/// renders with the templates embedded in the binary and serves the embedded panel, byte for
/// byte what the checkout holds; a configured folder's files win over the embedded ones.
@Suite struct EmbeddedAssetsTests {
    static let panelRoot = "\(PackagePaths.root)/Panel"

    /// Every servable file under Panel/ (relative path), as PanelController serves them.
    static func panelFiles() throws -> [String] {
        let servable: Set<String> = ["html", "js", "css", "json", "svg", "png", "ico"]
        let walker = try #require(FileManager.default.enumerator(atPath: panelRoot))
        return walker.compactMap { $0 as? String }
            .filter { servable.contains(($0 as NSString).pathExtension) && !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
            .sorted()
    }

    @Test func embeddedTemplatesAreTheCheckoutsAndPassTheCheck() async throws {
        let embedded = try TemplateLibrary.loadEmbedded()
        let folder = try await TemplateLibrary.load(directory: PackagePaths.templates)
        #expect(embedded.names == folder.names)
        #expect(embedded.origin == TemplateLibrary.embeddedOrigin)
        #expect(try await TemplateLibrary.load(directory: nil).names == folder.names)
        let findings = TemplateCheck(templates: embedded).run()
        #expect(findings.isEmpty, "\(findings)")
    }

    @Test func aMissingTemplatesFolderIsAnErrorNotTheEmbeddedCopy() async throws {
        await #expect(throws: TemplateLibrary.LoadError.self) {
            _ = try await TemplateLibrary.load(directory: "/nonexistent/templates")
        }
    }

    @Test func serveWithoutFoldersServesTheEmbeddedPanelAndTemplates() async throws {
        let files = try Self.panelFiles()
        #expect(files.contains("index.html") && files.contains("app.js"))
        try await withRunningServer(configure: { config in
            config.panelDirectory = nil
            config.templatesDirectory = nil
        }) { client, site in
            #expect(try await client.get("/widget/event/\(site.publicID)").status == 200)
            for file in files {
                let response = try await client.get("/\(file)")
                #expect(response.status == 200, "\(file)")
                let disk = try Data(contentsOf: URL(fileURLWithPath: "\(Self.panelRoot)/\(file)"))
                #expect(response.body == Array(disk), "\(file) differs from Panel/\(file)")
            }
            let root = try await client.get("/")
            let index = try await client.get("/index.html")
            #expect(root.body == index.body)
            #expect(root.header("Content-Type") == "text/html; charset=utf-8")
            #expect(root.header("Cache-Control") == "no-cache")
            #expect(root.header("X-Frame-Options") == "DENY")
            #expect(root.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
            #expect(try await client.get("/app.js").header("Content-Type") == "text/javascript; charset=utf-8")
            #expect(try await client.get("/styles.css").header("Content-Type") == "text/css; charset=utf-8")
            // Developers' notes and anything outside the panel are not served.
            #expect(try await client.get("/README.md").status == 404)
            #expect(try await client.get("/../Package.swift").status == 404)
            #expect(try await client.get("/nothing-here.js").status == 404)
        }
    }

    @Test func embeddedPanelFilesRevalidateByETag() async throws {
        try await withRunningServer(demo: false, configure: { $0.panelDirectory = nil }) { client, _ in
            let first = try await client.get("/app.js")
            let etag = try #require(first.header("ETag"))
            let again = try await client.get("/app.js", headers: [("If-None-Match", etag)])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            #expect(again.header("ETag") == etag)
            #expect(try await client.get("/app.js", headers: [("If-None-Match", "W/\(etag)")]).status == 304)
            #expect(try await client.get("/app.js", headers: [("If-None-Match", "\"other\"")]).status == 200)
            // The tag follows the content, so the folder and the binary agree on it.
            try await withRunningServer(demo: false) { folderClient, _ in
                let fromFolder = try await folderClient.get("/app.js")
                #expect(fromFolder.header("ETag") == etag)
            }
            let head = try await client.send("HEAD", "/app.js")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.header("ETag") == etag)
            #expect(head.header("Content-Length") == String(first.body.count))
        }
    }

    @Test func aPanelFolderReplacesTheEmbeddedPanel() async throws {
        let folder = try TemporaryDirectory()
        try "<!DOCTYPE html><title>Custom panel</title>".write(toFile: folder.file("index.html"), atomically: true, encoding: .utf8)
        try await withRunningServer(demo: false, configure: { $0.panelDirectory = folder.path }) { client, _ in
            let index = try await client.get("/")
            #expect(index.text.contains("Custom panel"))
            // The folder is the whole panel: no file falls back to the embedded copy.
            let script = try await client.get("/app.js")
            #expect(script.status == 404)
        }
    }

    @Test func aTemplatesFolderReplacesTheEmbeddedTemplates() async throws {
        let folder = try TemporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: PackagePaths.templates) {
            try FileManager.default.copyItem(atPath: "\(PackagePaths.templates)/\(name)", toPath: folder.file(name))
        }
        let widget = try String(contentsOfFile: folder.file("widget.mustache"), encoding: .utf8)
        #expect(widget.contains("</body>"))
        try widget.replacingOccurrences(of: "</body>", with: "<p>From the folder's template</p></body>")
            .write(toFile: folder.file("widget.mustache"), atomically: true, encoding: .utf8)
        try await withRunningServer(configure: { $0.templatesDirectory = folder.path }) { client, site in
            let widget = try await client.get("/widget/event/\(site.publicID)")
            #expect(widget.text.contains("From the folder's template"))
        }
    }

    @Test func folderPrecedenceIsFlagThenEnvironmentThenLocalFolderThenEmbedded() throws {
        let folder = try TemporaryDirectory()
        try "x".write(toFile: folder.file("a-file"), atomically: true, encoding: .utf8)
        #expect(ServeConfig.assetFolder(flag: "/flag", environment: "/env", local: folder.path) == "/flag")
        #expect(ServeConfig.assetFolder(flag: nil, environment: "/env", local: folder.path) == "/env")
        #expect(ServeConfig.assetFolder(flag: nil, environment: nil, local: folder.path) == folder.path)
        #expect(ServeConfig.assetFolder(flag: nil, environment: nil, local: folder.file("missing")) == nil)
        #expect(ServeConfig.assetFolder(flag: nil, environment: nil, local: folder.file("a-file")) == nil)
        // A named folder is used even when it is missing: that is an error at start, not a fallback.
        #expect(ServeConfig.assetFolder(flag: "/missing", environment: nil, local: folder.path) == "/missing")
    }
}
