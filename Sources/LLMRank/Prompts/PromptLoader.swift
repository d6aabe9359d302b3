import Foundation
import Mustache
import Yams

extension PromptTemplate {
    /// Loads and validates a prompt file. Every failure is an `LLMRankError(.invalidPrompt, ...)`
    /// whose message starts with `file:line:` (line where the YAML gives one) and names the field
    /// and placeholder at fault:
    /// `prompts/x.yaml:9: field 'user': placeholder 'docment' is not one of query, document`.
    public static func load(contentsOf url: URL) throws -> PromptTemplate {
        let file = url.isFileURL ? url.relativePath : url.absoluteString
        let yaml: String
        do {
            yaml = try String(contentsOf: url, encoding: .utf8)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw LLMRankError(.invalidPrompt, "\(file): cannot read the prompt file: \(reason)")
        }
        return try load(yaml: yaml, file: file)
    }

    /// Loads and validates a prompt from YAML text; `file` names it in errors and in `source`.
    public static func load(yaml: String, file: String) throws -> PromptTemplate {
        try PromptFileParser(file: file).parse(yaml)
    }
}

/// The validation behind `PromptTemplate.load`: walks the YAML node tree (Yams keeps line marks
/// on nodes) and turns every problem into one `invalidPrompt` error with file, line and field.
struct PromptFileParser {
    let file: String

    static let topFields = ["name", "method", "version", "description", "placeholders", "system", "user",
                            "repair", "output", "rubric"]

    // MARK: Errors

    func failure(_ line: Int?, _ field: String?, _ message: String) -> LLMRankError {
        var location = file
        if let line { location += ":\(line)" }
        let prefix = field.map { "field '\($0)': " } ?? ""
        return LLMRankError(.invalidPrompt, "\(location): \(prefix)\(message)")
    }

    func failure(_ node: Node?, _ field: String?, _ message: String) -> LLMRankError {
        failure(node?.mark?.line, field, message)
    }

    // MARK: Top level

    func parse(_ yaml: String) throws -> PromptTemplate {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw failure(nil as Int?, nil, "the file is empty; a prompt needs name, method, version, placeholders, system, user and repair")
            }
            root = node
        } catch let error as YamlError {
            throw yamlFailure(error)
        }
        let top = try fields(of: root, path: nil, allowed: Self.topFields)

        let name = try top.string("name")
        guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]*$"#, options: .regularExpression) != nil else {
            throw failure(top["name"], "name", "'\(name)' is not a valid prompt name (letters, digits, '.', '_', '-')")
        }
        let methodText = try top.string("method")
        guard let method = JudgeMethod(rawValue: methodText) else {
            throw failure(top["method"], "method", "'\(methodText)' is not one of \(JudgeMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let version = try top.string("version")
        guard !version.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw failure(top["version"], "version", "must not be empty")
        }
        let summary = try top.optionalString("description")
        let placeholders = try declaredPlaceholders(top, method: method)

        let system = try top.template("system", allowEmpty: true, method: method)
        let user = try top.template("user", allowEmpty: false, method: method)
        let repair = try top.template("repair", allowEmpty: false, method: method)
        let usage = try checkTemplates(system: system, user: user, repair: repair, method: method,
                                       declared: placeholders, top: top)
        for (placeholder, node) in zip(placeholders, top.sequence("placeholders") ?? [])
        where !usage.all.contains(placeholder) {
            throw failure(node, "placeholders", "placeholder '\(placeholder)' is declared but never used in system, user or repair")
        }
        try checkEssentials(usage, method: method, user: user)

        if method != .aspects, let rubric = top["rubric"] {
            throw failure(rubric, "rubric", "only aspects prompts have a rubric; this prompt is \(method)")
        }
        let output: OutputContract
        switch method {
        case .pointwise: output = try pointwiseOutput(top)
        case .aspects: output = try aspectsOutput(top)
        case .yesno: output = try yesnoOutput(top)
        case .listwise: output = try listwiseOutput(top)
        }

        do {
            return try PromptTemplate(
                name: name, method: method, version: version, summary: summary, placeholders: placeholders,
                systemTemplate: system.text, userTemplate: user.text, repairTemplate: repair.text,
                output: output, source: file)
        } catch {
            // The templates parsed in checkTemplates; a failure here is a bug, still reported readably.
            throw failure(root, nil, "cannot compile the templates: \(error)")
        }
    }

    private func yamlFailure(_ error: YamlError) -> LLMRankError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let where_ = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return LLMRankError(.invalidPrompt, "\(file):\(mark.line):\(mark.column): invalid YAML: \(problem)\(where_)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return LLMRankError(.invalidPrompt, "\(file):\(context.mark.line): field \(keys) appears twice")
        case .reader(let problem, let offset, _, _):
            return LLMRankError(.invalidPrompt, "\(file): invalid YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "")")
        default:
            return LLMRankError(.invalidPrompt, "\(file): invalid YAML: \(error)")
        }
    }

    // MARK: Placeholders and templates

    private func declaredPlaceholders(_ top: Fields, method: JudgeMethod) throws -> [String] {
        guard let items = top.sequence("placeholders") else {
            guard let node = top["placeholders"] else {
                throw failure(nil as Int?, nil, "missing field 'placeholders' (a list, for \(method): \(method.allowedPlaceholders.joined(separator: ", ")))")
            }
            throw failure(node, "placeholders", "must be a list such as [\(method.allowedPlaceholders.joined(separator: ", "))]")
        }
        var seen: [String] = []
        for item in items {
            guard let name = item.scalar?.string else {
                throw failure(item, "placeholders", "every entry must be a placeholder name")
            }
            if method == .listwise, name == "rank" || name == "text" {
                throw failure(item, "placeholders", "'\(name)' is a field of each of 'documents': declare 'documents' and use {{\(name)}} inside {{#documents}}...{{/documents}}")
            }
            guard method.allowedPlaceholders.contains(name) else {
                throw failure(item, "placeholders", "placeholder '\(name)' is not allowed for \(method) prompts (allowed: \(method.allowedPlaceholders.joined(separator: ", ")))")
            }
            guard !seen.contains(name) else {
                throw failure(item, "placeholders", "placeholder '\(name)' is declared twice")
            }
            seen.append(name)
        }
        return seen
    }

    /// Checks every tag of the three templates against the method and the declaration; returns
    /// which placeholders are used where.
    private func checkTemplates(system: TemplateField, user: TemplateField, repair: TemplateField,
                                method: JudgeMethod, declared: [String], top: Fields) throws -> TemplateUsage
    {
        var used = Set<String>()
        var usedByField: [String: Set<String>] = [:]
        var documentsText = false
        for field in [system, user, repair] {
            let allowed = field.name == "repair" ? method.repairPlaceholders : method.allowedPlaceholders
            var inDocuments = false
            for tag in try field.tags() {
                switch tag.kind {
                case .comment:
                    continue
                case .section, .invertedSection:
                    guard tag.name == "documents", method == .listwise else {
                        throw field.failure(tag.line, "'{{#\(tag.name)}}': sections are only for 'documents' in listwise prompts")
                    }
                    guard field.name != "repair" else {
                        throw field.failure(tag.line, "placeholder 'documents' cannot be used in 'repair' (allowed: \(allowed.joined(separator: ", ")))")
                    }
                    guard !inDocuments else {
                        throw field.failure(tag.line, "'{{#documents}}' cannot be nested")
                    }
                    try requireDeclared(tag, declared: declared, field: field)
                    inDocuments = tag.kind == .section
                    used.insert("documents")
                    usedByField[field.name, default: []].insert("documents")
                case .sectionEnd:
                    inDocuments = false
                case .variable:
                    if inDocuments, tag.name == "rank" || tag.name == "text" {
                        if tag.name == "text" { documentsText = true }
                        continue
                    }
                    if tag.name == "rank" || tag.name == "text", method == .listwise {
                        throw field.failure(tag.line, "'{{\(tag.name)}}' is only available inside {{#documents}}...{{/documents}}")
                    }
                    if tag.name == "documents", method == .listwise {
                        throw field.failure(tag.line, "'documents' is a list: use {{#documents}}[{{rank}}] {{text}}{{/documents}}")
                    }
                    if declared.contains(tag.name), !allowed.contains(tag.name) {
                        throw field.failure(tag.line, "placeholder '\(tag.name)' cannot be used in '\(field.name)' (allowed: \(allowed.joined(separator: ", ")))")
                    }
                    try requireDeclared(tag, declared: declared, field: field)
                    used.insert(tag.name)
                    usedByField[field.name, default: []].insert(tag.name)
                }
            }
            try field.checkMustacheSyntax()
        }

        return TemplateUsage(all: used, sent: (usedByField["system"] ?? []).union(usedByField["user"] ?? []),
                             documentsText: documentsText)
    }

    struct TemplateUsage {
        /// Placeholders used anywhere (system, user, repair).
        var all: Set<String>
        /// Placeholders that reach the model in the judged request (system, user).
        var sent: Set<String>
        /// A listwise `{{#documents}}` section inserts `{{text}}`.
        var documentsText: Bool
    }

    /// The method's essentials must reach the model in system or user.
    private func checkEssentials(_ usage: TemplateUsage, method: JudgeMethod, user: TemplateField) throws {
        let essentials = method == .listwise ? ["query", "documents"] : ["query", "document"]
        for name in essentials where !usage.sent.contains(name) {
            let tag = name == "documents" ? "{{#documents}}...{{/documents}}" : "{{\(name)}}"
            throw failure(user.node, "user", "the prompt never inserts the \(name == "query" ? "query" : "document text") (\(tag)) in system or user")
        }
        if method == .listwise, !usage.documentsText {
            throw failure(user.node, "user", "the {{#documents}} section never inserts the passage text ({{text}})")
        }
    }

    private func requireDeclared(_ tag: TemplateScanner.Tag, declared: [String], field: TemplateField) throws {
        guard !declared.contains(tag.name) else { return }
        if field.method.allowedPlaceholders.contains(tag.name) {
            throw field.failure(tag.line, "placeholder '\(tag.name)' is used but not declared in 'placeholders'")
        }
        throw field.failure(tag.line, "placeholder '\(tag.name)' is not one of \(declared.joined(separator: ", "))")
    }

    // MARK: Output contracts

    private func pointwiseOutput(_ top: Fields) throws -> OutputContract {
        guard top["output"] != nil else {
            throw failure(nil as Int?, nil, "missing field 'output' (pointwise prompts need output.scale, output.json_schema and output.text_pattern)")
        }
        let output = try top.nested("output", allowed: ["scale", "score_field", "json_schema", "text_pattern"])
        let scaleFields = try output.nested("scale", allowed: ["min", "max"])
        let lo = try scaleFields.int("min"), hi = try scaleFields.int("max")
        let scale = ScoreScale(min: Double(lo), max: Double(hi))
        guard lo < hi else {
            throw failure(scaleFields.node, "output.scale", "min (\(lo)) must be less than max (\(hi))")
        }
        let scoreField = try output.optionalString("score_field") ?? "score"
        let schemaNode = try output.required("json_schema")
        let schema = try jsonValue(schemaNode, path: "output.json_schema")
        try checkSchema(schema, node: schemaNode, numericFields: [(scoreField, lo, hi, "output.scale")])
        let pattern = try regex(output, "text_pattern", what: "the score")
        return .pointwise(.init(scale: scale, scoreField: scoreField, jsonSchema: schema, textPattern: pattern))
    }

    private func aspectsOutput(_ top: Fields) throws -> OutputContract {
        guard let rubricNode = top["rubric"] else {
            throw failure(nil as Int?, nil, "missing field 'rubric' (aspects prompts list their aspects: name, min, max, weight)")
        }
        guard case .sequence(let items) = rubricNode, !items.isEmpty else {
            throw failure(rubricNode, "rubric", "must be a non-empty list of aspects (name, min, max, weight)")
        }
        var rubric: [RubricAspect] = []
        for (i, item) in items.enumerated() {
            let path = "rubric[\(i)]"
            let f = try fields(of: item, path: path, allowed: ["name", "min", "max", "weight", "description"],
                               line: item.mark?.line)
            let name = try f.string("name")
            guard name.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil else {
                throw failure(f["name"], "\(path).name", "'\(name)' is not a valid JSON field name (letters, digits, '_')")
            }
            guard !rubric.contains(where: { $0.name == name }) else {
                throw failure(f["name"], "\(path).name", "aspect '\(name)' appears twice")
            }
            let lo = try f.int("min"), hi = try f.int("max")
            guard lo < hi else { throw failure(item, path, "min (\(lo)) must be less than max (\(hi))") }
            let weight = try f.optionalNumber("weight") ?? 1
            guard weight > 0, weight.isFinite else { throw failure(f["weight"], "\(path).weight", "must be a positive number") }
            rubric.append(RubricAspect(name: name, min: lo, max: hi, weight: weight, description: try f.optionalString("description")))
        }

        var schema = Self.aspectsSchema(rubric)
        if top["output"] != nil {
            let output = try top.nested("output", allowed: ["json_schema"])
            if let schemaNode = output["json_schema"] {
                schema = try jsonValue(schemaNode, path: "output.json_schema")
                try checkSchema(schema, node: schemaNode,
                                numericFields: rubric.map { ($0.name, $0.min, $0.max, "rubric") })
            }
        }
        return .aspects(.init(rubric: rubric, jsonSchema: schema))
    }

    /// The schema an aspects prompt gets when its file gives none: one integer field per aspect.
    static func aspectsSchema(_ rubric: [RubricAspect]) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for aspect in rubric {
            properties[aspect.name] = ["type": "integer", "minimum": .number(Double(aspect.min)),
                                       "maximum": .number(Double(aspect.max))]
        }
        return ["type": "object", "properties": .object(properties),
                "required": .array(rubric.map { .string($0.name) }), "additionalProperties": false]
    }

    private func yesnoOutput(_ top: Fields) throws -> OutputContract {
        var yes = "Yes", no = "No"
        var pattern: String?
        if top["output"] != nil {
            let output = try top.nested("output", allowed: ["labels", "text_pattern"])
            if let labelsNode = output["labels"] {
                let labels = try output.nested("labels", allowed: ["yes", "no"])
                yes = try labels.string("yes")
                no = try labels.string("no")
                guard !yes.isEmpty, !no.isEmpty, yes.lowercased() != no.lowercased() else {
                    throw failure(labelsNode, "output.labels", "yes and no must be two different non-empty words")
                }
            }
            if output["text_pattern"] != nil { pattern = try regex(output, "text_pattern", what: "the answer word") }
        }
        let defaultPattern = "(?i)\\b(" + NSRegularExpression.escapedPattern(for: yes) + "|"
            + NSRegularExpression.escapedPattern(for: no) + ")\\b"
        return .yesno(.init(yes: yes, no: no, textPattern: pattern ?? defaultPattern))
    }

    private func listwiseOutput(_ top: Fields) throws -> OutputContract {
        var pattern = #"\[(\d+)\]"#
        var format = "[2] > [1] > [3]"
        if top["output"] != nil {
            let output = try top.nested("output", allowed: ["text_pattern", "format"])
            if output["text_pattern"] != nil { pattern = try regex(output, "text_pattern", what: "one passage number") }
            format = try output.optionalString("format") ?? format
        }
        return .listwise(.init(textPattern: pattern, format: format))
    }

    private func regex(_ fields: Fields, _ key: String, what: String) throws -> String {
        let path = fields.qualified(key)
        let pattern = try fields.string(key)
        let expression: NSRegularExpression
        do {
            expression = try NSRegularExpression(pattern: pattern)
        } catch {
            throw failure(fields[key], path, "'\(pattern)' is not a valid regular expression")
        }
        guard expression.numberOfCaptureGroups == 1 else {
            throw failure(fields[key], path, "the pattern must have exactly one capture group (\(what)); it has \(expression.numberOfCaptureGroups)")
        }
        return pattern
    }

    // MARK: JSON schema

    static let schemaTypes = ["string", "number", "integer", "boolean", "object", "array", "null"]

    /// Checks the parts of a schema llmrank relies on: an object schema whose numeric fields exist,
    /// are required, and whose bounds (where given) match the scale or rubric. Every `type`,
    /// `properties` and `required` anywhere in it must be well formed.
    private func checkSchema(_ schema: JSONValue, node: Node, numericFields: [(String, Int, Int, String)]) throws {
        try checkSchemaShape(schema, node: node, path: "output.json_schema")
        guard schema["type"] == "object", let properties = schema["properties"]?.objectValue else {
            throw failure(node, "output.json_schema", "must be an object schema: type: object with properties")
        }
        let required = schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for (field, lo, hi, source) in numericFields {
            let path = "output.json_schema.properties.\(field)"
            guard let property = properties[field] else {
                throw failure(node, "output.json_schema", "has no property '\(field)' (required by \(source))")
            }
            guard property["type"] == "integer" || property["type"] == "number" else {
                throw failure(node, path, "type must be integer or number")
            }
            if let minimum = property["minimum"]?.doubleValue, minimum != Double(lo) {
                throw failure(node, "\(path).minimum", "is \(Self.number(minimum)) but \(source) says \(lo)")
            }
            if let maximum = property["maximum"]?.doubleValue, maximum != Double(hi) {
                throw failure(node, "\(path).maximum", "is \(Self.number(maximum)) but \(source) says \(hi)")
            }
            guard required.contains(field) else {
                throw failure(node, "output.json_schema.required", "must list '\(field)'")
            }
        }
    }

    private func checkSchemaShape(_ value: JSONValue, node: Node, path: String) throws {
        guard case .object(let object) = value else { return }
        if let type = object["type"] {
            let names = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
            guard !names.isEmpty, names.count == (type.arrayValue?.count ?? 1) else {
                throw failure(node, "\(path).type", "must be a type name or a list of them")
            }
            for name in names where !Self.schemaTypes.contains(name) {
                throw failure(node, "\(path).type", "'\(name)' is not a JSON schema type (\(Self.schemaTypes.joined(separator: ", ")))")
            }
        }
        if let properties = object["properties"] {
            guard case .object(let children) = properties else {
                throw failure(node, "\(path).properties", "must be a mapping of property name to schema")
            }
            for (key, child) in children.sorted(by: { $0.key < $1.key }) {
                guard child.objectValue != nil else {
                    throw failure(node, "\(path).properties.\(key)", "must be a schema (a mapping)")
                }
                try checkSchemaShape(child, node: node, path: "\(path).properties.\(key)")
            }
        }
        if let required = object["required"] {
            guard let names = required.arrayValue, names.allSatisfy({ $0.stringValue != nil }) else {
                throw failure(node, "\(path).required", "must be a list of property names")
            }
            let known = object["properties"]?.objectValue ?? [:]
            for name in names.compactMap(\.stringValue) where known[name] == nil {
                throw failure(node, "\(path).required", "lists '\(name)', which is not in properties")
            }
        }
        if let items = object["items"] { try checkSchemaShape(items, node: node, path: "\(path).items") }
    }

    private static func number(_ x: Double) -> String {
        x.rounded() == x && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }

    /// A YAML node as JSON: plain scalars by their resolved tag (int, float, bool, null), every
    /// quoted or block scalar as a string.
    func jsonValue(_ node: Node, path: String) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.resolvedTag {
            case .int: if let i = node.int { return .number(Double(i)) }
            case .float: if let d = node.float { return .number(d) }
            case .bool: if let b = node.bool { return .bool(b) }
            case .null: return .null
            default: break
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .array(try sequence.enumerated().map { try jsonValue($0.element, path: "\(path)[\($0.offset)]") })
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let name = key.scalar?.string else { throw failure(key, path, "keys must be strings") }
                guard object[name] == nil else { throw failure(key, path, "key '\(name)' appears twice") }
                object[name] = try jsonValue(value, path: "\(path).\(name)")
            }
            return .object(object)
        case .alias:
            throw failure(node, path, "YAML aliases are not supported in prompt files")
        }
    }

    // MARK: Mappings

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

        func template(_ key: String, allowEmpty: Bool, method: JudgeMethod) throws -> TemplateField {
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
                                 method: method)
        }
    }

    /// A template field: its text and how to turn a template line into a file line.
    struct TemplateField {
        let parser: PromptFileParser
        let name: String
        let node: Node
        let style: Node.Scalar.Style
        let text: String
        let method: JudgeMethod

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
