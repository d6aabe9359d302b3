import Foundation

/// What one candidate is expected to cost per query, before any call.
public struct TuneCost: Sendable, Hashable {
    /// LLM calls per query.
    public var calls: Double
    /// Prompt and completion tokens per query (the prompt at about 4 characters a token, the
    /// completion at its `max_tokens`: an upper bound).
    public var tokens: Double

    /// A cost of `calls` calls and `tokens` tokens per query.
    public init(calls: Double = 0, tokens: Double = 0) {
        self.calls = calls
        self.tokens = tokens
    }
}

/// How a method spends calls, which decides what its candidates can share.
public enum CallShape: String, Sendable, Hashable {
    /// One call per document, independent of the others: the top 30's judgments serve the top 10
    /// and 20 too, so a method's prefilter depths cost only the deepest one.
    case perDocument = "per-document"
    /// Calls over windows of the list (sliding or top-down): each depth is its own list, judged on
    /// its own.
    case windows
    /// Calls over sets or pairs (setwise, pairwise) or a method tune has no shape for (one added
    /// since): each depth judged on its own.
    case other
}

/// Estimates calls and tokens per query for each candidate before any call, over each query's
/// first `prefilter` documents (the encoder's top k is not known before it runs; the run's order
/// stands in for it). Methods that judge one document a call, and sliding windows, are costed by
/// rendering their prompts; sorts and partitions (setwise, pairwise, top-down windows, methods
/// added since) by running the method's own strategy against `DryRunChat`, a judge that agrees
/// with the incoming order and is never called. Their call counts depend on the answers; with
/// that judge they are those of an input the LLM leaves as it is (heap sort: one call a node with
/// children to build the heap, then a whole sift-down after each take, since the passage moved to
/// the top comes from the bottom; top-down: one round).
public enum TuneCostModel {
    /// How `method` spends calls.
    public static func shape(of method: JudgeMethod) -> CallShape {
        guard let strategy = MethodRegistry.strategy(named: method.rawValue) else { return .other }
        if strategy is any DocumentStrategy.Type { return .perDocument }
        if strategy == ListwiseStrategy.self || strategy == FirstStrategy.self { return .windows }
        return .other
    }

    /// The mean cost per query of judging the first `k` documents of each query with `judge`.
    public static func cost(judge: JudgeSettings, k: Int, queries: [EvalQuery]) async throws -> TuneCost {
        let prompt = try judge.resolvePrompt()
        let options = judge.options(model: "", concurrency: 1)
        let shape = self.shape(of: prompt.method)
        let total: TuneCost
        if shape == .perDocument || (shape == .windows && options.windowStrategy == .sliding) {
            total = try rendered(prompt: prompt, options: options, shape: shape, k: k, queries: queries)
        } else {
            total = try await dryRun(prompt: prompt, options: options, k: k, queries: queries)
        }
        let n = Double(max(1, queries.count))
        return TuneCost(calls: total.calls / n, tokens: total.tokens / n)
    }

    /// The total over `queries` of one call per document, or per sliding window, rendered.
    static func rendered(prompt: PromptTemplate, options: JudgeOptions, shape: CallShape, k: Int,
                         queries: [EvalQuery]) throws -> TuneCost
    {
        let strategy = MethodRegistry.strategy(for: prompt, options: options)
        let features = RequestFeatures(json: options.jsonMode, logprobs: true)
        var total = TuneCost()
        for q in queries {
            let texts = q.documents.prefix(k).map(\.text)
            var groups: [[String]]
            if shape == .windows {
                let window = prompt.method == .first ? min(options.window, FirstStrategy.maxWindow) : options.window
                groups = WindowWalk.windows(count: texts.count, window: window, step: options.step)
                    .filter { $0.count > 1 }.map { Array(texts[$0]) }
            } else {
                groups = texts.map { [$0] }
            }
            for group in groups {
                let messages = prompt.rendersPassages ? try prompt.render(query: q.query.text, passages: group)
                                                      : try prompt.render(query: q.query.text, document: group[0])
                let completion = strategy?.request(messages, size: group.count, features: features).maxTokens ?? 0
                total.calls += 1
                total.tokens += Double(messages.map(\.content.count).reduce(0, +)) / 4 + Double(completion)
            }
        }
        return total
    }

    /// The total over `queries` of the calls the method makes with a judge that agrees with the
    /// incoming order (`DryRunChat`).
    static func dryRun(prompt: PromptTemplate, options: JudgeOptions, k: Int, queries: [EvalQuery]) async throws -> TuneCost {
        let labels = (prompt.contract as? any LabelledWindowContract)?.labels ?? .numbers
        var total = TuneCost()
        for q in queries {
            let documents = Array(q.documents.prefix(k))
            let chat = DryRunChat(labels: labels, documents: documents.map(\.text))
            _ = try await Judge(prompt: prompt, chat: chat, options: options)
                .rerank(query: q.query, list: RankedList(documents: documents))
            let tally = chat.tally
            total.calls += Double(tally.calls)
            total.tokens += Double(tally.characters) / 4 + Double(tally.completionTokens)
        }
        return total
    }

    /// The calls and tokens per query that judging every depth of `method` in `ks` pays, once:
    /// the deepest for a per-document method, every depth for the others.
    public static func union(shape: CallShape, costs: [Int: TuneCost]) -> TuneCost {
        if shape == .perDocument { return costs.max { $0.key < $1.key }?.value ?? TuneCost() }
        return costs.values.reduce(TuneCost()) { TuneCost(calls: $0.calls + $1.calls, tokens: $0.tokens + $1.tokens) }
    }
}
