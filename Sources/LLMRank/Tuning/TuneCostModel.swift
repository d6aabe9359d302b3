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
    /// Calls over sliding windows of the list: each depth is its own list, judged on its own.
    case windows
    /// A method tune has no model for (one added since): estimated at one call per document, and
    /// each depth judged on its own.
    case other
}

/// Estimates calls and tokens per query for each candidate by rendering the method's prompts over
/// each query's first `prefilter` documents (the encoder's top k is not known before it runs; the
/// run's order stands in for it).
public enum TuneCostModel {
    /// How `method` spends calls.
    public static func shape(of method: JudgeMethod) -> CallShape {
        guard let strategy = MethodRegistry.strategy(named: method.rawValue) else { return .other }
        if strategy is any DocumentStrategy.Type { return .perDocument }
        if strategy == ListwiseStrategy.self || strategy == FirstStrategy.self { return .windows }
        return .other
    }

    /// The mean cost per query of judging the first `k` documents of each query with `judge`.
    public static func cost(judge: JudgeSettings, k: Int, queries: [EvalQuery]) throws -> TuneCost {
        let prompt = try judge.resolvePrompt()
        let options = judge.options(model: "", concurrency: 1)
        let strategy = MethodRegistry.strategy(for: prompt, options: options)
        let features = RequestFeatures(json: judge.jsonMode, logprobs: true)
        let shape = self.shape(of: prompt.method)
        var total = TuneCost()
        for q in queries {
            let texts = q.documents.prefix(k).map(\.text)
            var groups: [[String]]
            if shape == .windows {
                let window = prompt.method == .first ? min(judge.window, FirstStrategy.maxWindow) : judge.window
                groups = WindowWalk.windows(count: texts.count, window: window, step: judge.step)
                    .filter { $0.count > 1 }.map { Array(texts[$0]) }
            } else {
                groups = texts.map { [$0] }
            }
            if prompt.rendersPassages, shape == .other { groups = texts.isEmpty ? [] : [texts] }
            for group in groups {
                let messages = prompt.rendersPassages ? try prompt.render(query: q.query.text, passages: group)
                                                      : try prompt.render(query: q.query.text, document: group[0])
                let completion = strategy?.request(messages, size: group.count, features: features).maxTokens ?? 0
                let characters = messages.map(\.content.count).reduce(0, +)
                total.calls += 1
                total.tokens += Double(characters) / 4 + Double(completion)
            }
        }
        let n = Double(max(1, queries.count))
        return TuneCost(calls: total.calls / n, tokens: total.tokens / n)
    }

    /// The calls and tokens per query that judging every depth of `method` in `ks` pays, once:
    /// the deepest for a per-document method, every depth for the others.
    public static func union(shape: CallShape, costs: [Int: TuneCost]) -> TuneCost {
        if shape == .perDocument { return costs.max { $0.key < $1.key }?.value ?? TuneCost() }
        return costs.values.reduce(TuneCost()) { TuneCost(calls: $0.calls + $1.calls, tokens: $0.tokens + $1.tokens) }
    }
}
