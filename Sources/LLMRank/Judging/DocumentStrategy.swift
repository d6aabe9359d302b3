/// A method that judges one document a call and orders by the scores: pointwise, aspects, yes/no.
///
/// The shared driver: each passage is cut to `options.maxWords` words (flagged `truncated`), at
/// most `options.concurrency` documents are judged at once, each through the repair loop. Scored
/// documents come first, best first (ties keep their incoming order); documents with no usable
/// judgment follow in their incoming order, flagged.
protocol DocumentStrategy: RankingStrategy where Value == Double {
    /// The prompt each document is rendered into.
    var prompt: PromptTemplate { get }
    /// The judge's options (`concurrency` is read here).
    var options: JudgeOptions { get }
}

extension DocumentStrategy {
    /// Judges every document, then orders by score.
    func rank(query: Query, list: RankedList, session: JudgeSession) async throws -> JudgeOutcome {
        let candidates = list.candidates
        let passages = candidates.map { WordBudget.cut($0.text, maxWords: options.maxWords) }
        let judgments = try await BoundedConcurrency.map(count: candidates.count, limit: options.concurrency) { i in
            try await judge(query: query, text: passages[i].text, session: session)
        }

        var scored: [Candidate] = []
        var unscored: [Candidate] = []
        var calls: [CallRecord] = []
        for (i, var candidate) in candidates.enumerated() {
            let judgment = judgments[i]
            calls += judgment.calls
            if passages[i].cut {
                candidate.flags.append(Flag(.truncated, stage: session.stage, "cut to \(options.maxWords) words"))
            }
            candidate.flags += judgment.flags
            candidate.stageScores.append(StageScore(stage: session.stage, score: judgment.value))
            if let score = judgment.value {
                candidate.score = score
                scored.append(candidate)
            } else {
                unscored.append(candidate)
            }
        }
        // A stable sort: equal scores keep the incoming order.
        let ordered = scored.enumerated()
            .sorted { a, b in a.element.score! != b.element.score! ? a.element.score! > b.element.score! : a.offset < b.offset }
            .map(\.element)
        return JudgeOutcome(list: RankedList(candidates: ordered + unscored),
                            trace: StageTrace(stage: session.stage, calls: calls))
    }

    /// One document through the repair loop.
    func judge(query: Query, text: String, session: JudgeSession) async throws -> RepairLoop<Self>.Outcome {
        let messages = try prompt.render(query: query.text, document: text)
        return try await RepairLoop(strategy: self, session: session)
            .run(messages, repair: prompt.renderRepair(query: query.text), size: 1, fallback: "no score after a repair")
    }
}
