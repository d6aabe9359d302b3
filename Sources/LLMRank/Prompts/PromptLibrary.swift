import Foundation

/// The shipped prompts by name, and the way to a user's own prompt file.
///
/// Shipped prompts live as YAML in `prompts/` at the top of the repository, and are compiled into
/// the library as text (`ShippedPrompts.swift`, generated; a test keeps the two identical). The
/// `llmrank` binary then finds them wherever it is copied, without a resource bundle next to it.
public enum PromptLibrary {
    /// The names of the shipped prompts, sorted.
    public static var shippedNames: [String] { ShippedPrompts.files.map(\.name) }

    /// The shipped prompt of a method that llmrank uses when none is named.
    public static func defaultName(for method: JudgeMethod) -> String {
        MethodRegistry.strategy(named: method.rawValue)?.defaultPrompt ?? method.rawValue
    }

    /// Every shipped prompt, loaded, in name order.
    public static func shipped() throws -> [PromptTemplate] {
        try shippedNames.map { try named($0) }
    }

    /// A shipped prompt by name.
    public static func named(_ name: String) throws -> PromptTemplate {
        guard let loaded = parsed[name] else {
            throw LLMRankError(.invalidPrompt,
                               "no shipped prompt named '\(name)' (shipped: \(shippedNames.joined(separator: ", "))); pass a YAML file path to use your own")
        }
        return try loaded.get()
    }

    /// The YAML text of a shipped prompt, exactly as in `prompts/NAME.yaml`.
    public static func shippedYAML(named name: String) -> String? {
        ShippedPrompts.files.first(where: { $0.name == name })?.yaml
    }

    /// A shipped prompt when `nameOrPath` is one of `shippedNames`, else the prompt file at that
    /// path (`--prompt FILE`). A path that names a missing file is an error naming the path.
    public static func resolve(_ nameOrPath: String) throws -> PromptTemplate {
        if parsed[nameOrPath] != nil { return try named(nameOrPath) }
        let looksLikePath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml")
        guard looksLikePath || FileManager.default.fileExists(atPath: nameOrPath) else {
            return try named(nameOrPath)
        }
        return try load(path: nameOrPath)
    }

    /// A user's prompt file.
    public static func load(path: String) throws -> PromptTemplate {
        try PromptTemplate.load(contentsOf: URL(fileURLWithPath: path))
    }

    /// Parsed once per process; a shipped file that fails validation fails its tests, and here
    /// reports the same error as a user's file would.
    private static let parsed: [String: Result<PromptTemplate, LLMRankError>] = {
        var result: [String: Result<PromptTemplate, LLMRankError>] = [:]
        for file in ShippedPrompts.files {
            let path = "prompts/\(file.name).yaml"
            do {
                result[file.name] = .success(try PromptTemplate.load(yaml: file.yaml, file: path))
            } catch let error as LLMRankError {
                result[file.name] = .failure(error)
            } catch {
                result[file.name] = .failure(LLMRankError(.invalidPrompt, "\(path): \(error)"))
            }
        }
        return result
    }()
}
