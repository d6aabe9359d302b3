import Foundation

/// YAML files shipped in a folder of the repository (prompts/, profiles/) and compiled into the
/// library as a generated Swift file; the tests keep the two identical and regenerate the Swift file
/// on request.
struct EmbeddedYAMLFiles {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder under the package root (`prompts`).
    var folder: String
    /// The generated file, relative to the package root.
    var generatedPath: String
    /// The Swift enum the generated file declares.
    var enumName: String
    /// The environment variable that asks for regeneration, and the suite that does it.
    var updateVariable: String
    var suite: String

    var directory: URL { Self.packageRoot.appendingPathComponent(folder) }
    var generatedFile: URL { Self.packageRoot.appendingPathComponent(generatedPath) }
    var regenerate: String { "run \(updateVariable)=1 swift test --filter \(suite)" }
    var updateRequested: Bool { ProcessInfo.processInfo.environment[updateVariable] == "1" }

    /// The YAML files on disk, by name without the extension, sorted.
    func filesOnDisk() throws -> [(name: String, yaml: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        return try names.map { (String($0.dropLast(5)), try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// The Swift source embedding `files`, as committed.
    func generate(_ files: [(name: String, yaml: String)]) -> String {
        var out = """
            // Generated from \(folder)/*.yaml by `\(updateVariable)=1 swift test --filter \(suite)`.
            // Do not edit: edit the YAML file and regenerate; a test fails while the two differ.

            enum \(enumName) {
                static let files: [(name: String, yaml: String)] = [

            """
        for file in files {
            var hashes = "#"
            while file.yaml.contains("\"\"\"" + hashes) || file.yaml.contains("\\" + hashes) { hashes += "#" }
            out += "        (\"\(file.name)\", \(hashes)\"\"\"\n\(file.yaml)\n\"\"\"\(hashes)),\n"
        }
        out += "    ]\n}\n"
        return out
    }

    /// Writes the generated file from the files on disk.
    func update() throws {
        try generate(try filesOnDisk()).write(to: generatedFile, atomically: true, encoding: .utf8)
    }

    /// The committed generated file.
    func committed() throws -> String { try String(contentsOf: generatedFile, encoding: .utf8) }
}
