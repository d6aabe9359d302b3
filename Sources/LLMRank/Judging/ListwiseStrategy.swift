extension JudgeMethod {
    /// Permutations of windows of passages (RankGPT-style).
    public static let listwise = JudgeMethod("listwise")
}

/// Listwise: RankGPT-style permutation prompts over windows, walked as `WindowWalk` says: sliding
/// from the back of the list to the front and covering every position (the default), or top-down
/// partitioning for the top k (`windowStrategy: .topdown`). Each passage is cut to `maxWords`
/// words (flagged `truncated`). A window whose replies give no permutation keeps its order,
/// flagged. A window of one passage is already in order: it makes no call and raises no flag.
/// Letter labels (`labels: letters`) are read back as their numbers. The stage score of the
/// document at position i of n is n - i.
struct ListwiseStrategy: RankingStrategy {
    static let defaultPrompt = "listwise"

    let prompt: PromptTemplate
    let contract: ListwiseContract
    let options: JudgeOptions

    func request(_ messages: [ChatMessage], size: Int, features: RequestFeatures) -> ChatRequest {
        options.request(messages, defaultMaxTokens: 8 * size + 64)
    }

    func read(_ response: ChatResponse, size: Int) -> Result<Reading<[Int]>, ParseFailure> {
        PermutationParser.parse(contract.labels.numbered(response.content, count: size), count: size, pattern: contract.textPattern)
            .map { Reading(value: $0.order, flags: $0.flags) }
    }

    func rank(query: Query, list: RankedList, session: JudgeSession) async throws -> JudgeOutcome {
        var ledger = PassageLedger()
        let order = try await WindowWalk.order(list.candidates, strategy: options.windowStrategy, window: options.window,
                                               step: options.step, topK: options.topK, ledger: &ledger) { slice, what, ledger in
            try await permutation(of: slice, query: query, session: session, fallback: "\(what) kept its order", ledger: &ledger)
        }
        let n = order.count
        // Listwise gives ranks, not scores: the stage score is n - position (higher is better).
        return ledger.outcome(order, stage: session.stage) { Double(n - $0) }
    }

    /// The permutation of one window through the repair loop, its calls and flags in `ledger`.
    func permutation(of slice: [Candidate], query: Query, session: JudgeSession, fallback: String,
                     ledger: inout PassageLedger) async throws -> [Int]?
    {
        let passages = ledger.cut(slice, maxWords: options.maxWords, stage: session.stage)
        let outcome = try await RepairLoop(strategy: self, session: session).run(
            try prompt.render(query: query.text, passages: passages),
            repair: prompt.renderRepair(query: query.text, passageCount: slice.count), size: slice.count,
            fallback: fallback)
        ledger.record(outcome.calls, flags: outcome.flags, ids: slice.map(\.id))
        return outcome.value
    }
}
