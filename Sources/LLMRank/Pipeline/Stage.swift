import Synchronization

/// One step of a pipeline: it reorders the list it is given (and may score it). A stage that
/// narrows the list says how many of its reordered list go on (`keep`); the pipeline returns the
/// rest below the head, in their previous order, flagged `cut`.
public protocol RerankStage: Sendable {
    /// The name used in stage scores, flags and traces ("encoder", "pointwise", "fusion", ...).
    var name: String { get }
    /// How many candidates go on to later stages; nil keeps them all.
    var keep: Int? { get }
    /// Reorders (and may score) `list` for `query`; must return every candidate it was given.
    func rerank(query: Query, list: RankedList, context: StageContext) async throws -> RankedList
}

/// What a stage can reach while it runs for one query: the query's budget and the call record.
public final class StageContext: Sendable {
    /// The query's budget; nil when unlimited.
    public let budget: Budget?
    private let records = Mutex<[CallRecord]>([])

    /// A context with `budget` (nil: unlimited) and no recorded calls.
    public init(budget: Budget?) {
        self.budget = budget
    }

    /// Adds calls to the running stage's trace.
    public func record(_ calls: [CallRecord]) {
        records.withLock { $0 += calls }
    }

    /// The calls recorded since the last take.
    func take() -> [CallRecord] {
        records.withLock { r in
            defer { r = [] }
            return r
        }
    }
}

/// The LLM judge as a pipeline stage.
public struct JudgeStage: RerankStage {
    /// The judge that scores or orders the head.
    public let judge: Judge
    /// How many candidates go on; nil keeps them all.
    public var keep: Int?

    /// The stage running `judge`, keeping `keep` candidates (nil: all).
    public init(judge: Judge, keep: Int? = nil) {
        self.judge = judge
        self.keep = keep
    }

    /// The judge's stage name (its method: `pointwise`, `yesno`, ...).
    public var name: String { judge.stageName }

    /// Judges the list and records the judge's calls in the context.
    public func rerank(query: Query, list: RankedList, context: StageContext) async throws -> RankedList {
        let outcome = try await judge.rerank(query: query, list: list, budget: context.budget)
        context.record(outcome.trace.calls)
        return outcome.list
    }
}

/// Keeps the first `keep` candidates as the head; the rest go below it, flagged `cut`.
public struct CutoffStage: RerankStage {
    /// How many candidates stay in the head.
    public var keep: Int?
    /// The stage name: `cutoff`.
    public var name: String { "cutoff" }

    /// Keeps the first `keep` candidates.
    public init(keep: Int) { self.keep = keep }

    /// Returns the list unchanged; the pipeline applies `keep`.
    public func rerank(query: Query, list: RankedList, context: StageContext) async throws -> RankedList { list }
}
