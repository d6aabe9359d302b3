/// What a prompt's reply must look like, as its file's `output` section says: one type per method
/// (`PointwiseContract`, `AspectsContract`, `YesNoContract`, `ListwiseContract`). The contract is
/// the one description of a prompt's method: `PromptTemplate.method` is its contract's `method`.
public protocol OutputContract: Sendable {
    /// The method whose prompts carry this contract.
    static var method: JudgeMethod { get }
    /// The JSON schema sent as `response_format` in JSON mode; nil when the method sends none.
    var jsonSchema: JSONValue? { get }
    /// The regular expression (one capture group) that reads a reply that is not JSON; nil when
    /// the method has none.
    var textPattern: String? { get }
}

extension OutputContract {
    /// No schema unless the contract has one.
    public var jsonSchema: JSONValue? { nil }
    /// No text pattern unless the contract has one.
    public var textPattern: String? { nil }
}

/// How the prompt loader reads a method's contract from a prompt file: the input its templates
/// insert, the top-level fields the method owns besides `output`, and the reading itself, whose
/// errors name file, line and field like every other prompt file error.
protocol ContractReading: OutputContract {
    /// What the method's templates insert (which placeholders they may use).
    static var input: PromptInput { get }
    /// Top-level fields of the file that only this method's prompts have (aspects: `rubric`).
    static var ownFields: [String] { get }
    /// Reads the contract from the file's top-level fields (`output` and `ownFields`).
    static func read(_ top: PromptFileParser.Fields) throws -> Self
}

extension ContractReading {
    /// Most methods read `output` only.
    static var ownFields: [String] { [] }
}
