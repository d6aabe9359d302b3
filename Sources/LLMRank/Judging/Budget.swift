/// Limits for one query's LLM work. A call is reserved before it is made; a cache hit gives its
/// reservation back (it cost nothing). Once a limit is reached, no new call starts: what was not
/// judged keeps the previous stage's order and is flagged `budget-exhausted`.
public struct BudgetLimits: Sendable, Hashable {
    /// LLM calls that reach the endpoint (repairs included, cache hits not).
    public var maxCalls: Int?
    /// Prompt plus completion tokens of those calls.
    public var maxTokens: Int?
    /// Wall time for the query, from the budget's creation.
    public var deadline: Duration?

    /// Limits; nil leaves that one unlimited.
    public init(maxCalls: Int? = nil, maxTokens: Int? = nil, deadline: Duration? = nil) {
        self.maxCalls = maxCalls
        self.maxTokens = maxTokens
        self.deadline = deadline
    }

    /// True when no limit is set.
    public var isUnlimited: Bool { maxCalls == nil && maxTokens == nil && deadline == nil }
}

/// The running account of one query against its `BudgetLimits`.
public actor Budget {
    /// The limits this budget counts against.
    public let limits: BudgetLimits
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private(set) var calls = 0
    private(set) var tokens = 0

    /// A budget for one query; the deadline counts from now.
    public init(_ limits: BudgetLimits) {
        self.limits = limits
        start = clock.now
    }

    /// Why no further call may start, or nil when one may.
    public func exhausted() -> String? {
        if let max = limits.maxCalls, calls >= max { return "\(max) calls" }
        if let max = limits.maxTokens, tokens >= max { return "\(max) tokens" }
        if let d = limits.deadline, clock.now - start >= d { return "deadline \(d)" }
        return nil
    }

    /// Time left before the deadline (zero once it has passed); nil without a deadline.
    func remaining() -> Duration? {
        limits.deadline.map { max(.zero, $0 - (clock.now - start)) }
    }

    /// Takes one call from the budget; nil on success, else the reason it is spent.
    func reserve() -> String? {
        if let reason = exhausted() { return reason }
        calls += 1
        return nil
    }

    /// Settles a reserved call: a cache hit is given back, a paid call adds its tokens.
    func settle(_ record: CallRecord) {
        if record.cacheHit {
            calls -= 1
        } else {
            tokens += record.usage.totalTokens
        }
    }

    /// Gives back a reserved call that was never made.
    func release() { calls -= 1 }
}
