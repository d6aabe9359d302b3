/// Scores a yes/no relevance judgment by the probability the model gave its yes label.
///
/// The labels are the prompt's (`Yes`/`No` by default; `output.labels` in a prompt file). With
/// logprobs: at the first generated token of the answer (after any `<think>` reasoning) whose
/// alternatives include a label, score = P(yes) / (P(yes) + P(no)), each summed over every spelling
/// of the label among that token's alternatives, the generated token included: case ("Yes", "yes",
/// "YES"), a leading space or tokenizer marker (" yes", "▁Yes", "ĠYes"), surrounding punctuation or
/// emphasis ("Yes.", "**Yes"). When only one side is among the alternatives, the other counts as 0
/// (it was below the top alternatives), so the score is 1 or 0. Source `logprobs`, no flags.
/// A label the tokenizer splits into several tokens cannot be read this way (the fallback applies).
///
/// Without usable probabilities, the generated answer decides, flagged `no-logprobs`: score 1 for yes,
/// 0 for no, source `generatedToken`. That happens when `logprobs` is nil or empty, when the position
/// has no alternatives, or when no label is among them. The answer is the first match of the
/// prompt's `pattern` whose capture is a label; else the reply's first words if they are a label;
/// else the only one of the two labels the reply uses. Failure: neither label, both without one
/// first, or an empty reply.
public enum YesNoScorer {
    /// The yes-probability of a yes/no reply.
    /// - Parameters:
    ///   - logprobs: the reply's tokens with their top alternatives, or nil where the endpoint gave none.
    ///   - content: the reply's text, used when the probabilities cannot be.
    ///   - yes: the label that means relevant; compared without case, spaces or punctuation.
    ///   - no: the label that means not relevant.
    ///   - pattern: the prompt's `text_pattern` (one capture group: the answer word), for the fallback.
    /// - Returns: a score in 0...1 (flagged `no-logprobs` when it is the generated word), or a failure
    ///   when the reply gives neither label.
    public static func score(logprobs: [TokenLogprob]?, content: String, yes: String = "Yes", no: String = "No",
                             pattern: String? = nil) -> Result<ParsedScore, ParseFailure>
    {
        let labels = Labels(yes: yes, no: no)
        var why = "the endpoint returned no logprobs"
        if let logprobs, !logprobs.isEmpty {
            let layout = TokenLayout(logprobs)
            let answer = ReplyText.answer(of: layout.scalars)
            let first = layout.firstToken(endingAfter: answer.range.lowerBound)
            why = "no \(yes)/\(no) among the top alternatives"
            for i in logprobs.indices where i >= first {
                let position = logprobs[i]
                var pYes = 0.0, pNo = 0.0
                for alt in position.alternatives {
                    switch labels.answer(token: alt.token) {
                    case true?: pYes += probability(alt.logprob)
                    case false?: pNo += probability(alt.logprob)
                    case nil: break
                    }
                }
                guard pYes + pNo > 0 else { continue }
                if position.topLogprobs.isEmpty {
                    why = "no alternatives returned for the answer token"
                    break
                }
                let p = pYes / (pYes + pNo)
                guard p.isFinite else { break }
                let evidence = "P(\(yes)) \(rounded(pYes)), P(\(no)) \(rounded(pNo)) at token \(i + 1)"
                return .success(ParsedScore(value: p, raw: p, source: .logprobs, evidence: evidence))
            }
        }
        return generatedAnswer(content, labels: labels, pattern: pattern, why: why)
    }

    /// The two labels, compared loosely.
    struct Labels {
        var yes: String
        var no: String
        private let yesKey: String
        private let noKey: String
        private let yesWords: [String]
        private let noWords: [String]

        init(yes: String, no: String) {
            self.yes = yes
            self.no = no
            yesKey = Self.key(yes)
            noKey = Self.key(no)
            yesWords = letterWords(yes)
            noWords = letterWords(no)
        }

        /// True for the yes label, false for the no label, nil for anything else: whatever the
        /// token's case, leading space, tokenizer marker or surrounding punctuation.
        func answer(token: String) -> Bool? {
            let k = Self.key(TokenLayout.decoded(token))
            if k.isEmpty { return nil }
            if k == yesKey { return true }
            if k == noKey { return false }
            return nil
        }

        enum Reading { case answer(Bool), both, neither }

        /// The answer the reply's words give: a label at the start, else the only label used.
        func read(words: [String]) -> Reading {
            func starts(with label: [String]) -> Bool { !label.isEmpty && words.starts(with: label) }
            if starts(with: yesWords) && !starts(with: noWords) { return .answer(true) }
            if starts(with: noWords) && !starts(with: yesWords) { return .answer(false) }
            switch (contains(words, yesWords), contains(words, noWords)) {
            case (true, false): return .answer(true)
            case (false, true): return .answer(false)
            case (true, true): return .both
            case (false, false): return .neither
            }
        }

        private func contains(_ words: [String], _ label: [String]) -> Bool {
            guard !label.isEmpty, words.count >= label.count else { return false }
            return (0...(words.count - label.count)).contains { Array(words[$0..<($0 + label.count)]) == label }
        }

        /// Lowercased, without whitespace, tokenizer markers, emphasis, quotes or punctuation around it.
        static func key(_ text: String) -> String {
            let strip = Set(" \t\n\r*_\"'`.,!:;()[]<>".unicodeScalars)
            let scalars = Array(text.unicodeScalars)
            guard let lo = scalars.firstIndex(where: { !strip.contains($0) }),
                let hi = scalars.lastIndex(where: { !strip.contains($0) })
            else { return "" }
            return String(String.UnicodeScalarView(scalars[lo...hi])).lowercased()
        }
    }

    /// "yes" or "no" when the token spells the default labels; nil otherwise.
    static func answerWord(_ token: String) -> String? {
        Labels(yes: "Yes", no: "No").answer(token: token).map { $0 ? "yes" : "no" }
    }

    private static func generatedAnswer(_ content: String, labels: Labels, pattern: String?, why: String)
        -> Result<ParsedScore, ParseFailure>
    {
        let answer = ReplyText.answer(of: content)
        if answer.isBlank { return .failure(answer.blankFailure(reply: content)) }
        var reading = Labels.Reading.neither
        if let contract = ContractPattern(pattern),
            let a = contract.matches(in: answer.text).lazy.compactMap({ labels.answer(token: $0.capture) }).first
        {
            reading = .answer(a)
        } else {
            reading = labels.read(words: TextScan(answer.scalars[answer.range]).words.map(\.text))
        }
        switch reading {
        case .answer(let said):
            let label = said ? labels.yes : labels.no
            return .success(ParsedScore(value: said ? 1 : 0, raw: said ? 1 : 0,
                                        flags: [Flag(.noLogprobs, "\(why); used the generated \"\(label)\"")],
                                        source: .generatedToken, evidence: label))
        case .both:
            return .failure(ParseFailure(reason: "the reply says both \(labels.yes) and \(labels.no)", reply: content))
        case .neither:
            return .failure(ParseFailure(reason: "neither \(labels.yes) nor \(labels.no) in the reply", reply: content))
        }
    }

    private static func rounded(_ p: Double) -> String {
        let r = (p * 1000).rounded() / 1000
        return String(r)
    }
}
