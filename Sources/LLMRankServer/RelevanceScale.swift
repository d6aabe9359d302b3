import Foundation
import LLMRank

/// Maps a profile's scores into the [0, 1] `relevance_score` that Cohere- and Jina-style clients
/// threshold on, strictly decreasing down the list.
///
/// | last stage | relevance |
/// |---|---|
/// | yes/no | P(yes) |
/// | pointwise on a scale lo..hi | (g - lo) / (hi - lo) (a 1-5 grade: (g - 1) / 4) |
/// | aspects | the weighted total over its range |
/// | listwise | by position: 1 - i / n for the i-th (0-based) of n |
/// | encoder alone | the logit (cross-encoder) or cosine (bi-encoder) through a sigmoid |
/// | remote alone | the remote's own relevance (already in [0, 1] for Cohere, Jina, vLLM and TEI) |
/// | fusion, RRF | the fused score over its maximum, 2 / (k + 1) |
/// | fusion, weighted | the fused score (already in [0, 1]) |
///
/// A document cut by the encoder gets the encoder's mapping, one cut by a remote the remote's score; one no stage could score gets 0. The
/// list is then made strictly decreasing: each value is at most the previous one minus 1e-6, and one
/// that would reach 0 gets at most 1e-6 and half the previous one, so ties and the tail stay ordered.
struct RelevanceScale: Sendable {
    enum Mapping: Sendable, Equatable {
        case probability
        case scale(lo: Double, hi: Double)
        case position
        case sigmoid
        case fraction(of: Double)
    }

    /// How the head's scores (the last stage's) map.
    let head: Mapping

    /// The mapping for a profile's configuration, its judge's prompt resolved here.
    init(configuration: RerankerConfiguration) throws {
        self.init(configuration: configuration, prompt: try configuration.judge?.resolvePrompt())
    }

    /// The mapping for a profile's configuration whose judge's prompt is already resolved (a
    /// running reranker's: the prompt file is not read again).
    init(configuration: RerankerConfiguration, prompt: PromptTemplate?) {
        if let fusion = configuration.fusion, configuration.encoder != nil, configuration.judge != nil {
            head = fusion.method == .rrf ? .fraction(of: 2 / (fusion.k + 1)) : .fraction(of: 1)
        } else if let prompt {
            switch prompt.output {
            case is YesNoContract: head = .probability
            case let p as PointwiseContract: head = .scale(lo: p.scale.min, hi: p.scale.max)
            case let a as AspectsContract: head = .scale(lo: a.totalRange.lowerBound, hi: a.totalRange.upperBound)
            default: head = .position   // listwise, and any method that only orders
            }
        } else if configuration.remote != nil, configuration.encoder == nil {
            head = .fraction(of: 1)
        } else {
            head = .sigmoid
        }
    }

    init(head: Mapping) {
        self.head = head
    }

    /// The relevance of every candidate of `list`, in list order.
    func relevance(_ list: RankedList) -> [Double] {
        let n = list.count
        var out: [Double] = []
        out.reserveCapacity(n)
        var previous = Double.infinity
        for (i, c) in list.candidates.enumerated() {
            var value = raw(c, position: i, count: n)
            if !value.isFinite { value = 0 }
            value = min(max(value, 0), 1)
            var r = previous.isInfinite ? value : min(value, previous - 1e-6)
            if r <= 0 { r = previous.isInfinite ? 1e-6 : min(previous / 2, 1e-6) }
            out.append(r)
            previous = r
        }
        return out
    }

    private func raw(_ c: Candidate, position: Int, count: Int) -> Double {
        if let cut = c.flags.first(where: { $0.code == .cut }) {
            if cut.stage == "remote", let s = c.score(of: "remote") { return s }
            guard cut.stage == "encoder", let s = c.score(of: "encoder") else { return 0 }
            return Self.apply(.sigmoid, s, position: position, count: count)
        }
        if head == .position { return Self.apply(.position, 0, position: position, count: count) }
        guard let s = c.score else { return 0 }
        return Self.apply(head, s, position: position, count: count)
    }

    static func apply(_ mapping: Mapping, _ s: Double, position: Int, count: Int) -> Double {
        switch mapping {
        case .probability: s
        case .scale(let lo, let hi): hi > lo ? (s - lo) / (hi - lo) : 0
        case .position: 1 - Double(position) / Double(max(count, 1))
        case .sigmoid: 1 / (1 + exp(-s))
        case .fraction(let of): of > 0 ? s / of : 0
        }
    }
}
