/// The model's probabilities over the scale's values at the token where it wrote its score.
public struct ScoreDistribution: Sendable, Hashable, Codable {
    /// Probability of each scale value, normalized over the values present (they sum to 1).
    public var probabilities: [Int: Double]
    /// Probability the scale's values carried before normalizing, in 0...1. Low mass means the
    /// alternatives were mostly something else (text, other numbers), so the mean says less.
    public var mass: Double
    /// Index, in the logprobs, of the token the score was read at.
    public var tokenIndex: Int

    /// A distribution over scale values, its mass and the token it was read at.
    public init(probabilities: [Int: Double], mass: Double, tokenIndex: Int) {
        self.probabilities = probabilities
        self.mass = mass
        self.tokenIndex = tokenIndex
    }

    /// The probability-weighted score Σ value × p.
    public var mean: Double {
        probabilities.keys.sorted().reduce(0) { $0 + Double($1) * probabilities[$1]! }
    }
}

/// The expected score of a pointwise reply: the probability-weighted mean over the scale's integer
/// values, which breaks the ties that integer scores leave.
///
/// The position is found the way `ScoreParser` reads the score: the tokens are laid end to end
/// (after any `<think>` reasoning) and the number the parser would take (a labelled `Score: 4`,
/// `"score": 4` in JSON, a fraction, a lone number …) marks the token it starts in; when the parser
/// finds none, the first number in the scale's range does. So `{"score": 4}`, where the score is not
/// the first token, and "it covers 2 aspects … Score: 4" both read at the token of 4.
///
/// At that token, each alternative (the generated token included) that reads as an integer of the
/// scale adds its probability to that value; an alternative must carry the same text before its
/// digits as the generated token (`": 4"` against `": 3"`; spaces do not matter) and no letter or
/// digit after them. Two-digit scores written as two tokens ("1", "0" for 10) are handled: the
/// probability of the "1" alternative is split by the next token's alternatives between 1 and
/// 10, 11, …; where the generated score is a single digit, an alternative "1" counts as 1.
/// The result is normalized over the values present.
///
/// Nil when there are no logprobs, the scale is not integer or has negative values, no score
/// position is found, or no alternative at it is a scale value.
public enum ExpectedScore {
    /// The probability-weighted score, or nil (see the type's documentation for when).
    public static func from(logprobs: [TokenLogprob]?, scale: ScoreScale) -> Double? {
        distribution(logprobs: logprobs, scale: scale)?.mean
    }

    /// The probabilities over the scale's values at the score's token, or nil.
    public static func distribution(logprobs: [TokenLogprob]?, scale: ScoreScale) -> ScoreDistribution? {
        guard let logprobs, !logprobs.isEmpty, scale.min >= 0, !scale.integerValues.isEmpty else { return nil }
        let layout = TokenLayout(logprobs)
        let answer = ReplyText.answer(of: layout.scalars)
        let scan = TextScan(layout.scalars[answer.range])
        let index: Int
        switch ScoreParser.locate(in: scan, scale: scale) {
        case .success(let found): index = found.index
        case .failure:
            guard let k = scan.numbers.indices.first(where: {
                scan.numbers[$0].isCandidate && scale.contains(scan.numbers[$0].value)
            }) else { return nil }
            index = k
        }
        // The first digit of the number, in the layout.
        var d = scan.base + scan.numbers[index].start
        while d < layout.scalars.count, !TextScan.isDigit(layout.scalars[d]) { d += 1 }
        guard let t = layout.tokenIndex(containing: d) else { return nil }

        let tokenStart = layout.starts[t]
        let tokenEnd = t + 1 < layout.starts.count ? layout.starts[t + 1] : layout.scalars.count
        let prefix = String(String.UnicodeScalarView(layout.scalars[tokenStart..<d]))
        var runEnd = d
        while runEnd < layout.scalars.count, TextScan.isDigit(layout.scalars[runEnd]) { runEnd += 1 }
        let chosenDigits = String(String.UnicodeScalarView(layout.scalars[d..<min(runEnd, tokenEnd)]))
        // The number goes on in the next token ("1" then "0").
        let continues = runEnd > tokenEnd && t + 1 < logprobs.count

        var weights: [Int: Double] = [:]
        func add(_ digits: String, _ p: Double) {
            guard p > 0, let v = Int(digits), scale.contains(Double(v)) else { return }
            weights[v, default: 0] += p
        }
        for alt in logprobs[t].alternatives {
            guard let digits = leadingDigits(of: alt.token, after: prefix) else { continue }
            let p = probability(alt.logprob)
            if continues && digits == chosenDigits {
                var continued = 0.0
                for next in logprobs[t + 1].alternatives {
                    guard let more = leadingDigits(of: next.token, after: "") else { continue }
                    let q = probability(next.logprob)
                    continued += q
                    add(digits + more, p * q)
                }
                add(digits, p * max(0, 1 - continued))
            } else {
                add(digits, p)
            }
        }
        let mass = weights.values.reduce(0, +)
        guard mass > 0, mass.isFinite else { return nil }
        return ScoreDistribution(probabilities: weights.mapValues { $0 / mass }, mass: min(mass, 1), tokenIndex: t)
    }

    /// The digits that begin `token` once `prefix` is taken off (spaces ignored), provided no letter
    /// or further digit follows them; nil otherwise.
    private static func leadingDigits(of token: String, after prefix: String) -> String? {
        let isSpace: (Unicode.Scalar) -> Bool = { $0.properties.isWhitespace }
        var text = Array(TokenLayout.decoded(token).unicodeScalars).drop(while: isSpace)
        let core = Array(prefix.unicodeScalars.filter { !isSpace($0) })
        guard text.starts(with: core) else { return nil }
        text = text.dropFirst(core.count).drop(while: isSpace)
        let digits = text.prefix(while: TextScan.isDigit)
        guard !digits.isEmpty else { return nil }
        if let next = text.dropFirst(digits.count).first, TextScan.isLetter(next) { return nil }
        if text.dropFirst(digits.count).first == ".", let after = text.dropFirst(digits.count + 1).first,
            TextScan.isDigit(after)
        {
            return nil
        }
        return String(String.UnicodeScalarView(digits))
    }
}
