/// The part of a reply that carries the answer. Reasoning models wrap their thinking in
/// `<think>…</think>` (or `<thinking>…</thinking>`); numbers and ids in there are drafts, not the
/// answer, so every parser reads only what follows the last closing tag. Some chat templates put
/// the opening tag in the prompt, so a closing tag without an opening one still ends the reasoning.
/// A reply with an opening tag and no closing one ran out of tokens while thinking: its answer is
/// what came before the tag (usually nothing).
enum ReplyText {
    struct Answer {
        /// The reply's scalars.
        var scalars: [Unicode.Scalar]
        /// Where the answer lies in `scalars`.
        var range: Range<Int>
        /// True when reasoning was cut off (an opening tag with no closing one).
        var unterminatedReasoning: Bool

        var text: String {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[range])
            return String(s)
        }

        /// True when the answer holds nothing but whitespace.
        var isBlank: Bool { scalars[range].allSatisfy { $0.properties.isWhitespace } }

        /// The failure for a blank answer, worded by what happened.
        func blankFailure(reply: String) -> ParseFailure {
            if unterminatedReasoning {
                return ParseFailure(reason: "the reply ended inside its <think> reasoning, with no answer", reply: reply)
            }
            if range.lowerBound > 0 {
                return ParseFailure(reason: "no answer after the </think> reasoning", reply: reply)
            }
            return ParseFailure(reason: "empty reply", reply: reply)
        }
    }

    static func answer(of reply: String) -> Answer {
        answer(of: Array(reply.unicodeScalars))
    }

    static func answer(of scalars: [Unicode.Scalar]) -> Answer {
        var lastClose: Int?
        for tag in ["</think>", "</thinking>"] {
            if let end = lastOccurrenceEnd(of: tag, in: scalars) { lastClose = max(lastClose ?? 0, end) }
        }
        if let lastClose { return Answer(scalars: scalars, range: lastClose..<scalars.count, unterminatedReasoning: false) }
        var open: Int?
        for tag in ["<think>", "<thinking>"] {
            if let start = firstOccurrenceStart(of: tag, in: scalars) { open = min(open ?? Int.max, start) }
        }
        if let open { return Answer(scalars: scalars, range: 0..<open, unterminatedReasoning: true) }
        return Answer(scalars: scalars, range: 0..<scalars.count, unterminatedReasoning: false)
    }

    /// ASCII case-insensitive search; `needle` must be lowercase ASCII.
    private static func matches(_ needle: [UInt8], _ s: [Unicode.Scalar], at i: Int) -> Bool {
        guard i >= 0, i + needle.count <= s.count else { return false }
        for k in 0..<needle.count {
            var v = s[i + k].value
            if v >= 65 && v <= 90 { v += 32 }
            if v != UInt32(needle[k]) { return false }
        }
        return true
    }

    private static func lastOccurrenceEnd(of tag: String, in s: [Unicode.Scalar]) -> Int? {
        let needle = Array(tag.utf8)
        var i = s.count - needle.count
        while i >= 0 {
            if matches(needle, s, at: i) { return i + needle.count }
            i -= 1
        }
        return nil
    }

    private static func firstOccurrenceStart(of tag: String, in s: [Unicode.Scalar]) -> Int? {
        let needle = Array(tag.utf8)
        guard s.count >= needle.count else { return nil }
        for i in 0...(s.count - needle.count) where matches(needle, s, at: i) { return i }
        return nil
    }
}
