/// How structured output is asked for.
public enum JSONMode: String, Sendable, Hashable, CaseIterable {
    /// JSON schema where the endpoint takes it, else JSON object, else plain text (adapting on a 400).
    case auto
    /// `json_schema` only.
    case schema
    /// `json_object` only.
    case object
    /// Plain text; the parsers read the reply.
    case off
}

/// How a method over windows (listwise, first) walks a list longer than a window.
public enum WindowStrategy: String, Sendable, Hashable, CaseIterable {
    /// Windows from the back of the list to the front, moving by the step (RankGPT).
    case sliding
    /// Top-down partitioning around a pivot for the top k (Parry et al., SIGIR 2024).
    case topdown
}

/// How setwise sorts for its top k.
public enum SetwiseSort: String, Sendable, Hashable, CaseIterable {
    /// A (c-1)-ary heap sort whose comparisons are sets.
    case heap
    /// Bubble passes of sets moving up from the bottom, one pass per place of the top k.
    case bubble
}

/// Settings of an LLM judge stage; every field has a default.
public struct JudgeOptions: Sendable, Hashable {
    /// The model every call names.
    public var model: String
    /// Sampling temperature (yes/no always sends 0).
    public var temperature: Double
    /// Seed sent with each request, where the endpoint honours it.
    public var seed: Int?
    /// Completion tokens per call; nil picks the method's default (pointwise and aspects 256,
    /// yes/no 1, listwise 8 per passage plus 64).
    public var maxTokens: Int?
    /// Pointwise: the probability-weighted score over the scale's tokens, where logprobs come back.
    public var expectedScore: Bool
    /// Listwise and first (at most 20): passages per window.
    public var window: Int
    /// Listwise: how far each window moves towards the front.
    public var step: Int
    /// Listwise: passages longer than this many words are cut (flagged `truncated`).
    public var maxWords: Int
    /// Alternatives per token asked for with logprobs (yes/no, expected score).
    public var topLogprobs: Int
    /// Pointwise, aspects, yes/no: documents judged at once (the client bounds requests in flight too).
    public var concurrency: Int
    /// How structured output is asked for (pointwise, aspects).
    public var jsonMode: JSONMode
    /// Pairwise: lists of at most this many documents compare all pairs; longer ones slide.
    public var allPairsMax: Int
    /// Pairwise (sliding), setwise and top-down windows: how many documents at the top are put in order.
    public var topK: Int
    /// Setwise: passages per call.
    public var setSize: Int
    /// Listwise and first: how a list longer than a window is walked.
    public var windowStrategy: WindowStrategy
    /// Setwise: heap sort or bubble sort.
    public var setwiseSort: SetwiseSort

    /// Options for `model`; every other field has its documented default.
    public init(model: String, temperature: Double = 0, seed: Int? = nil, maxTokens: Int? = nil,
                expectedScore: Bool = false, window: Int = 20, step: Int = 10, maxWords: Int = 300,
                topLogprobs: Int = 10, concurrency: Int = 8, jsonMode: JSONMode = .auto,
                allPairsMax: Int = 20, topK: Int = 10, setSize: Int = 4,
                windowStrategy: WindowStrategy = .sliding, setwiseSort: SetwiseSort = .heap)
    {
        self.model = model
        self.temperature = temperature
        self.seed = seed
        self.maxTokens = maxTokens
        self.expectedScore = expectedScore
        self.window = window
        self.step = step
        self.maxWords = maxWords
        self.topLogprobs = topLogprobs
        self.concurrency = concurrency
        self.jsonMode = jsonMode
        self.allPairsMax = allPairsMax
        self.topK = topK
        self.setSize = setSize
        self.windowStrategy = windowStrategy
        self.setwiseSort = setwiseSort
    }
}
