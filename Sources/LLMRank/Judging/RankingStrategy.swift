/// One judging method: what it sends, how it reads replies, how it orders. Each method is one
/// file (`PointwiseStrategy.swift`, ...), listed in `MethodRegistry`; its prompts carry its
/// `Contract`, from which a prompt's method is derived.
///
/// Methods that judge one document a call conform through `DocumentStrategy`, which orders by
/// score; listwise orders by permutations of sliding windows. Both make their calls through the
/// one repair -> fallback loop, `RepairLoop`.
protocol RankingStrategy: Sendable {
    /// The output contract of the method's prompts (its `method` names this strategy).
    associatedtype Contract: ContractReading
    /// What one usable reply gives: a score, a permutation.
    associatedtype Value: Sendable

    /// The shipped prompt a judge of this method uses when none is named.
    static var defaultPrompt: String { get }

    /// The strategy for a prompt of this method, with its contract and the judge's options.
    init(prompt: PromptTemplate, contract: Contract, options: JudgeOptions)

    /// What it sends: the request for `messages` about `size` documents, asking for what the
    /// endpoint still accepts (`features`).
    func request(_ messages: [ChatMessage], size: Int, features: RequestFeatures) -> ChatRequest

    /// How it reads a reply about `size` documents: a value and the flags its reading raised, or
    /// why the reply is unusable.
    func read(_ response: ChatResponse, size: Int) -> Result<Reading<Value>, ParseFailure>

    /// How it orders: judges `list` for `query` with calls through `session`, and returns every
    /// document, reordered, with the record of every call.
    func rank(query: Query, list: RankedList, session: JudgeSession) async throws -> JudgeOutcome
}

extension RankingStrategy {
    /// The method's name: its contract's.
    static var method: JudgeMethod { Contract.method }

    /// The contract type, for the prompt loader.
    static var contractType: any ContractReading.Type { Contract.self }

    /// The strategy for `prompt`, or nil when the prompt is not of this method.
    static func make(prompt: PromptTemplate, options: JudgeOptions) -> (any RankingStrategy)? {
        guard let contract = prompt.contract as? Contract else { return nil }
        return Self(prompt: prompt, contract: contract, options: options)
    }
}

/// What a usable reply reads as, with the flags the reading raised (a clamped score, a repaired
/// permutation).
struct Reading<Value: Sendable>: Sendable {
    /// The score, the permutation.
    var value: Value
    /// What the reading had to do; a flag without a stage gets the judge's.
    var flags: [Flag]
}

extension Flag {
    /// The flag with its stage set, unless it has one.
    func `in`(_ stage: String) -> Flag {
        var f = self
        if f.stage == nil { f.stage = stage }
        return f
    }
}

extension JudgeOptions {
    /// The request every method starts from: model, messages, temperature, seed, and the
    /// completion tokens the options give (else the method's `defaultMaxTokens`).
    func request(_ messages: [ChatMessage], defaultMaxTokens: Int) -> ChatRequest {
        var request = ChatRequest(model: model, messages: messages, temperature: temperature, seed: seed)
        request.maxTokens = maxTokens ?? defaultMaxTokens
        return request
    }

    /// Alternatives per token asked for with logprobs, within what OpenAI accepts (1...20).
    var boundedTopLogprobs: Int { min(20, max(1, topLogprobs)) }
}

extension ChatRequest {
    /// Asks for logprobs with `alternatives` per token.
    mutating func askLogprobs(_ alternatives: Int) {
        logprobs = true
        topLogprobs = alternatives
    }

    /// Asks for replies in `schema` as far as `json` allows: the schema itself, any JSON object,
    /// or nothing (the reply is read as text).
    mutating func askJSON(_ schema: JSONValue?, promptName: String, json: JSONMode) {
        guard let schema else { return }
        switch json {
        case .auto, .schema: responseFormat = .jsonSchema(name: Self.schemaName(promptName), schema: schema)
        case .object: responseFormat = .jsonObject
        case .off: break
        }
    }

    /// OpenAI's schema names allow letters, digits, '_' and '-' only.
    static func schemaName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
    }
}
