/// What a run cost and what it had to do, summed over its queries' traces and results: the line the
/// CLI prints on stderr, `eval --json`'s usage block.
public struct RunSummary: Sendable, Hashable {
    /// Calls that reached the endpoint (repairs included).
    public var calls = 0
    /// Calls answered from the judgment store.
    public var cacheHits = 0
    /// Tokens of the paid calls.
    public var usage = Usage()
    /// Attempts beyond the first, over every call.
    public var retries = 0
    /// Repair requests sent after an unusable reply.
    public var repairs = 0
    /// Documents that carry a fallback, endpoint-failed or budget-exhausted flag.
    public var fallbacks = 0
    /// Documents per flag code (a document counted once per code).
    public var flags: [String: Int] = [:]
    /// Wall time of the run.
    public var wall: Duration
    /// Queries in the run.
    public var queries: Int

    /// Sums `results`; `wall` is the run's wall time.
    public init(results: [RerankResult], wall: Duration) {
        self.wall = wall
        queries = results.count
        for result in results {
            calls += result.trace.paidCalls
            cacheHits += result.trace.cacheHits
            usage = usage + result.trace.usage
            retries += result.trace.calls.map(\.retries).reduce(0, +)
            repairs += result.trace.calls.map(\.repairs).reduce(0, +)
            for candidate in result.list.candidates {
                let codes = Set(candidate.flags.map(\.code))
                for code in codes { flags[code.rawValue, default: 0] += 1 }
                if !codes.isDisjoint(with: [.fallback, .endpointFailed, .budgetExhausted]) { fallbacks += 1 }
            }
        }
    }

    /// `code count` pairs in code order, or "none".
    public var flagCounts: String {
        flags.isEmpty ? "none" : flags.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// Seconds of wall time.
    public var seconds: Double { Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18 }

    /// One line: calls, cache hits, tokens, retries, repairs, fallbacks, time, flags.
    public var line: String {
        "llmrank: \(calls) calls, \(cacheHits) cache hits, \(usage.promptTokens) prompt"
            + (usage.cachedPromptTokens > 0 ? " (\(usage.cachedPromptTokens) from the endpoint's prompt cache)" : "")
            + " + \(usage.completionTokens) completion tokens, "
            + "\(retries) retries, \(repairs) repairs, \(fallbacks) fallbacks, \(Self.twoDecimals(seconds)) s; flags: \(flagCounts)"
    }

    static func twoDecimals(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

extension EvalReport.Totals {
    /// The totals of a run's summary.
    public init(_ summary: RunSummary) {
        self.init()
        calls = summary.calls
        cacheHits = summary.cacheHits
        promptTokens = summary.usage.promptTokens
        cachedPromptTokens = summary.usage.cachedPromptTokens
        completionTokens = summary.usage.completionTokens
        retries = summary.retries
        repairs = summary.repairs
        fallbacks = summary.fallbacks
        seconds = summary.seconds
    }
}
