import Foundation
import Mustache

/// One prompt: its system and user Mustache templates, the repair message sent on the one retry
/// after an unusable reply, and the output contract, which also names its method. Loaded and
/// validated from a YAML file (see `PromptTemplate.load(contentsOf:)` and the README's "Prompt
/// files"); every property is fixed once loaded, so what `render` sends is what the file says.
///
/// Rendering inserts query and document text as data: values are never parsed as templates, and
/// nothing is HTML-escaped (`a & b`, `<b>` and `{{query}}` inside a document arrive verbatim).
/// The template owns the prompt's structure: a line-leading label (`[10]`, `[A]`), entry or role
/// (`Passage B:`), a think tag or a special-token opener in inserted text is neutralised
/// (`InsertedText`), so text cannot start a passage, a role or a think block.
public struct PromptTemplate: Sendable {
    /// The prompt's name (the file's `name`).
    public let name: String
    /// The prompt's own version, as the file says.
    public let version: String
    /// One line on what the prompt does (the file's `description`).
    public let summary: String?
    /// The placeholders the file declares (every one is used, every used one is declared).
    public let placeholders: [String]
    /// The system template as written in the file, trailing newlines removed.
    public let systemTemplate: String
    /// The user template as written in the file, trailing newlines removed.
    public let userTemplate: String
    /// The repair template as written in the file, trailing newlines removed.
    public let repairTemplate: String
    /// Where the prompt came from: a path, or "prompts/NAME.yaml" for a shipped one.
    public let source: String

    /// The method's contract, with what the loader needs of it.
    let contract: any ContractReading
    private let compiledSystem: MustacheTemplate
    private let compiledUser: MustacheTemplate
    private let compiledRepair: MustacheTemplate

    init(name: String, version: String, summary: String?, placeholders: [String], systemTemplate: String,
         userTemplate: String, repairTemplate: String, contract: any ContractReading, source: String) throws
    {
        self.name = name
        self.version = version
        self.summary = summary
        self.placeholders = placeholders
        self.systemTemplate = systemTemplate
        self.userTemplate = userTemplate
        self.repairTemplate = repairTemplate
        self.contract = contract
        self.source = source
        compiledSystem = try Self.compile(systemTemplate)
        compiledUser = try Self.compile(userTemplate)
        compiledRepair = try Self.compile(repairTemplate)
    }

    /// What a reply must look like (cast to the method's contract type for its fields).
    public var output: any OutputContract { contract }

    /// How the prompt judges: its output contract's method.
    public var method: JudgeMethod { type(of: contract).method }

    /// What the templates insert: one document, or a window of passages.
    var input: PromptInput { type(of: contract).input }

    /// How the prompt labels its passages: its contract's style (numbers for one-document prompts).
    public var labelStyle: LabelStyle { (contract as? any LabelledWindowContract)?.labels ?? .numbers }

    /// True when the prompt renders a window of passages (`render(query:passages:)`, listwise),
    /// false when it renders one document a call (`render(query:document:)`).
    public var rendersPassages: Bool { input == .window }

    /// The version that goes into cache keys: method, name and the file's version. The messages
    /// are in the key too, so editing a template's text also changes the key.
    public var methodVersion: String { "\(method.rawValue)/\(name)/\(version)" }

    // MARK: Output contract shortcuts

    /// The pointwise scale (nil for other methods).
    public var scale: ScoreScale? { (contract as? PointwiseContract)?.scale }

    /// The aspects rubric (empty for other methods).
    public var rubric: [RubricAspect] { (contract as? AspectsContract)?.rubric ?? [] }

    /// The JSON schema to send as `response_format` in JSON mode (pointwise and aspects).
    public var jsonSchema: JSONValue? { contract.jsonSchema }

    /// The text pattern of the output contract (one capture group), where it has one.
    public var textPattern: String? { contract.textPattern }

    // MARK: Rendering

    /// The messages for one document (pointwise, aspects, yes/no): a system message when the
    /// system template renders non-empty, then the user message. Throws `.invalidInput` for a
    /// prompt that judges windows of passages (listwise).
    public func render(query: String, document: String) throws(LLMRankError) -> [ChatMessage] {
        try require(.document)
        return messages(context: ["query": InsertedText.neutralized(query), "document": InsertedText.neutralized(document)])
    }

    /// The messages for a window of passages (listwise, first, pairwise, setwise) in the given
    /// order: `{{rank}}` numbers them 1...n, `{{label}}` labels them as `labelStyle` says.
    /// Throws `.invalidInput` for a prompt that judges one document a call.
    public func render(query: String, passages: [String]) throws(LLMRankError) -> [ChatMessage] {
        try require(.window)
        return messages(context: listContext(query: query, passages: passages))
    }

    /// The repair message sent as a user turn after an unusable reply (with the reply as the
    /// assistant turn before it). `passageCount` fills `{{num}}` and `{{last_label}}` for window
    /// prompts.
    public func renderRepair(query: String, passageCount: Int = 0) -> ChatMessage {
        .user(compiledRepair.render(["query": InsertedText.neutralized(query), "num": passageCount,
                                     "last_label": labelStyle.label(max(0, passageCount - 1))] as [String: any Sendable]))
    }

    private func require(_ wanted: PromptInput) throws(LLMRankError) {
        guard input != wanted else { return }
        let renders = input == .window ? "a window of passages" : "one document"
        throw LLMRankError(.invalidInput,
                           "prompt '\(name)' is a \(method) prompt and renders \(renders): call \(input.renderFunction), not \(wanted.renderFunction)")
    }

    private func messages(context: [String: any Sendable]) -> [ChatMessage] {
        let system = compiledSystem.render(context)
        let user = compiledUser.render(context)
        return system.isEmpty ? [.user(user)] : [.system(system), .user(user)]
    }

    private func listContext(query: String, passages: [String]) -> [String: any Sendable] {
        let style = labelStyle
        let documents: [[String: any Sendable]] = passages.enumerated().map {
            ["rank": $0.offset + 1, "label": style.label($0.offset), "text": InsertedText.neutralized($0.element)]
        }
        return ["query": InsertedText.neutralized(query), "documents": documents, "num": passages.count,
                "last_label": style.label(max(0, passages.count - 1))]
    }

    /// Compiles a validated template for raw-text rendering. The pragma switches swift-mustache
    /// from HTML escaping to plain text; it sits on its own line, which Mustache removes as a
    /// standalone tag, so the template's own first line is unchanged.
    static func compile(_ template: String) throws -> MustacheTemplate {
        try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}\n" + template)
    }
}

extension PromptTemplate: CustomStringConvertible {
    /// "NAME (METHOD, version VERSION)".
    public var description: String { "\(name) (\(method), version \(version))" }
}
