/// The LLM judge: given a query and a ranked list, it asks the model about the documents with one
/// prompt file's method and returns the list reordered. It never loses a document, never gives a
/// silent default score, and records every call.
///
/// The prompt's method picks the strategy (`MethodRegistry`):
/// - pointwise, aspects, yes/no: one call per document (at most `options.concurrency` at once).
///   Scored documents come first, best first (ties keep their incoming order); documents with no
///   usable judgment follow in their incoming order, flagged.
/// - listwise, first: permutation prompts (first: read from one token's logprobs) over windows
///   that slide from the back of the list to the front and cover every position, or partition it
///   top-down (`WindowWalk`).
/// - pairwise, setwise: which passage of a pair or a set is most relevant, in sorts for the top k.
///
/// An unusable reply gets one repair request (the reply sent back with the prompt's repair
/// message); if that fails too, the fallback is explicit and flagged (`RepairLoop`). Failures that
/// retries could not cure (429/5xx, timeouts, lost connections) flag the document
/// `endpoint-failed` and the run goes on; errors no retry can cure (a rejected key, an unknown
/// model) end the run.
public struct Judge: Sendable {
    /// The prompt every call renders; its method is the judge's.
    public let prompt: PromptTemplate
    /// Where the calls go: a client, or a `CachedChat` in front of one.
    public let chat: any ChatCompleting
    /// Model, sampling and method settings.
    public let options: JudgeOptions
    private let strategy: (any RankingStrategy)?
    private let modes: ModeState

    /// A judge that judges with `prompt`'s method, calling `chat`.
    public init(prompt: PromptTemplate, chat: any ChatCompleting, options: JudgeOptions) {
        self.prompt = prompt
        self.chat = chat
        self.options = options
        strategy = MethodRegistry.strategy(for: prompt, options: options)
        modes = ModeState(jsonMode: options.jsonMode)
    }

    /// The stage name used in stage scores, flags and traces: the method's name.
    public var stageName: String { prompt.method.rawValue }

    /// Reorders `list` for `query`, within `budget` when one is given. Every document comes back,
    /// judged or flagged; the trace records every call and the time taken.
    public func rerank(query: Query, list: RankedList, budget: Budget? = nil) async throws -> JudgeOutcome {
        guard let strategy else {
            throw LLMRankError(.invalidPrompt, "prompt '\(prompt.name)': no judging strategy reads \(prompt.method) prompts")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let session = JudgeSession(chat: chat, modes: modes, budget: budget, stage: stageName)
        var outcome = try await strategy.rank(query: query, list: list, session: session)
        outcome.trace.duration = clock.now - start
        return outcome
    }

    /// The listwise windows of one pass over `count` documents, in the order they are judged (see
    /// `WindowWalk.windows`): from the back to the front, every position covered.
    public static func windows(count: Int, window: Int, step: Int) -> [Range<Int>] {
        WindowWalk.windows(count: count, window: window, step: step)
    }
}
