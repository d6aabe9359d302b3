import Foundation

/// Token counts of one call, as the endpoint reported them (zero where it reported none).
public struct Usage: Sendable, Hashable, Codable {
    /// Tokens of the prompt.
    public var promptTokens: Int
    /// Tokens of the completion.
    public var completionTokens: Int
    /// Prompt tokens the endpoint served from its prompt cache (part of `promptTokens`): OpenAI's
    /// `usage.prompt_tokens_details.cached_tokens` (billed at a discount), llama-server's
    /// `timings.cache_n` (not evaluated again). 0 where the endpoint reports none.
    public var cachedPromptTokens: Int

    /// Token counts (zero by default).
    public init(promptTokens: Int = 0, completionTokens: Int = 0, cachedPromptTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedPromptTokens = cachedPromptTokens
    }

    /// Prompt plus completion tokens.
    public var totalTokens: Int { promptTokens + completionTokens }

    /// The counts of two calls added up.
    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(promptTokens: a.promptTokens + b.promptTokens,
              completionTokens: a.completionTokens + b.completionTokens,
              cachedPromptTokens: a.cachedPromptTokens + b.cachedPromptTokens)
    }

    private enum CodingKeys: String, CodingKey { case promptTokens, completionTokens, cachedPromptTokens }

    /// Reads the counts; `cachedPromptTokens` is absent from replies stored before it was kept (0).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(promptTokens: try c.decode(Int.self, forKey: .promptTokens),
                  completionTokens: try c.decode(Int.self, forKey: .completionTokens),
                  cachedPromptTokens: try c.decodeIfPresent(Int.self, forKey: .cachedPromptTokens) ?? 0)
    }

    /// Writes the counts; `cachedPromptTokens` only when there are some, so replies without any
    /// are stored exactly as before.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        if cachedPromptTokens != 0 { try c.encode(cachedPromptTokens, forKey: .cachedPromptTokens) }
    }
}

/// What one LLM call cost and how it went. The client fills the transport fields; the cache and
/// the judge fill the rest.
public struct CallRecord: Sendable, Hashable, Codable {
    /// Hex SHA-256 of the request's cache key (endpoint, model, messages, sampling, method version).
    public var promptHash: String
    /// HTTP attempts made (0 for a cache hit).
    public var attempts: Int
    /// Wall time of the call, retries and waits included.
    public var latency: Duration
    /// Tokens the call reported (a cache hit carries the original call's).
    public var usage: Usage
    /// HTTP status of the last attempt (nil for a cache hit or a transport failure).
    public var status: Int?
    /// True when the reply came from the judgment store, not the endpoint.
    public var cacheHit: Bool
    /// Repair requests sent after an unusable reply.
    public var repairs: Int
    /// True when no usable judgment came of the call and a fallback was taken.
    public var fallback: Bool

    /// A record; every field defaults to "nothing happened".
    public init(promptHash: String = "", attempts: Int = 0, latency: Duration = .zero, usage: Usage = Usage(),
                status: Int? = nil, cacheHit: Bool = false, repairs: Int = 0, fallback: Bool = false)
    {
        self.promptHash = promptHash
        self.attempts = attempts
        self.latency = latency
        self.usage = usage
        self.status = status
        self.cacheHit = cacheHit
        self.repairs = repairs
        self.fallback = fallback
    }

    /// Retries: attempts past the first.
    public var retries: Int { max(0, attempts - 1) }
}

/// One stage's part of a query's trace.
public struct StageTrace: Sendable, Hashable, Codable {
    /// The stage's name.
    public var stage: String
    /// Wall time the stage took for this query.
    public var duration: Duration
    /// The LLM calls the stage made, in order.
    public var calls: [CallRecord]

    /// A stage's trace.
    public init(stage: String, duration: Duration = .zero, calls: [CallRecord] = []) {
        self.stage = stage
        self.duration = duration
        self.calls = calls
    }
}

/// Everything that happened while ranking one query.
public struct Trace: Sendable, Hashable, Codable {
    /// The query's id.
    public var queryID: String
    /// Each stage that ran, in order.
    public var stages: [StageTrace]

    /// A trace of `queryID` with the given stages.
    public init(queryID: String, stages: [StageTrace] = []) {
        self.queryID = queryID
        self.stages = stages
    }

    /// Every call of every stage, in order.
    public var calls: [CallRecord] { stages.flatMap(\.calls) }
    /// Calls that went to the endpoint (cache hits excluded).
    public var paidCalls: Int { calls.filter { !$0.cacheHit }.count }
    /// Calls answered by the judgment store.
    public var cacheHits: Int { calls.filter(\.cacheHit).count }
    /// Tokens of the calls that went to the endpoint (cache hits cost nothing).
    public var usage: Usage { calls.filter { !$0.cacheHit }.map(\.usage).reduce(Usage(), +) }
}
