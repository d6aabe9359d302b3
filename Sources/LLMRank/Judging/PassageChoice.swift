/// What one reply of a one-label method (pairwise, setwise) says: the passage it names, and,
/// where the endpoint returned logprobs, every label's probability at the first answer token.
struct LabelChoice: Sendable, Hashable {
    /// The index of the passage named (0-based, in the order the prompt showed them).
    var index: Int
    /// Each passage's probability at the first answer token; nil without logprobs.
    var probabilities: [Double]?

    /// Reads `response` about `count` passages labelled in `style` (`[1]`...`[count]` or `[A]`...):
    /// the label the text names (`LabelParser`), with the label probabilities when there are
    /// logprobs. A text naming no label but logprobs over the labels reads as the most probable
    /// label; with neither, the failure is the text's.
    static func read(_ response: ChatResponse, count: Int, style: LabelStyle) -> Result<Reading<LabelChoice>, ParseFailure> {
        let labels = style.labels(count)
        let probabilities = LabelParser.probabilities(response.logprobs, labels: labels)
        switch LabelParser.parse(response.content, labels: labels) {
        case .success(let index):
            return .success(Reading(value: LabelChoice(index: index, probabilities: probabilities), flags: []))
        case .failure(let failure):
            guard let probabilities, let best = probabilities.indices.max(by: { probabilities[$0] < probabilities[$1] }) else {
                return .failure(failure)
            }
            return .success(Reading(value: LabelChoice(index: best, probabilities: probabilities), flags: []))
        }
    }
}

/// Asks a multi-passage method's question about one set of candidates through the repair loop:
/// passages cut to `maxWords` (each cut flagged `truncated`) and rendered with the prompt's labels
/// (`PromptTemplate.render(query:passages:)`, which neutralises forged labels).
struct PassageAsker<Strategy: RankingStrategy>: Sendable where Strategy.Value == LabelChoice {
    /// Sends and reads.
    let strategy: Strategy
    /// The method's prompt.
    let prompt: PromptTemplate
    /// The query judged.
    let query: Query
    /// Makes the calls.
    let session: JudgeSession
    /// Passages longer than this many words are cut.
    let maxWords: Int

    /// One question's end: the choice, if a reply gave one, and the flags and calls it took.
    struct Answer: Sendable {
        /// The choice; nil after a fallback (or a call the budget or endpoint stopped).
        var choice: LabelChoice?
        /// Flags for single candidates (`truncated`), by id.
        var own: [(id: String, flag: Flag)]
        /// Flags of the loop, for every candidate of the set.
        var shared: [Flag]
        /// The ids of the set.
        var ids: [String]
        /// One record per call.
        var calls: [CallRecord]
    }

    /// Asks which of `set` is most relevant; `fallback` starts the fallback flag's detail.
    func ask(_ set: [Candidate], fallback: String) async throws -> Answer {
        let (passages, own) = WordBudget.cut(set, maxWords: maxWords, stage: session.stage)
        let outcome = try await RepairLoop(strategy: strategy, session: session).run(
            try prompt.render(query: query.text, passages: passages),
            repair: prompt.renderRepair(query: query.text, passageCount: set.count), size: set.count, fallback: fallback)
        return Answer(choice: outcome.value, own: own, shared: outcome.flags, ids: set.map(\.id), calls: outcome.calls)
    }
}

/// The flags and calls a multi-passage method (pairwise, setwise, listwise, first) collects, each flag once per candidate, and the
/// outcome they end in.
struct PassageLedger: Sendable {
    private var flags: [String: [Flag]] = [:]
    private(set) var calls: [CallRecord] = []

    /// Records an answer's calls and flags.
    mutating func record<S: RankingStrategy>(_ answer: PassageAsker<S>.Answer) where S.Value == LabelChoice {
        for (id, flag) in answer.own { add(flag, to: id) }
        record(answer.calls, flags: answer.shared, ids: answer.ids)
    }

    /// Records `calls` and gives every candidate of `ids` each of `flags`.
    mutating func record(_ calls: [CallRecord], flags: [Flag], ids: [String]) {
        self.calls += calls
        for id in ids { for flag in flags { add(flag, to: id) } }
    }

    /// The texts of `set` cut to `maxWords`, each cut flagged `truncated` on its candidate.
    mutating func cut(_ set: [Candidate], maxWords: Int, stage: String) -> [String] {
        let (passages, own) = WordBudget.cut(set, maxWords: maxWords, stage: stage)
        for (id, flag) in own { add(flag, to: id) }
        return passages
    }

    private mutating func add(_ flag: Flag, to id: String) {
        if flags[id]?.contains(flag) != true { flags[id, default: []].append(flag) }
    }

    /// The outcome: `order` with each candidate's stage score (`score(position)`) and flags.
    func outcome(_ order: [Candidate], stage: String, score: (Int) -> Double) -> JudgeOutcome {
        var order = order
        for i in order.indices {
            order[i].score = score(i)
            order[i].stageScores.append(StageScore(stage: stage, score: score(i)))
            order[i].flags += flags[order[i].id] ?? []
        }
        return JudgeOutcome(list: RankedList(candidates: order), trace: StageTrace(stage: stage, calls: calls))
    }
}
