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
}
