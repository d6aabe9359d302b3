/// The word budget every judging method holds passages to before they enter a prompt (the judge's
/// `max_words`, `--max-words`): a 1 MB document costs what its first words cost, and the cut is
/// flagged `truncated` on the document by the method that made it.
enum WordBudget {
    /// The first `maxWords` whitespace-separated words of `text` joined by single spaces, and
    /// whether anything was cut (text within the budget comes back unchanged).
    static func cut(_ text: String, maxWords: Int) -> (text: String, cut: Bool) {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        guard maxWords > 0, words.count > maxWords else { return (text, false) }
        return (words.prefix(maxWords).joined(separator: " "), true)
    }

    /// The texts of `set` cut to `maxWords`, and a `truncated` flag of `stage` for each one cut.
    static func cut(_ set: [Candidate], maxWords: Int, stage: String) -> (passages: [String], flags: [(id: String, flag: Flag)]) {
        var flags: [(id: String, flag: Flag)] = []
        let passages = set.map { candidate in
            let (text, cut) = cut(candidate.text, maxWords: maxWords)
            if cut { flags.append((candidate.id, Flag(.truncated, stage: stage, "cut to \(maxWords) words"))) }
            return text
        }
        return (passages, flags)
    }
}
