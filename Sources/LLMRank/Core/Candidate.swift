/// A query to rank documents for.
public struct Query: Sendable, Hashable, Codable {
    /// The query id of a test collection, or "q" when there is none.
    public var id: String
    /// The query's text.
    public var text: String

    /// A query; the id defaults to "q".
    public init(id: String = "q", text: String) {
        self.id = id
        self.text = text
    }
}

/// A document as the caller gives it.
public struct Document: Sendable, Hashable, Codable {
    /// The caller's id, returned as given.
    public var id: String
    /// The text the stages judge.
    public var text: String
    /// Every other field the input carried, kept and returned as is.
    public var metadata: [String: JSONValue]

    /// A document with its id, text and other fields.
    public init(id: String, text: String, metadata: [String: JSONValue] = [:]) {
        self.id = id
        self.text = text
        self.metadata = metadata
    }
}

/// The score one stage gave a candidate. `score` is nil where the stage could not judge it
/// (a fallback, a budget that ran out, a cut); the candidate's flags then say why.
public struct StageScore: Sendable, Hashable, Codable {
    /// The stage's name.
    public var stage: String
    /// The stage's score; nil when it could not judge the candidate.
    public var score: Double?

    /// A stage's score.
    public init(stage: String, score: Double?) {
        self.stage = stage
        self.score = score
    }
}

/// A document on its way through the pipeline: the document, its current score and rank, the
/// score every stage gave it, and the flags stages raised.
public struct Candidate: Sendable, Hashable, Codable {
    /// The document as given.
    public var document: Document
    /// The current score: the last stage's, or the fused one. Nil when no stage has scored it.
    public var score: Double?
    /// 1-based rank in the current list.
    public var rank: Int
    /// The score each stage gave, in the order the stages ran.
    public var stageScores: [StageScore]
    /// What stages had to do with this candidate (clamped, fallback, cut, ...).
    public var flags: [Flag]

    /// A candidate at `rank` with its scores and flags.
    public init(document: Document, score: Double? = nil, rank: Int, stageScores: [StageScore] = [],
                flags: [Flag] = [])
    {
        self.document = document
        self.score = score
        self.rank = rank
        self.stageScores = stageScores
        self.flags = flags
    }

    /// The document's id.
    public var id: String { document.id }
    /// The document's text.
    public var text: String { document.text }
    /// The document's other fields.
    public var metadata: [String: JSONValue] { document.metadata }

    /// The score the named stage gave, if it gave one.
    public func score(of stage: String) -> Double? {
        stageScores.last(where: { $0.stage == stage })?.score
    }
}

/// An ordered list of candidates, best first. Ranks are 1-based and always match positions.
public struct RankedList: Sendable, Hashable, Codable {
    /// The candidates, best first.
    public private(set) var candidates: [Candidate]

    /// A list in the given order (the first-stage retrieval order), with ranks 1...n and no scores.
    public init(documents: [Document]) {
        candidates = documents.enumerated().map { Candidate(document: $1, rank: $0 + 1) }
    }

    /// A list of candidates in the given order; ranks are renumbered to match.
    public init(candidates: [Candidate]) {
        self.candidates = candidates
        renumber()
    }

    /// How many candidates.
    public var count: Int { candidates.count }
    /// True when there are none.
    public var isEmpty: Bool { candidates.isEmpty }
    /// The ids, best first.
    public var ids: [String] { candidates.map(\.id) }

    /// The first `n` candidates (all when n >= count).
    public func top(_ n: Int) -> RankedList {
        RankedList(candidates: Array(candidates.prefix(max(0, n))))
    }

    /// Replaces the order; ranks follow positions.
    public mutating func reorder(_ newOrder: [Candidate]) {
        candidates = newOrder
        renumber()
    }

    /// Changes candidates in place without reordering.
    public mutating func modify(_ body: (inout Candidate) throws -> Void) rethrows {
        for i in candidates.indices { try body(&candidates[i]) }
    }

    private mutating func renumber() {
        for i in candidates.indices { candidates[i].rank = i + 1 }
    }
}
