/// The list a pipeline returns for one query, and what happened on the way.
public struct RerankResult: Sendable {
    /// The reranked list: the head in the pipeline's order, then what stages cut (flagged `cut`).
    public var list: RankedList
    /// Stages run, calls made, tokens and flags, for this query.
    public var trace: Trace
}

/// Stages applied in order to each query. Each stage sees the current head; a stage with `keep`
/// narrows the head, and what it cuts is returned below the head in its previous order, flagged
/// `cut` (or dropped when `topN` asks for the head only).
///
/// ```swift
/// let pipeline = Pipeline(stages: [EncoderStage(encoder: e, keep: 30), JudgeStage(judge: j)])
/// let result = try await pipeline.rerank(query: Query(text: "q"), documents: docs)
/// ```
public struct Pipeline: Sendable {
    /// The stages, applied in order.
    public var stages: [any RerankStage]
    /// Limits per query; each query gets a fresh budget.
    public var budget: BudgetLimits
    /// Return only the first n candidates.
    public var topN: Int?

    /// A pipeline of `stages` with per-query `budget` limits, returning the first `topN`
    /// candidates (nil: all).
    public init(stages: [any RerankStage], budget: BudgetLimits = BudgetLimits(), topN: Int? = nil) {
        self.stages = stages
        self.budget = budget
        self.topN = topN
    }

    /// Reranks `documents` (in their given order as the starting list) for `query`.
    public func rerank(query: Query, documents: [Document]) async throws -> RerankResult {
        try await rerank(query: query, list: RankedList(documents: documents))
    }

    /// Runs the stages over `list` for `query`; throws when a stage fails or loses candidates
    /// (`.stageContract`).
    public func rerank(query: Query, list: RankedList) async throws -> RerankResult {
        let context = StageContext(budget: budget.isUnlimited ? nil : Budget(budget))
        var trace = Trace(queryID: query.id)
        var head = list
        var tail: [Candidate] = []
        let clock = ContinuousClock()
        for stage in stages {
            let start = clock.now
            let reordered = head.isEmpty ? head : try await stage.rerank(query: query, list: head, context: context)
            trace.stages.append(StageTrace(stage: stage.name, duration: clock.now - start, calls: context.take()))
            guard reordered.count == head.count, Set(reordered.ids) == Set(head.ids) else {
                throw LLMRankError(.stageContract, "stage '\(stage.name)' returned \(reordered.count) candidates for "
                    + "\(head.count): a stage must reorder its list, never drop or add to it")
            }
            if let keep = stage.keep, keep < reordered.count {
                var cut = Array(reordered.candidates[keep...])
                for i in cut.indices { cut[i].flags.append(Flag(.cut, stage: stage.name, "below the top \(keep)")) }
                tail = cut + tail
                head = reordered.top(keep)
            } else {
                head = reordered
            }
        }
        var all = RankedList(candidates: head.candidates + tail)
        if let topN { all = all.top(topN) }
        return RerankResult(list: all, trace: trace)
    }
}

extension LLMRankError.Kind {
    /// A pipeline stage broke its contract (returned a list that lost or gained candidates): a bug in
    /// that stage, never the user's input.
    public static let stageContract = LLMRankError.Kind(rawValue: "stage-contract")
}
