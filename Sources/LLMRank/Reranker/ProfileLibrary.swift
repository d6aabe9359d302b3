import Foundation
import Yams

/// The shipped profiles by name, and the way to a user's own profile file.
///
/// Shipped profiles live as YAML in `profiles/` at the top of the repository and are compiled into
/// the library as text (`ShippedProfiles.swift`, generated; a test keeps the two identical), like
/// the prompts, so the `llmrank` binary finds them wherever it is copied.
public enum ProfileLibrary {
    /// The names of the shipped profiles, sorted.
    public static var shippedNames: [String] { ShippedProfiles.files.map(\.name) }

    /// A shipped profile by name, validated.
    public static func named(_ name: String) throws -> RerankerConfiguration {
        guard let yaml = shippedYAML(named: name) else {
            throw LLMRankError(.invalidProfile,
                               "no shipped profile named '\(name)' (shipped: \(shippedNames.joined(separator: ", ")))")
        }
        return try ProfileLoader.load(yaml: yaml, file: "profiles/\(name).yaml", directory: nil)
    }

    /// The YAML text of a shipped profile, exactly as in `profiles/NAME.yaml`.
    public static func shippedYAML(named name: String) -> String? {
        ShippedProfiles.files.first(where: { $0.name == name })?.yaml
    }

    /// A shipped profile when `nameOrPath` is one of `shippedNames`, else the profile file at that path.
    public static func resolve(_ nameOrPath: String) throws -> RerankerConfiguration {
        if shippedYAML(named: nameOrPath) != nil { return try named(nameOrPath) }
        let looksLikePath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml")
        guard looksLikePath || FileManager.default.fileExists(atPath: nameOrPath) else { return try named(nameOrPath) }
        return try load(path: nameOrPath)
    }

    /// A user's profile file, validated; errors name the file, line and field.
    public static func load(path: String) throws -> RerankerConfiguration {
        try ProfileLoader.load(contentsOf: URL(fileURLWithPath: path))
    }

    /// Parses and validates profile text; `file` names it in errors, and relative prompt paths are
    /// looked for in `directory` (the current folder when nil).
    public static func parse(yaml: String, file: String = "<profile>", directory: URL? = nil) throws -> RerankerConfiguration {
        try ProfileLoader.load(yaml: yaml, file: file, directory: directory)
    }

    /// The configuration as profile YAML (what `-v` and `profiles show` print, what `tune`
    /// writes). A PostgreSQL store's password is replaced by `***`: printed profiles end up in
    /// logs, so the password stays in the flag, the variable or the file the user wrote.
    public static func yaml(_ configuration: RerankerConfiguration) throws -> String {
        var printed = configuration
        if case .postgres(let url) = configuration.store { printed.store = .postgres(url: PostgresURL.redact(url)) }
        return try YAMLEncoder().encode(printed)
    }
}
