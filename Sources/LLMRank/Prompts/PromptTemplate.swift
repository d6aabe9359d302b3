import Foundation
import Mustache

/// How a prompt judges: one score per document, several aspect scores per document, a yes/no
/// answer read through its logprobs, or a permutation of a window of documents.
public enum JudgeMethod: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case pointwise
    case aspects
    case yesno
    case listwise

    public var description: String { rawValue }

    /// The placeholders a prompt of this method may use in `system` and `user`.
    /// Listwise prompts also use `rank` and `text` inside `{{#documents}}...{{/documents}}`.
    public var allowedPlaceholders: [String] {
        switch self {
        case .pointwise, .aspects, .yesno: ["query", "document"]
        case .listwise: ["query", "documents", "num"]
        }
    }

    /// The placeholders the repair message may use: the document text is never repeated there.
    var repairPlaceholders: [String] {
        switch self {
        case .pointwise, .aspects, .yesno: ["query"]
        case .listwise: ["query", "num"]
        }
    }
}

/// One aspect of an aspects rubric: its JSON field name, its integer range and its weight in the
/// total (total = sum of weight x clamped aspect score).
public struct RubricAspect: Sendable, Hashable, Codable {
    public var name: String
    public var min: Int
    public var max: Int
    public var weight: Double
    /// What the aspect measures, as the prompt file says (for `prompts show`; not sent).
    public var description: String?

    public init(name: String, min: Int, max: Int, weight: Double = 1, description: String? = nil) {
        self.name = name
        self.min = min
        self.max = max
        self.weight = weight
        self.description = description
    }

    /// The aspect as the aspects parser reads it.
    public var spec: AspectSpec { AspectSpec(name: name, min: Double(min), max: Double(max), weight: weight) }
}

/// What a reply must look like, per method. The parsers read replies against it.
public enum OutputContract: Sendable, Hashable {
    case pointwise(Pointwise)
    case aspects(Aspects)
    case yesno(YesNo)
    case listwise(Listwise)

    /// A score on a scale, as JSON (`json_schema` is sent as `response_format` where the endpoint
    /// supports it) or, when the reply is not JSON, through `textPattern`.
    public struct Pointwise: Sendable, Hashable {
        public var scale: ScoreScale
        /// The JSON field holding the score ("score").
        public var scoreField: String
        /// A JSON schema (draft 2020-12 subset that OpenAI-style structured outputs accept).
        public var jsonSchema: JSONValue
        /// A regular expression with one capture group: the score, in a reply that is not JSON.
        public var textPattern: String
    }

    /// Several aspect scores in one JSON object; total = weighted sum.
    public struct Aspects: Sendable, Hashable {
        public var rubric: [RubricAspect]
        public var jsonSchema: JSONValue

        /// The range of the weighted total.
        public var totalRange: ClosedRange<Double> {
            let lo = rubric.reduce(0) { $0 + $1.weight * Double($1.min) }
            let hi = rubric.reduce(0) { $0 + $1.weight * Double($1.max) }
            return lo...hi
        }
    }

    /// A one-word answer: the first generated token is compared against the labels (through its
    /// logprobs where the endpoint returns them).
    public struct YesNo: Sendable, Hashable {
        public var yes: String
        public var no: String
        /// A regular expression with one capture group: the answer word, in a longer reply.
        public var textPattern: String
    }

    /// A permutation of the numbered passages, most relevant first.
    public struct Listwise: Sendable, Hashable {
        /// A regular expression with one capture group matched repeatedly: each match is one
        /// passage number, in order (`\[(\d+)\]`).
        public var textPattern: String
        /// The answer format shown to users and in errors ("[2] > [1] > [3]").
        public var format: String
    }

    public var method: JudgeMethod {
        switch self {
        case .pointwise: .pointwise
        case .aspects: .aspects
        case .yesno: .yesno
        case .listwise: .listwise
        }
    }
}

/// One prompt: a method, its system and user Mustache templates, the repair message sent on the one
/// retry after an unusable reply, and the output contract. Loaded and validated from a YAML file
/// (see `PromptTemplate.load(contentsOf:)` and the README's "Prompt files").
///
/// Rendering inserts query and document text as data: values are never parsed as templates, and
/// nothing is HTML-escaped (`a & b`, `<b>` and `{{query}}` inside a document arrive verbatim).
public struct PromptTemplate: Sendable {
    public var name: String
    public var method: JudgeMethod
    /// The prompt's own version, as the file says.
    public var version: String
    /// One line on what the prompt does (the file's `description`).
    public var summary: String?
    /// The placeholders the file declares (every one is used, every used one is declared).
    public var placeholders: [String]
    /// Template texts as written in the file, trailing newlines removed.
    public var systemTemplate: String
    public var userTemplate: String
    public var repairTemplate: String
    public var output: OutputContract
    /// Where the prompt came from: a path, or "shipped:NAME".
    public var source: String

    private var compiledSystem: MustacheTemplate
    private var compiledUser: MustacheTemplate
    private var compiledRepair: MustacheTemplate

    init(name: String, method: JudgeMethod, version: String, summary: String?, placeholders: [String],
         systemTemplate: String, userTemplate: String, repairTemplate: String, output: OutputContract,
         source: String) throws
    {
        self.name = name
        self.method = method
        self.version = version
        self.summary = summary
        self.placeholders = placeholders
        self.systemTemplate = systemTemplate
        self.userTemplate = userTemplate
        self.repairTemplate = repairTemplate
        self.output = output
        self.source = source
        compiledSystem = try Self.compile(systemTemplate)
        compiledUser = try Self.compile(userTemplate)
        compiledRepair = try Self.compile(repairTemplate)
    }

    /// The version that goes into cache keys: method, name and the file's version. The messages
    /// are in the key too, so editing a template's text also changes the key.
    public var methodVersion: String { "\(method.rawValue)/\(name)/\(version)" }

    // MARK: Output contract shortcuts

    /// The pointwise scale (nil for other methods).
    public var scale: ScoreScale? {
        if case .pointwise(let p) = output { return p.scale }
        return nil
    }

    /// The aspects rubric (empty for other methods).
    public var rubric: [RubricAspect] {
        if case .aspects(let a) = output { return a.rubric }
        return []
    }

    /// The JSON schema to send as `response_format` in JSON mode (pointwise and aspects).
    public var jsonSchema: JSONValue? {
        switch output {
        case .pointwise(let p): p.jsonSchema
        case .aspects(let a): a.jsonSchema
        case .yesno, .listwise: nil
        }
    }

    /// The text pattern of the output contract (one capture group).
    public var textPattern: String? {
        switch output {
        case .pointwise(let p): p.textPattern
        case .aspects: nil
        case .yesno(let y): y.textPattern
        case .listwise(let l): l.textPattern
        }
    }

    // MARK: Rendering

    /// The messages for one document (pointwise, aspects, yesno): a system message when the
    /// system template renders non-empty, then the user message.
    public func render(query: String, document: String) -> [ChatMessage] {
        precondition(method != .listwise, "prompt '\(name)' is listwise: use render(query:passages:)")
        return messages(context: ["query": query, "document": document])
    }

    /// The messages for a window of passages (listwise), numbered [1]...[n] in the given order.
    public func render(query: String, passages: [String]) -> [ChatMessage] {
        precondition(method == .listwise, "prompt '\(name)' is \(method): use render(query:document:)")
        return messages(context: Self.listContext(query: query, passages: passages))
    }

    /// The repair message sent as a user turn after an unusable reply (with the reply as the
    /// assistant turn before it). `passageCount` fills `{{num}}` for listwise prompts.
    public func renderRepair(query: String, passageCount: Int = 0) -> ChatMessage {
        .user(compiledRepair.render(["query": query, "num": passageCount] as [String: any Sendable]))
    }

    private func messages(context: [String: any Sendable]) -> [ChatMessage] {
        let system = compiledSystem.render(context)
        let user = compiledUser.render(context)
        return system.isEmpty ? [.user(user)] : [.system(system), .user(user)]
    }

    private static func listContext(query: String, passages: [String]) -> [String: any Sendable] {
        let documents: [[String: any Sendable]] = passages.enumerated().map { ["rank": $0.offset + 1, "text": $0.element] }
        return ["query": query, "documents": documents, "num": passages.count]
    }

    /// Compiles a validated template for raw-text rendering. The pragma switches swift-mustache
    /// from HTML escaping to plain text; it sits on its own line, which Mustache removes as a
    /// standalone tag, so the template's own first line is unchanged.
    static func compile(_ template: String) throws -> MustacheTemplate {
        try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}\n" + template)
    }
}

extension PromptTemplate: CustomStringConvertible {
    public var description: String { "\(name) (\(method), version \(version))" }
}
