import Foundation

/// Generated tokens laid end to end as text, so a position in the text maps back to its token.
/// Tokenizer markers become what they stand for: SentencePiece's `▁` and byte-level BPE's `Ġ` a
/// space, `Ċ` a line break (endpoints usually decode them already; some do not).
struct TokenLayout {
    let scalars: [Unicode.Scalar]
    /// Offset in `scalars` where each token starts.
    let starts: [Int]

    init(_ tokens: [TokenLogprob]) {
        var scalars: [Unicode.Scalar] = []
        var starts: [Int] = []
        for t in tokens {
            starts.append(scalars.count)
            scalars.append(contentsOf: Self.decoded(t.token).unicodeScalars)
        }
        self.scalars = scalars
        self.starts = starts
    }

    static func decoded(_ token: String) -> String {
        var out = String.UnicodeScalarView()
        for c in token.unicodeScalars {
            switch c {
            case "\u{2581}", "\u{0120}": out.append(" ")
            case "\u{010A}": out.append("\n")
            default: out.append(c)
            }
        }
        return String(out)
    }

    /// The token covering `offset`: the last one starting at or before it.
    func tokenIndex(containing offset: Int) -> Int? {
        guard !starts.isEmpty, offset >= 0, offset < scalars.count else { return nil }
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Index of the first token that ends after `offset` (the first token of text from `offset` on).
    func firstToken(endingAfter offset: Int) -> Int {
        for i in starts.indices {
            let end = i + 1 < starts.count ? starts[i + 1] : scalars.count
            if end > offset { return i }
        }
        return starts.count
    }
}

extension TokenLogprob {
    /// The generated token and its alternatives, each token once (the chosen one first).
    var alternatives: [TopLogprob] {
        var seen = Set<String>()
        var out: [TopLogprob] = []
        for alt in [TopLogprob(token: token, logprob: logprob)] + topLogprobs where seen.insert(alt.token).inserted {
            out.append(alt)
        }
        return out
    }
}

/// The probability of a log probability; a positive one (a server's rounding) counts as 1, NaN as 0.
func probability(_ logprob: Double) -> Double {
    guard !logprob.isNaN else { return 0 }
    return exp(min(logprob, 0))
}
