extension JudgeMethod {
    /// Pairwise ranking prompting: which of two passages is more relevant (PRP, Qin et al. 2023).
    public static let pairwise = JudgeMethod("pairwise")
}

/// Pairwise (PRP, Qin et al. 2023): each comparison asks which of two passages is more relevant,
/// in both orders (A against B, then B against A) to cancel position bias.
///
/// - **All pairs** when the list has at most `allPairsMax` documents: n(n-1) calls (every pair in
///   both orders). The order is by wins (0 to 2(n-1)); ties by the summed logprob margin where the
///   endpoint returned logprobs (P(own label) - P(other label) over the calls of the document),
///   else the incoming order. The stage score is the wins plus the margin divided by 2n(n-1)+1,
///   so it orders exactly as the list does.
/// - **Sliding** above that: `topK` passes of bubble comparisons from the bottom to the top; pass
///   p (0-based) compares positions j-1 and j for j = n-1 down to p+1, so after pass p position p
///   holds the best of the rest. Each comparison is two calls; the lower document moves up when it
///   wins more of the two (a tie on wins goes by the logprob margin, else keeps the order).
///   Calls: 2 (k(n-1) - k(k-1)/2) for k = min(topK, n-1). The documents below the top k keep
///   the order the passes left them in. The stage score of position i of n is n - i.
///
/// A comparison whose replies give no label (after the repair) counts for neither document,
/// flagged `fallback` on both.
struct PairwiseStrategy: RankingStrategy {
    static let defaultPrompt = "pairwise"

    let prompt: PromptTemplate
    let contract: PairwiseContract
    let options: JudgeOptions

    func request(_ messages: [ChatMessage], size: Int, features: RequestFeatures) -> ChatRequest {
        var request = options.request(messages, defaultMaxTokens: 16)
        if features.logprobs { request.askLogprobs(options.boundedTopLogprobs) }
        return request
    }

    func read(_ response: ChatResponse, size: Int) -> Result<Reading<LabelChoice>, ParseFailure> {
        LabelChoice.read(response, count: size, style: contract.labels)
    }

    /// What the two calls about a pair say: each document's wins and logprob margin.
    struct Duel: Sendable {
        var wins = (0, 0)
        var margin = (0.0, 0.0)
        var answers: [PassageAsker<PairwiseStrategy>.Answer] = []

        /// Adds one call's answer; `flipped` when the second document was shown first.
        mutating func add(_ answer: PassageAsker<PairwiseStrategy>.Answer, flipped: Bool) {
            answers.append(answer)
            guard let choice = answer.choice else { return }
            let firstWon = (choice.index == 0) != flipped
            if firstWon { wins.0 += 1 } else { wins.1 += 1 }
            if let p = choice.probabilities, p.count == 2 {
                let d = flipped ? p[1] - p[0] : p[0] - p[1]
                margin.0 += d
                margin.1 -= d
            }
        }

        /// True when the second document beat the first.
        var secondWins: Bool { wins.1 != wins.0 ? wins.1 > wins.0 : margin.1 > margin.0 }
    }

    /// Both calls about `a` and `b`.
    func duel(_ a: Candidate, _ b: Candidate, asker: PassageAsker<PairwiseStrategy>) async throws -> Duel {
        var duel = Duel()
        duel.add(try await asker.ask([a, b], fallback: "\(a.id) against \(b.id) counted for neither"), flipped: false)
        duel.add(try await asker.ask([b, a], fallback: "\(b.id) against \(a.id) counted for neither"), flipped: true)
        return duel
    }

    func rank(query: Query, list: RankedList, session: JudgeSession) async throws -> JudgeOutcome {
        let asker = PassageAsker(strategy: self, prompt: prompt, query: query, session: session, maxWords: options.maxWords)
        let candidates = list.candidates
        return candidates.count <= options.allPairsMax
            ? try await allPairs(candidates, asker: asker, stage: session.stage)
            : try await sliding(candidates, asker: asker, stage: session.stage)
    }

    private func allPairs(_ candidates: [Candidate], asker: PassageAsker<PairwiseStrategy>, stage: String) async throws -> JudgeOutcome {
        let n = candidates.count
        let pairs = (0..<n).flatMap { i in (i + 1..<n).map { (i, $0) } }
        let duels = try await BoundedConcurrency.map(count: pairs.count, limit: options.concurrency) { k in
            try await duel(candidates[pairs[k].0], candidates[pairs[k].1], asker: asker)
        }
        var ledger = PassageLedger()
        var wins = Array(repeating: 0, count: n)
        var margin = Array(repeating: 0.0, count: n)
        for (k, result) in duels.enumerated() {
            let (i, j) = pairs[k]
            result.answers.forEach { ledger.record($0) }
            wins[i] += result.wins.0
            wins[j] += result.wins.1
            margin[i] += result.margin.0
            margin[j] += result.margin.1
        }
        let score = (0..<n).map { Double(wins[$0]) + margin[$0] / Double(2 * n * max(1, n - 1) + 1) }
        let order = (0..<n).sorted { score[$0] != score[$1] ? score[$0] > score[$1] : $0 < $1 }
        return ledger.outcome(order.map { candidates[$0] }, stage: stage) { score[order[$0]] }
    }

    private func sliding(_ candidates: [Candidate], asker: PassageAsker<PairwiseStrategy>, stage: String) async throws -> JudgeOutcome {
        var order = candidates
        var ledger = PassageLedger()
        let n = order.count
        for pass in 0..<max(0, min(options.topK, n - 1)) {
            for j in stride(from: n - 1, to: pass, by: -1) {
                let result = try await duel(order[j - 1], order[j], asker: asker)
                result.answers.forEach { ledger.record($0) }
                if result.secondWins { order.swapAt(j - 1, j) }
            }
        }
        return ledger.outcome(order, stage: stage) { Double(n - $0) }
    }
}
