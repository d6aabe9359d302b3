/// The name of a judging method: `pointwise`, `aspects`, `yesno`, `listwise`.
///
/// The methods are exactly the strategies `MethodRegistry` lists; each strategy's file declares
/// its name as a constant of this type. A prompt does not store its method: `PromptTemplate.method`
/// is its output contract's, so a prompt and its method cannot disagree.
public struct JudgeMethod: RawRepresentable, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// The method's name, as prompt files, profiles and `--method` spell it.
    public let rawValue: String

    /// A registered method by name; nil when no strategy has that name.
    public init?(rawValue: String) {
        guard MethodRegistry.strategy(named: rawValue) != nil else { return nil }
        self.rawValue = rawValue
    }

    /// A method's constant, declared by its strategy's file.
    init(_ name: String) {
        rawValue = name
    }

    /// Every registered method, in the registry's order (the order help texts and errors list them).
    public static var allCases: [JudgeMethod] { MethodRegistry.strategies.map { $0.method } }

    /// The method's name.
    public var description: String { rawValue }

    /// The placeholders a prompt of this method may use in `system` and `user`.
    /// Listwise prompts also use `rank` and `text` inside `{{#documents}}...{{/documents}}`.
    public var allowedPlaceholders: [String] { input?.placeholders ?? [] }

    /// What this method's prompts insert (nil for a name no strategy registers).
    var input: PromptInput? { MethodRegistry.strategy(named: rawValue)?.contractType.input }
}
