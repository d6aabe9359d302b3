extension JudgeMethod {
    /// Permutations of windows of passages (RankGPT-style).
    public static let listwise = JudgeMethod("listwise")
}

/// Listwise: RankGPT-style permutation prompts over windows that slide from the back of the list
/// to the front and cover every position (`windows(count:window:step:)`), each passage cut to
/// `maxWords` words (flagged `truncated`). A window whose replies give no permutation keeps its
/// order, flagged. A window of one passage (a list of one, or the last window of a pass whose step
/// equals the window) is already in order: it makes no call and raises no flag. The stage score
/// of the document at position i of n is n - i.
struct ListwiseStrategy: RankingStrategy {
    static let defaultPrompt = "listwise"

    let prompt: PromptTemplate
    let contract: ListwiseContract
    let options: JudgeOptions

    func request(_ messages: [ChatMessage], size: Int, features: RequestFeatures) -> ChatRequest {
        options.request(messages, defaultMaxTokens: 8 * size + 64)
    }

    func read(_ response: ChatResponse, size: Int) -> Result<Reading<[Int]>, ParseFailure> {
        PermutationParser.parse(response.content, count: size, pattern: contract.textPattern)
            .map { Reading(value: $0.order, flags: $0.flags) }
    }

    /// One pass of windows from the back to the front; each window's permutation reorders its slice.
    func rank(query: Query, list: RankedList, session: JudgeSession) async throws -> JudgeOutcome {
        var order = list.candidates
        var flags: [String: [Flag]] = [:]
        var calls: [CallRecord] = []
        func flag(_ id: String, _ f: Flag) {
            if flags[id]?.contains(f) != true { flags[id, default: []].append(f) }
        }
        let loop = RepairLoop(strategy: self, session: session)
        for range in Self.windows(count: order.count, window: options.window, step: options.step) {
            let slice = Array(order[range])
            // One passage has one order: nothing to ask, nothing to cut, nothing to flag.
            guard slice.count > 1 else { continue }
            var passages: [String] = []
            for candidate in slice {
                let (text, cut) = WordBudget.cut(candidate.text, maxWords: options.maxWords)
                if cut { flag(candidate.id, Flag(.truncated, stage: session.stage, "cut to \(options.maxWords) words")) }
                passages.append(text)
            }
            let outcome = try await loop.run(
                try prompt.render(query: query.text, passages: passages),
                repair: prompt.renderRepair(query: query.text, passageCount: slice.count), size: slice.count,
                fallback: "window \(range.lowerBound + 1)-\(range.upperBound) kept its order")
            calls += outcome.calls
            if let permutation = outcome.value {
                order.replaceSubrange(range, with: permutation.map { slice[$0] })
            }
            for candidate in slice { for f in outcome.flags { flag(candidate.id, f) } }
        }
        let n = order.count
        for i in order.indices {
            // Listwise gives ranks, not scores: the stage score is n - position (higher is better).
            let score = Double(n - i)
            order[i].score = score
            order[i].stageScores.append(StageScore(stage: session.stage, score: score))
            order[i].flags += flags[order[i].id] ?? []
        }
        return JudgeOutcome(list: RankedList(candidates: order), trace: StageTrace(stage: session.stage, calls: calls))
    }

    /// The windows of one pass, in the order they are judged: from the back of the list to the
    /// front, each `window` long (shorter only when the list is), moving by `step`, the last one
    /// starting at 0. Every position is in at least one window, also when the list is shorter than
    /// a window or its length is not a multiple of the step.
    static func windows(count: Int, window: Int, step: Int) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let window = max(1, window), step = max(1, min(step, window))
        var result: [Range<Int>] = []
        var end = count
        while true {
            let start = max(0, end - window)
            result.append(start..<end)
            if start == 0 { return result }
            end -= step
        }
    }
}
