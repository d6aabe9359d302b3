extension JudgeMethod {
    /// Setwise: which passage of a set is most relevant, in a heap sort (Zhuang et al., SIGIR 2024).
    public static let setwise = JudgeMethod("setwise")
}

/// Setwise (Zhuang et al., SIGIR 2024): a heap sort whose comparisons are calls asking which
/// passage of a set of up to `setSize` (c) is most relevant. The heap is (c-1)-ary, so a set is a
/// node and its children: with logprobs the most probable label at the first answer token is the
/// best of the set (the "likelihood" mode), without them the generated label.
///
/// The heap is built over all n documents (one sift-down from every node with children, from the
/// last to the root; each sift-down is one call per level it descends, stopping when the node is
/// the best of its set), then the best is taken off the top k = min(`topK`, n) times, with one
/// sift-down after each but the last. Calls: at least the nodes with children,
/// floor((n-2)/(c-1)) + 1, plus k - 1; at most the sum of those nodes' heights plus (k - 1) times
/// the heap's depth. The top k come first, best first; the documents below keep their incoming
/// order (the heap's own order there is not a ranking). The stage score of position i of n is
/// n - i.
///
/// **Bubble sort** (`setwiseSort: .bubble`): k = min(`topK`, n - 1) passes from the bottom of the
/// list to the top; pass p (0-based) asks about sets of c adjacent documents, the first at the
/// bottom, each next one moved up by c - 1 so that it starts with the best of the set before, and
/// the best of each set moves to the set's first place (the others keep their order), so after
/// pass p position p holds the best of positions p...n-1. Calls: the sum over p < k of
/// ceil((n - p - 1) / (c - 1)). The documents below the top k keep the order the passes left.
///
/// A set whose replies give no label (after the repair) keeps its parent in place (heap) or its
/// order (bubble), flagged `fallback` on every document of the set.
struct SetwiseStrategy: RankingStrategy {
    static let defaultPrompt = "setwise"

    let prompt: PromptTemplate
    let contract: SetwiseContract
    let options: JudgeOptions

    func request(_ messages: [ChatMessage], size: Int, features: RequestFeatures) -> ChatRequest {
        var request = options.request(messages, defaultMaxTokens: 16)
        if features.logprobs { request.askLogprobs(min(20, max(size, options.boundedTopLogprobs))) }
        return request
    }

    func read(_ response: ChatResponse, size: Int) -> Result<Reading<LabelChoice>, ParseFailure> {
        LabelChoice.read(response, count: size, style: contract.labels)
    }

    func rank(query: Query, list: RankedList, session: JudgeSession) async throws -> JudgeOutcome {
        let asker = PassageAsker(strategy: self, prompt: prompt, query: query, session: session, maxWords: options.maxWords)
        var ledger = PassageLedger()
        let incoming = list.candidates
        let n = incoming.count
        let k = min(max(0, options.topK), n)
        func best(_ indices: [Int]) async throws -> Int? {
            let answer = try await asker.ask(indices.map { incoming[$0] },
                                             fallback: "set \(indices.map { incoming[$0].id }.joined(separator: ", ")) kept its order")
            ledger.record(answer)
            guard let choice = answer.choice else { return nil }
            if let p = choice.probabilities, let best = p.indices.max(by: { p[$0] < p[$1] }) { return best }
            return choice.index
        }
        let order = options.setwiseSort == .bubble
            ? try await Self.bubbleSort(count: n, top: k, setSize: options.setSize, best: best)
            : try await Self.heapSort(count: n, top: k, setSize: options.setSize, best: best)
        return ledger.outcome(order.map { incoming[$0] }, stage: session.stage) { Double(n - $0) }
    }

    /// The top `top` of `count` items, best first, then the others in the order the passes left
    /// them, by bubble passes of sets of `setSize` from the bottom (see the type's comment);
    /// `best` as `heapSort`'s (nil keeps the set's order).
    static func bubbleSort(count n: Int, top k: Int, setSize: Int,
                           best: ([Int]) async throws -> Int?) async throws -> [Int]
    {
        var order = Array(0..<n)
        let c = max(2, setSize)
        for pass in 0..<max(0, min(k, n - 1)) {
            var end = n
            while true {
                let start = max(pass, end - c)
                if let pick = try await best(Array(order[start..<end])), pick > 0, pick < end - start {
                    let item = order.remove(at: start + pick)
                    order.insert(item, at: start)
                }
                if start == pass { break }
                end = start + 1
            }
        }
        return order
    }

    /// The top `top` of `count` items, best first, then the others in their incoming order, by a
    /// heap sort whose comparisons are `best` (the position of the best of a set of item indices,
    /// parent first; nil keeps the parent).
    static func heapSort(count n: Int, top k: Int, setSize: Int,
                         best: ([Int]) async throws -> Int?) async throws -> [Int]
    {
        let arity = max(1, setSize - 1)
        var heap = Array(0..<n)
        func siftDown(_ start: Int, size: Int) async throws {
            var i = start
            while true {
                let first = arity * i + 1
                guard first < size else { return }
                let set = [i] + Array(first..<min(first + arity, size))
                guard let pick = try await best(set.map { heap[$0] }), pick > 0, pick < set.count else { return }
                heap.swapAt(i, set[pick])
                i = set[pick]
            }
        }
        if n > 1 {
            for i in stride(from: (n - 2) / arity, through: 0, by: -1) { try await siftDown(i, size: n) }
        }
        var topItems: [Int] = []
        var size = n
        while topItems.count < k {
            topItems.append(heap[0])
            size -= 1
            heap.swapAt(0, size)
            if topItems.count < k { try await siftDown(0, size: size) }
        }
        let taken = Set(topItems)
        return topItems + (0..<n).filter { !taken.contains($0) }
    }
}
