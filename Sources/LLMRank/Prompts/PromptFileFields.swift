import Foundation
import Mustache
import Yams

extension PromptFileParser {
    /// The fields of a mapping. `line` is where errors about the mapping as a whole point: the
    /// line of the key that holds it (nil for the top level, whose missing fields have no line).
    func fields(of node: Node, path: String?, allowed: [String], line: Int? = nil) throws -> Fields {
        guard case .mapping(let mapping) = node else {
            throw failure(node, path, "must be a mapping of \(allowed.joined(separator: ", "))")
        }
        var entries: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw failure(key, path, "keys must be plain names") }
            let qualified = path.map { "\($0).\(name)" } ?? name
            guard allowed.contains(name) else {
                throw failure(key, nil, "unknown field '\(qualified)' (expected \(path.map { "in \($0): " } ?? "")\(allowed.joined(separator: ", ")))")
            }
            guard entries[name] == nil else { throw failure(key, qualified, "appears twice") }
            entries[name] = (key, value)
        }
        return Fields(parser: self, node: node, path: path, line: line, entries: entries)
    }

    /// One mapping of the file, with typed accessors that fail with file, line and field.
    struct Fields {
        let parser: PromptFileParser
        let node: Node
        let path: String?
        let line: Int?
        let entries: [String: (key: Node, value: Node)]

        /// The fields of the mapping under `key`.
        func nested(_ key: String, allowed: [String]) throws -> Fields {
            let value = try required(key)
            return try parser.fields(of: value, path: qualified(key), allowed: allowed, line: entries[key]?.key.mark?.line)
        }

        subscript(key: String) -> Node? { entries[key]?.value }

        func qualified(_ key: String) -> String { path.map { "\($0).\(key)" } ?? key }

        func required(_ key: String) throws -> Node {
            guard let value = self[key] else {
                throw parser.failure(line, nil, "missing field '\(qualified(key))'")
            }
            return value
        }

        func string(_ key: String) throws -> String {
            let value = try required(key)
            guard let scalar = value.scalar, value.resolvedTag != .null else {
                throw parser.failure(value, qualified(key), "must be a single value (text)")
            }
            return scalar.string
        }

        func optionalString(_ key: String) throws -> String? {
            guard self[key] != nil else { return nil }
            return try string(key)
        }

        func int(_ key: String) throws -> Int {
            let value = try required(key)
            guard let i = value.int, value.resolvedTag == .int else {
                throw parser.failure(value, qualified(key), "'\(value.scalar?.string ?? "?")' is not an integer")
            }
            return i
        }

        func optionalNumber(_ key: String) throws -> Double? {
            guard let value = self[key] else { return nil }
            guard let d = value.float, value.resolvedTag == .int || value.resolvedTag == .float else {
                throw parser.failure(value, qualified(key), "'\(value.scalar?.string ?? "?")' is not a number")
            }
            return d
        }

        func sequence(_ key: String) -> [Node]? {
            guard case .sequence(let s)? = self[key] else { return nil }
            return Array(s)
        }

        /// A regular expression with exactly one capture group (`what` it captures, for the error).
        func regex(_ key: String, what: String) throws -> String {
            let path = qualified(key)
            let pattern = try string(key)
            let expression: NSRegularExpression
            do {
                expression = try NSRegularExpression(pattern: pattern)
            } catch {
                throw parser.failure(self[key], path, "'\(pattern)' is not a valid regular expression")
            }
            guard expression.numberOfCaptureGroups == 1 else {
                throw parser.failure(self[key], path, "the pattern must have exactly one capture group (\(what)); it has \(expression.numberOfCaptureGroups)")
            }
            return pattern
        }

        func template(_ key: String, allowEmpty: Bool, input: PromptInput) throws -> TemplateField {
            let value = try required(key)
            guard case .scalar(let scalar) = value else {
                throw parser.failure(value, key, "must be text (a Mustache template; a '|' block keeps it readable)")
            }
            var text = scalar.string
            while text.last?.isNewline == true { text.removeLast() }
            guard allowEmpty || !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw parser.failure(value, key, "must not be empty")
            }
            return TemplateField(parser: parser, name: key, node: value, style: scalar.style, text: text,
                                 input: input)
        }
    }

    /// A template field: its text and how to turn a template line into a file line.
    struct TemplateField {
        let parser: PromptFileParser
        let name: String
        let node: Node
        let style: Node.Scalar.Style
        let text: String
        /// What the prompt's templates insert.
        let input: PromptInput

        /// The file line of a template line: exact for literal blocks (`|`, `|-`), whose text
        /// starts on the line after the indicator; for folded and flow scalars only the first
        /// line is known (their line breaks are folded), later ones are reported as template lines.
        func fileLine(_ templateLine: Int) -> Int? {
            guard let mark = node.mark else { return nil }
            switch style {
            case .literal: return mark.line + templateLine
            case .folded: return templateLine == 1 ? mark.line + 1 : nil
            default: return templateLine == 1 ? mark.line : nil
            }
        }

        func failure(_ templateLine: Int, _ message: String) -> LLMRankError {
            if let line = fileLine(templateLine) {
                return parser.failure(line, name, message)
            }
            return parser.failure(node.mark?.line, name, "template line \(templateLine): \(message)")
        }

        func tags() throws -> [TemplateScanner.Tag] {
            do {
                return try TemplateScanner.scan(text)
            } catch {
                throw failure(error.line, error.message)
            }
        }

        /// swift-mustache's own parse, for anything the scanner lets through.
        func checkMustacheSyntax() throws {
            do {
                _ = try MustacheTemplate(string: text)
            } catch let error as MustacheTemplate.ParserError {
                throw failure(error.context.lineNumber, "Mustache syntax error at column \(error.context.columnNumber): \(error.error)")
            }
        }
    }
}

extension Node {
    /// The tag the resolver gave this node (`Tag.name` is internal to Yams).
    var resolvedTag: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
