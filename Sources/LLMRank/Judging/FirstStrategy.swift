extension JudgeMethod {
    /// Single-token listwise (FIRST, Reddy et al. 2024): a window ordered by the first answer
    /// token's label logprobs.
    public static let first = JudgeMethod("first")
}

/// First (FIRST, Reddy et al. 2024): a window of at most 20 passages labelled `[A]`, `[B]`, ...;
/// the request asks for one token (`max_tokens: 1`) with `logprobs` and as many alternatives as
/// the window has passages, and the window is ordered by each label's probability among the first
/// token's alternatives (`LabelParser.probabilities`: with and without a leading space or bracket,
/// any case, summed per label). Labels absent from the alternatives keep their incoming order
/// below the others. Lists longer than a window are walked as listwise's (`WindowWalk`: sliding,
/// or top-down).
///
/// Without usable label probabilities (the endpoint returns no logprobs, or none of the
/// alternatives is a label) the window's ranking is generated instead, as listwise generates it
/// (the same prompt, the whole reply read by `PermutationParser` through the repair loop), and its
/// documents are flagged `no-logprobs` with the reason. An endpoint that returned no logprobs once
/// is asked for the generated ranking from then on (one call a window, not two). The stage score
/// of the document at position i of n is n - i.
struct FirstStrategy: RankingStrategy {
    static let defaultPrompt = "first"
    /// The most passages a window has: OpenAI returns at most 20 alternatives a token.
    static let maxWindow = 20

    let prompt: PromptTemplate
    let contract: FirstContract
    let options: JudgeOptions
    /// True for the fallback: the whole ranking generated, not one token.
    private var generates = false

    init(prompt: PromptTemplate, contract: FirstContract, options: JudgeOptions) {
        self.prompt = prompt
        self.contract = contract
        self.options = options
    }

    /// Passages per window: the options' window, at most `maxWindow`.
    var window: Int { min(Self.maxWindow, max(2, options.window)) }

    func request(_ messages: [ChatMessage], size: Int, features: RequestFeatures) -> ChatRequest {
        if generates { return options.request(messages, defaultMaxTokens: 8 * size + 64) }
        var request = options.request(messages, defaultMaxTokens: 1)
        request.maxTokens = 1
        if features.logprobs { request.askLogprobs(min(Self.maxWindow, max(1, size))) }
        return request
    }

    func read(_ response: ChatResponse, size: Int) -> Result<Reading<[Int]>, ParseFailure> {
        if generates {
            return PermutationParser.parse(contract.labels.numbered(response.content, count: size), count: size)
                .map { Reading(value: $0.order, flags: $0.flags) }
        }
        guard let p = LabelParser.probabilities(response.logprobs, labels: contract.labels.labels(size)) else {
            let reason = response.logprobs == nil ? "the reply has no logprobs" : "no passage label among the first token's alternatives"
            return .failure(ParseFailure(reason: reason, reply: response.content))
        }
        return .success(Reading(value: Self.order(by: p), flags: []))
    }

    /// Positions by descending probability (ties in incoming order), those with none after them
    /// in incoming order.
    static func order(by probabilities: [Double]) -> [Int] {
        let p = probabilities
        let named = p.indices.filter { p[$0] > 0 }.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
        return named + p.indices.filter { !(p[$0] > 0) }
    }

    func rank(query: Query, list: RankedList, session: JudgeSession) async throws -> JudgeOutcome {
        var ledger = PassageLedger()
        let order = try await WindowWalk.order(list.candidates, strategy: options.windowStrategy, window: window,
                                               step: options.step, topK: options.topK, ledger: &ledger) { slice, what, ledger in
            try await judge(slice, query: query, session: session, fallback: "\(what) kept its order", ledger: &ledger)
        }
        let n = order.count
        return ledger.outcome(order, stage: session.stage) { Double(n - $0) }
    }

    /// One window: one token with logprobs, else the generated ranking (flagged `no-logprobs`).
    private func judge(_ slice: [Candidate], query: Query, session: JudgeSession, fallback: String,
                       ledger: inout PassageLedger) async throws -> [Int]?
    {
        let ids = slice.map(\.id)
        let messages = try prompt.render(query: query.text, passages: ledger.cut(slice, maxWords: options.maxWords, stage: session.stage))
        var why = "the endpoint gives no logprobs"
        if await session.modes.current.logprobs {
            var log = JudgeSession.Log()
            let result = try await session.call(self, messages, size: slice.count, into: &log)
            ledger.record(log.calls, flags: log.flags, ids: ids)
            guard let result else { return nil }
            switch read(result.response, size: slice.count) {
            case .success(let reading): return reading.value
            case .failure(let failure):
                if result.response.logprobs == nil { await session.modes.dropLogprobs() }
                why = failure.reason
            }
        }
        var generating = self
        generating.generates = true
        let outcome = try await RepairLoop(strategy: generating, session: session).run(
            messages, repair: prompt.renderRepair(query: query.text, passageCount: slice.count), size: slice.count,
            fallback: fallback)
        let flag = Flag(.noLogprobs, stage: session.stage, "\(why); the ranking was generated")
        ledger.record(outcome.calls, flags: [flag] + outcome.flags, ids: ids)
        return outcome.value
    }
}
