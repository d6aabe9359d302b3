import Foundation

/// Reads the reply contract every multi-passage method shares (pairwise, setwise): the prompt
/// shows passages as blocks that start a line with a bracketed label (`[A] text`, `[1] text`), and
/// the reply names one of them.
///
/// **Text.** The answer (after any `<think>` reasoning) is read as the first label it names:
/// first the first bracketed label of the set (`[B]`, `[ b ]`, the first of a chain `[B] > [A]`),
/// else the first word that is exactly a label (`B`, `Passage B`, `**B**`). Labels outside the set
/// are ignored; a bare word must match in case, so the article "a" is not label `A`. No usable
/// label is a failure (the judge's repair request, then its flagged fallback).
///
/// **Logprobs.** At the first answer token (a token that is only a bracket or whitespace is
/// skipped to the next), each alternative is matched to a label with and without a leading space
/// or bracket, in any case (`B`, ` B`, `[B`, `b`); the probabilities are summed per label.
public enum LabelParser {
    /// The index in `labels` of the passage `reply` names, or why none is usable.
    public static func parse(_ reply: String, labels: [String]) -> Result<Int, ParseFailure> {
        let answer = ReplyText.answer(of: reply)
        if answer.isBlank { return .failure(answer.blankFailure(reply: reply)) }
        let text = answer.text
        if let index = firstBracketed(text, labels: labels) ?? firstWord(text, labels: labels) {
            return .success(index)
        }
        return .failure(ParseFailure(reason: "no passage label (\(labels.joined(separator: ", "))) in the reply", reply: reply))
    }

    /// Each label's probability at the first answer token (summed over the alternatives that
    /// match it), or nil when the reply has no logprobs or no alternative matches a label.
    public static func probabilities(_ logprobs: [TokenLogprob]?, labels: [String]) -> [Double]? {
        guard let logprobs else { return nil }
        let keys = labels.map { $0.uppercased() }
        guard let position = logprobs.first(where: { !bare($0.token).isEmpty && !isOpening($0.token) }) else { return nil }
        var sums = Array(repeating: 0.0, count: labels.count)
        for alt in position.alternatives {
            if let i = keys.firstIndex(of: bare(alt.token).uppercased()) { sums[i] += probability(alt.logprob) }
        }
        return sums.contains(where: { $0 > 0 }) ? sums : nil
    }

    /// A token's text without tokenizer markers, whitespace, and a leading `[` or trailing `]`.
    static func bare(_ token: String) -> String {
        var s = Substring(TokenLayout.decoded(token).trimmingCharacters(in: .whitespacesAndNewlines))
        if s.hasPrefix("[") { s = s.dropFirst() }
        if s.hasSuffix("]") { s = s.dropLast() }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// True for a token that is whitespace or an opening bracket only (the label comes next).
    private static func isOpening(_ token: String) -> Bool {
        let t = TokenLayout.decoded(token).trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty || t == "["
    }

    private static func firstBracketed(_ text: String, labels: [String]) -> Int? {
        let keys = labels.map { $0.uppercased() }
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            rest = rest[rest.index(after: open)...]
            guard let close = rest.firstIndex(of: "]") else { return nil }
            let inside = rest[..<close].trimmingCharacters(in: .whitespaces).uppercased()
            if let i = keys.firstIndex(of: inside) { return i }
        }
        return nil
    }

    private static func firstWord(_ text: String, labels: [String]) -> Int? {
        for word in text.split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            if let i = labels.firstIndex(of: String(word)) { return i }
        }
        return nil
    }
}
