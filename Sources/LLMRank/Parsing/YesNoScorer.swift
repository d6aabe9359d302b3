/// Scores a yes/no relevance judgment by the probability the model gave "Yes".
///
/// With logprobs: at the first generated token of the answer (after any `<think>` reasoning) whose
/// alternatives include a yes or a no, score = P(yes) / (P(yes) + P(no)), each summed over every
/// spelling among that token's alternatives, the generated token included: case ("Yes", "yes",
/// "YES"), a leading space or tokenizer marker (" yes", "▁Yes", "ĠYes"), surrounding punctuation or
/// emphasis ("Yes.", "**Yes"). When only one side is among the alternatives, the other counts as 0
/// (it was below the top alternatives), so the score is 1 or 0. Source `logprobs`, no flags.
///
/// Without usable probabilities, the generated answer decides, flagged `no-logprobs`: score 1 for yes,
/// 0 for no, source `generatedToken`. That happens when `logprobs` is nil or empty, when the position
/// has no alternatives, or when no yes/no is among them. The answer is the reply's first word if it is
/// yes or no; otherwise the only one of the two words the reply uses. Failure: neither word, both
/// without one first, or an empty reply.
public enum YesNoScorer {
    /// The yes-probability of a yes/no reply.
    /// - Parameters:
    ///   - logprobs: the reply's tokens with their top alternatives, or nil where the endpoint gave none.
    ///   - content: the reply's text, used when the probabilities cannot be.
    /// - Returns: a score in 0...1 (flagged `no-logprobs` when it is the generated word), or a failure
    ///   when the reply is neither yes nor no.
    public static func score(logprobs: [TokenLogprob]?, content: String) -> Result<ParsedScore, ParseFailure> {
        var why = "the endpoint returned no logprobs"
        if let logprobs, !logprobs.isEmpty {
            let layout = TokenLayout(logprobs)
            let answer = ReplyText.answer(of: layout.scalars)
            let first = layout.firstToken(endingAfter: answer.range.lowerBound)
            why = "no Yes/No among the top alternatives"
            for i in logprobs.indices where i >= first {
                let position = logprobs[i]
                var pYes = 0.0, pNo = 0.0
                for alt in position.alternatives {
                    switch answerWord(alt.token) {
                    case "yes": pYes += probability(alt.logprob)
                    case "no": pNo += probability(alt.logprob)
                    default: break
                    }
                }
                guard pYes + pNo > 0 else { continue }
                if position.topLogprobs.isEmpty {
                    why = "no alternatives returned for the answer token"
                    break
                }
                let p = pYes / (pYes + pNo)
                guard p.isFinite else { break }
                let evidence = "P(yes) \(rounded(pYes)), P(no) \(rounded(pNo)) at token \(i + 1)"
                return .success(ParsedScore(value: p, raw: p, source: .logprobs, evidence: evidence))
            }
        }
        return generatedAnswer(content, why: why)
    }

    /// "yes" or "no" when the token spells one of them, whatever its case, leading space, tokenizer
    /// marker or surrounding punctuation; nil otherwise.
    static func answerWord(_ token: String) -> String? {
        let strip = Set(" \t\n\r*_\"'`.,!:;()[]<>".unicodeScalars)
        let scalars = Array(TokenLayout.decoded(token).unicodeScalars)
        guard let lo = scalars.firstIndex(where: { !strip.contains($0) }),
            let hi = scalars.lastIndex(where: { !strip.contains($0) })
        else { return nil }
        let word = String(String.UnicodeScalarView(scalars[lo...hi])).lowercased()
        return word == "yes" || word == "no" ? word : nil
    }

    private static func generatedAnswer(_ content: String, why: String) -> Result<ParsedScore, ParseFailure> {
        let answer = ReplyText.answer(of: content)
        if answer.isBlank { return .failure(answer.blankFailure(reply: content)) }
        let words = TextScan(answer.scalars[answer.range]).words
        var said: String?
        if let first = words.first, first.text == "yes" || first.text == "no" {
            said = first.text
        } else {
            let kinds = Set(words.map(\.text).filter { $0 == "yes" || $0 == "no" })
            if kinds.count == 1 { said = kinds.first }
        }
        guard let said else {
            let reason = words.contains(where: { $0.text == "yes" }) && words.contains(where: { $0.text == "no" })
                ? "the reply says both yes and no" : "no Yes or No in the reply"
            return .failure(ParseFailure(reason: reason, reply: content))
        }
        let value: Double = said == "yes" ? 1 : 0
        return .success(ParsedScore(value: value, raw: value,
                                    flags: [Flag(.noLogprobs, "\(why); used the generated \"\(said)\"")],
                                    source: .generatedToken, evidence: said))
    }

    private static func rounded(_ p: Double) -> String {
        let r = (p * 1000).rounded() / 1000
        return String(r)
    }
}
