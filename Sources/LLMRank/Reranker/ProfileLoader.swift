import Foundation
import Yams

extension LLMRankError.Kind {
    /// A profile file fails validation (unknown field, wrong type, a value out of range).
    public static let invalidProfile = LLMRankError.Kind(rawValue: "invalid-profile")
}

/// Reads profile files: YAML that is a `RerankerConfiguration`. Validated like prompt files: an
/// error names the file, the line and the field (`fast.yaml:7: judge.window: must be between 2 and
/// 100, got 1`); unknown fields are errors, so a typo never passes silently.
enum ProfileLoader {
    /// Parses and validates `yaml`. `file` names it in errors; `directory`, when given, is where a
    /// relative prompt path in the profile is looked for.
    static func load(yaml: String, file: String, directory: URL?) throws -> RerankerConfiguration {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw LLMRankError(.invalidProfile, "\(file): the profile is empty")
            }
            root = node
        } catch let error as YamlError {
            throw LLMRankError(.invalidProfile, "\(file): invalid YAML: \(Self.describe(error))")
        }
        var configuration: RerankerConfiguration
        do {
            configuration = try YAMLDecoder().decode(RerankerConfiguration.self, from: root)
        } catch let error as DecodingError {
            let (path, message) = Self.describe(error)
            throw failure(file, root, path, message)
        }
        if let directory, let prompt = configuration.judge?.prompt, !PromptLibrary.shippedNames.contains(prompt),
           !prompt.hasPrefix("/")
        {
            configuration.judge?.prompt = directory.appendingPathComponent(prompt).standardizedFileURL.path
        }
        do {
            try configuration.checkFields()
        } catch let fault as ConfigurationFault {
            throw failure(file, root, fault.path, fault.message)
        } catch let error as LLMRankError {
            throw LLMRankError(.invalidProfile, "\(file):\(Self.line(of: ["judge", "prompt"], in: root).map(String.init) ?? "?"): judge.prompt: \(error.message)")
        }
        return configuration
    }

    /// Reads and validates the profile file at `url`.
    static func load(contentsOf url: URL) throws -> RerankerConfiguration {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw LLMRankError(.invalidProfile, "\(url.path): cannot read the profile: \((error as NSError).localizedDescription)")
        }
        return try load(yaml: text, file: url.path, directory: url.deletingLastPathComponent())
    }

    static func failure(_ file: String, _ root: Node, _ path: [String], _ message: String) -> LLMRankError {
        let line = Self.line(of: path, in: root).map { ":\($0)" } ?? ""
        let field = path.isEmpty ? "" : path.joined(separator: ".") + ": "
        return LLMRankError(.invalidProfile, "\(file)\(line): \(field)\(message)")
    }

    /// The line of the deepest node on `path` that the file has (the key's line for a mapping entry).
    static func line(of path: [String], in root: Node) -> Int? {
        var node = root
        var line = root.mark?.line
        for component in path {
            switch node {
            case .mapping(let mapping):
                guard let pair = mapping.first(where: { $0.key.string == component }) else { return line }
                line = pair.key.mark?.line ?? line
                node = pair.value
            case .sequence(let items):
                guard let i = Int(component), items.indices.contains(i) else { return line }
                node = items[i]
                line = node.mark?.line ?? line
            default:
                return line
            }
        }
        return line
    }

    /// The field path and a readable message of a decoding error.
    static func describe(_ error: DecodingError) -> ([String], String) {
        func path(_ keys: [any CodingKey]) -> [String] { keys.map { $0.intValue.map(String.init) ?? $0.stringValue } }
        switch error {
        case .typeMismatch(let type, let context):
            return (path(context.codingPath), "expected \(Self.typeName(type))")
        case .valueNotFound(let type, let context):
            return (path(context.codingPath), "expected \(Self.typeName(type)), found nothing")
        case .keyNotFound(let key, let context):
            return (path(context.codingPath + [key]), "missing")
        case .dataCorrupted(let context):
            return (path(context.codingPath), context.debugDescription)
        @unknown default:
            return ([], "\(error)")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "a mapping of fields"
        }
    }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)"
        default:
            return "\(error)"
        }
    }
}
