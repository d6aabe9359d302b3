import Foundation

/// Token counts of one call, as the endpoint reported them (zero where it reported none).
public struct Usage: Sendable, Hashable, Codable {
    public var promptTokens: Int
    public var completionTokens: Int

    public init(promptTokens: Int = 0, completionTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    public var totalTokens: Int { promptTokens + completionTokens }

    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(promptTokens: a.promptTokens + b.promptTokens,
              completionTokens: a.completionTokens + b.completionTokens)
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
    public var usage: Usage
    /// HTTP status of the last attempt (nil for a cache hit or a transport failure).
    public var status: Int?
    public var cacheHit: Bool
    /// Repair requests sent after an unusable reply.
    public var repairs: Int
    /// True when no usable judgment came of the call and a fallback was taken.
    public var fallback: Bool

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
    public var stage: String
    public var duration: Duration
    public var calls: [CallRecord]

    public init(stage: String, duration: Duration = .zero, calls: [CallRecord] = []) {
        self.stage = stage
        self.duration = duration
        self.calls = calls
    }
}

/// Everything that happened while ranking one query.
public struct Trace: Sendable, Hashable, Codable {
    public var queryID: String
    public var stages: [StageTrace]

    public init(queryID: String, stages: [StageTrace] = []) {
        self.queryID = queryID
        self.stages = stages
    }

    public var calls: [CallRecord] { stages.flatMap(\.calls) }
    /// Calls that went to the endpoint (cache hits excluded).
    public var paidCalls: Int { calls.filter { !$0.cacheHit }.count }
    public var cacheHits: Int { calls.filter(\.cacheHit).count }
    public var usage: Usage { calls.filter { !$0.cacheHit }.map(\.usage).reduce(Usage(), +) }
}
