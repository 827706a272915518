import Foundation
import PackagePlugin

/// Embeds every file under `Templates/` and `Panel/` into the `Assets` target, so the installed
/// binary needs no source checkout beside it. The files are inputs of the build command, so an
/// edited template or panel file re-embeds on the next build.
@main
struct EmbedAssets: BuildToolPlugin {
    static let folders = ["Templates", "Panel"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        for folder in Self.folders {
            let base = root.appending(path: folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                inputs.append(url)
            }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(Self.folders.joined(separator: " and ")) (\(inputs.count) files)",
                executable: try context.tool(named: "AssetEmbedder").url,
                arguments: [root.path, output.path] + Self.folders,
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
