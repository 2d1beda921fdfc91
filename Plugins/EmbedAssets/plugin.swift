import Foundation
import PackagePlugin

/// Compiles the files of the package's `public/` folder into the target as `PublicFiles.swift`, so the binary
/// carries its CSS, JavaScript and icons and serves them without touching the disk.
@main
struct EmbedAssets: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "public")
        let names = (FileManager.default.subpaths(atPath: folder.path) ?? []).sorted()
        let inputs = names.map { folder.appending(path: $0) }.filter { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "PublicFiles.swift")
        return [.buildCommand(displayName: "Embedding public/ (\(inputs.count) files)",
                              executable: try context.tool(named: "embed-assets").url,
                              arguments: [folder.path, output.path],
                              inputFiles: inputs,
                              outputFiles: [output])]
    }
}
