import Foundation

/// Everything a `Reranker` needs, as one value: the endpoint, the stages (encoder, judge, fusion),
/// the budget per query, the judgment store. A profile file is this value in YAML; the CLI's flags
/// build or override one. Every field has a default, so `RerankerConfiguration()` is valid: the
/// pointwise judge over every document, on the endpoint the environment names.
///
/// The pipeline it describes runs, per query: `depth` (rerank only the first N, the rest stay
/// below), the encoder (keeping its top `keep`), the judge, and fusion of the two scores.
///
/// ```swift
/// var config = RerankerConfiguration()
/// config.encoder = EncoderSettings(keep: 20)
/// config.judge = JudgeSettings(method: .yesno)
/// ```
public struct RerankerConfiguration: Sendable, Hashable, Codable {
    /// One line saying what the profile is for (shown by `llmrank profiles list`).
    public var description: String?
    /// The LLM endpoint and the client's limits.
    public var endpoint: EndpointSettings
    /// A remote rerank API as the first stage (before the encoder and the judge); nil: none.
    public var remote: RemoteSettings?
    /// The local encoder stage; nil: none.
    public var encoder: EncoderSettings?
    /// The LLM judge stage; nil: none (the encoder alone ranks).
    public var judge: JudgeSettings?
    /// Fusion of the encoder's and the judge's scores; nil: the judge's order stands. Needs both stages.
    public var fusion: FusionSettings?
    /// Limits per query (calls, tokens, deadline); every query gets a fresh budget.
    public var budget: BudgetLimits
    /// Where judgments are cached.
    public var store: StoreSetting
    /// Rerank only each query's first N candidates; the rest stay below in their incoming order,
    /// flagged `cut`. nil: all.
    public var depth: Int?
    /// Return only the first N candidates; nil: all of them (cut ones below the head).
    public var topN: Int?

    /// A configuration; every argument has the documented default.
    public init(description: String? = nil, endpoint: EndpointSettings = EndpointSettings(),
                encoder: EncoderSettings? = nil, judge: JudgeSettings? = JudgeSettings(), fusion: FusionSettings? = nil,
                budget: BudgetLimits = BudgetLimits(), store: StoreSetting = .default, depth: Int? = nil, topN: Int? = nil,
                remote: RemoteSettings? = nil)
    {
        self.description = description
        self.remote = remote
        self.endpoint = endpoint
        self.encoder = encoder
        self.judge = judge
        self.fusion = fusion
        self.budget = budget
        self.store = store
        self.depth = depth
        self.topN = topN
    }

    /// Whether a stage calls the LLM (so the endpoint, and the embedded server, are needed).
    public var needsLLM: Bool { judge != nil }

    /// Checks every rule a field or a combination must keep, before any work; the error names the
    /// field (`judge.window: must be between 2 and 100, got 1`). Also loads the judge's prompt, so a
    /// missing or invalid prompt fails here.
    public func validate() throws {
        do {
            try checkFields()
        } catch let fault as ConfigurationFault {
            throw LLMRankError(.invalidInput, "\(fault.field): \(fault.message)")
        }
    }

    /// The same checks, keeping the field path (profile loading turns it into a line).
    func checkFields() throws {
        try endpoint.validate(["endpoint"])
        if endpoint.sharedRequestsPerMinute != nil, !(store.isPostgres) {
            throw ConfigurationFault(path: ["endpoint", "max_rpm"],
                                     message: "a limit shared by processes needs a PostgreSQL store (rpm limits one process)")
        }
        try remote?.validate(["remote"])
        try encoder?.validate(["encoder"])
        if let judge {
            try judge.validate(["judge"])
            do {
                try judge.check(try judge.resolvePrompt(), [])
            } catch let fault as ConfigurationFault {
                throw ConfigurationFault(path: ["judge"] + fault.path, message: fault.message)
            }
        }
        if remote == nil, encoder == nil, judge == nil {
            throw ConfigurationFault(path: ["judge"], message: "a profile needs a remote, an encoder or a judge stage")
        }
        if let fusion {
            try fusion.validate(["fusion"])
            if encoder == nil || judge == nil {
                throw ConfigurationFault(path: ["fusion"], message: "fuses the encoder's and the judge's scores: it needs both stages")
            }
        }
        try budget.validate(["budget"])
        try ConfigurationCheck.atLeast(depth, 1, ["depth"])
        try ConfigurationCheck.atLeast(topN, 1, ["top_n"])
    }

    static let keys = ["description", "endpoint", "remote", "encoder", "judge", "fusion", "budget", "cache", "depth", "top_n"]

    /// Reads a profile's top-level mapping; absent fields keep their defaults (an absent `judge`
    /// means none when a `remote` or an `encoder` is given, else the default judge), unknown ones are
    /// errors.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        try c.rejectUnknownKeys(Self.keys)
        let encoder = try c.optional(EncoderSettings.self, "encoder")
        let remote = try c.optional(RemoteSettings.self, "remote")
        let judgeGiven = c.contains(AnyCodingKey("judge"))
        let judge = try c.optional(JudgeSettings.self, "judge")
        self.init(description: try c.optional(String.self, "description"),
                  endpoint: try c.optional(EndpointSettings.self, "endpoint") ?? EndpointSettings(),
                  encoder: encoder,
                  judge: judgeGiven ? judge : (encoder == nil && remote == nil ? JudgeSettings() : nil),
                  fusion: try c.optional(FusionSettings.self, "fusion"),
                  budget: try c.optional(BudgetLimits.self, "budget") ?? BudgetLimits(),
                  store: try c.optional(StoreSetting.self, "cache") ?? .default,
                  depth: try c.optional(Int.self, "depth"), topN: try c.optional(Int.self, "top_n"), remote: remote)
    }

    /// Writes the profile (unset optionals left out).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.put(description, "description")
        try c.put(endpoint, "endpoint")
        try c.put(remote, "remote")
        try c.put(self.encoder, "encoder")
        try c.put(judge, "judge")
        try c.put(fusion, "fusion")
        if !budget.isUnlimited { try c.put(budget, "budget") }
        try c.put(store, "cache")
        try c.put(depth, "depth")
        try c.put(topN, "top_n")
    }
}
