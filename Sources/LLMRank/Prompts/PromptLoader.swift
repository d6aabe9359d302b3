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
/// The fields every prompt has are read here; the method's `output` section (and its own fields,
/// such as `rubric`) are read by its contract type (`ContractReading.read`), found by the
/// `method` field through `MethodRegistry`.
struct PromptFileParser {
    let file: String

    /// The top-level fields every prompt file may have, then those only some methods' prompts have.
    static var topFields: [String] {
        let common = ["name", "method", "version", "description", "placeholders", "system", "user", "repair", "output"]
        return common + MethodRegistry.contracts.flatMap { $0.ownFields }
    }

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
        guard let contract = MethodRegistry.strategy(named: methodText)?.contractType else {
            throw failure(top["method"], "method", "'\(methodText)' is not one of \(JudgeMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let method = contract.method, input = contract.input
        let version = try top.string("version")
        guard !version.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw failure(top["version"], "version", "must not be empty")
        }
        let summary = try top.optionalString("description")
        let placeholders = try declaredPlaceholders(top, method: method, input: input)

        let system = try top.template("system", allowEmpty: true, input: input)
        let user = try top.template("user", allowEmpty: false, input: input)
        let repair = try top.template("repair", allowEmpty: false, input: input)
        let usage = try checkTemplates(system: system, user: user, repair: repair, input: input, declared: placeholders)
        for (placeholder, node) in zip(placeholders, top.sequence("placeholders") ?? [])
        where !usage.all.contains(placeholder) {
            throw failure(node, "placeholders", "placeholder '\(placeholder)' is declared but never used in system, user or repair")
        }
        try checkEssentials(usage, input: input, user: user)

        for other in MethodRegistry.contracts where other.method != method {
            for field in other.ownFields where !contract.ownFields.contains(field) {
                if let node = top[field] {
                    throw failure(node, field, "only \(other.method) prompts have a \(field); this prompt is \(method)")
                }
            }
        }
        let output = try contract.read(top)
        try checkLabels(output, usage: usage, top: top, user: user)

        do {
            return try PromptTemplate(
                name: name, version: version, summary: summary, placeholders: placeholders,
                systemTemplate: system.text, userTemplate: user.text, repairTemplate: repair.text,
                contract: output, source: file)
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

    private func declaredPlaceholders(_ top: Fields, method: JudgeMethod, input: PromptInput) throws -> [String] {
        let allowed = input.placeholders
        guard let items = top.sequence("placeholders") else {
            guard let node = top["placeholders"] else {
                throw failure(nil as Int?, nil, "missing field 'placeholders' (a list, for \(method): \(allowed.joined(separator: ", ")))")
            }
            throw failure(node, "placeholders", "must be a list such as [\(allowed.joined(separator: ", "))]")
        }
        var seen: [String] = []
        for item in items {
            guard let name = item.scalar?.string else {
                throw failure(item, "placeholders", "every entry must be a placeholder name")
            }
            if input == .window, PromptInput.itemFields.contains(name) {
                throw failure(item, "placeholders", "'\(name)' is a field of each of 'documents': declare 'documents' and use {{\(name)}} inside {{#documents}}...{{/documents}}")
            }
            guard allowed.contains(name) else {
                throw failure(item, "placeholders", "placeholder '\(name)' is not allowed for \(method) prompts (allowed: \(allowed.joined(separator: ", ")))")
            }
            guard !seen.contains(name) else {
                throw failure(item, "placeholders", "placeholder '\(name)' is declared twice")
            }
            seen.append(name)
        }
        return seen
    }

    /// Checks every tag of the three templates against the input and the declaration; returns
    /// which placeholders are used where.
    private func checkTemplates(system: TemplateField, user: TemplateField, repair: TemplateField,
                                input: PromptInput, declared: [String]) throws -> TemplateUsage
    {
        var used = Set<String>()
        var usedByField: [String: Set<String>] = [:]
        var documentsText = false
        var itemFields = Set<String>()
        for field in [system, user, repair] {
            let allowed = field.name == "repair" ? input.repairPlaceholders : input.placeholders
            var inDocuments = false
            for tag in try field.tags() {
                switch tag.kind {
                case .comment:
                    continue
                case .section, .invertedSection:
                    guard tag.name == "documents", input == .window else {
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
                    if inDocuments, PromptInput.itemFields.contains(tag.name) {
                        if tag.name == "text" { documentsText = true }
                        itemFields.insert(tag.name)
                        continue
                    }
                    if PromptInput.itemFields.contains(tag.name), input == .window {
                        throw field.failure(tag.line, "'{{\(tag.name)}}' is only available inside {{#documents}}...{{/documents}}")
                    }
                    if tag.name == "documents", input == .window {
                        throw field.failure(tag.line, "'documents' is a list: use {{#documents}}[{{label}}] {{text}}{{/documents}}")
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
                             documentsText: documentsText, itemFields: itemFields)
    }

    struct TemplateUsage {
        /// Placeholders used anywhere (system, user, repair).
        var all: Set<String>
        /// Placeholders that reach the model in the judged request (system, user).
        var sent: Set<String>
        /// A listwise `{{#documents}}` section inserts `{{text}}`.
        var documentsText: Bool
        /// The item fields (`rank`, `label`, `text`) a `{{#documents}}` section uses.
        var itemFields: Set<String>
    }

    /// A prompt whose contract labels passages with letters shows them with `{{label}}`: a
    /// `{{rank}}` there would show numbers the reply's letters cannot name.
    private func checkLabels(_ contract: any ContractReading, usage: TemplateUsage, top: Fields, user: TemplateField) throws {
        guard let window = contract as? any LabelledWindowContract, window.labels == .letters else { return }
        let node = (try? top.nested("output", allowed: ["text_pattern", "format", "labels"]))?["labels"] ?? user.node
        if usage.itemFields.contains("rank") {
            throw failure(node, "output.labels", "is letters, but the {{#documents}} section shows {{rank}} (a number): label passages with {{label}}")
        }
        guard usage.itemFields.contains("label") else {
            throw failure(node, "output.labels", "is letters, but the {{#documents}} section never shows {{label}}: the reply could not name a passage")
        }
    }

    /// The input's essentials must reach the model in system or user.
    private func checkEssentials(_ usage: TemplateUsage, input: PromptInput, user: TemplateField) throws {
        for name in input.essentials where !usage.sent.contains(name) {
            let tag = name == "documents" ? "{{#documents}}...{{/documents}}" : "{{\(name)}}"
            throw failure(user.node, "user", "the prompt never inserts the \(name == "query" ? "query" : "document text") (\(tag)) in system or user")
        }
        if input == .window, !usage.documentsText {
            throw failure(user.node, "user", "the {{#documents}} section never inserts the passage text ({{text}})")
        }
    }

    private func requireDeclared(_ tag: TemplateScanner.Tag, declared: [String], field: TemplateField) throws {
        guard !declared.contains(tag.name) else { return }
        if field.input.placeholders.contains(tag.name) {
            throw field.failure(tag.line, "placeholder '\(tag.name)' is used but not declared in 'placeholders'")
        }
        throw field.failure(tag.line, "placeholder '\(tag.name)' is not one of \(declared.joined(separator: ", "))")
    }
}
