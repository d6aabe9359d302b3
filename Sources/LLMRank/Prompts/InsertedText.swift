/// Query and document text as a template inserts it: data that cannot forge the prompt's
/// structure. Everything is kept verbatim except what a prompt uses as structure:
///
/// - at the start of a line (and of the text), after any blanks: a bracketed label of one to eight
///   letters or digits becomes parenthesised (`[10] x` -> `(10) x`, `[A]` -> `(A)`), and an entry
///   or role word with an optional label and a colon loses the colon (`Passage B: x` ->
///   `Passage B - x`; the words are passage, document, query, search query, system, user,
///   assistant, in any case);
/// - anywhere: a think tag becomes parenthesised (`</think>` -> `(/think)`, also `<thinking>`),
///   and a chat template's special-token opener `<|` becomes `< |`.
///
/// Ordinary text (none of these forms) is returned unchanged, so its prompts and cache keys are too.
enum InsertedText {
    /// `text` with every structural marker neutralised (see the type's comment).
    static func neutralized(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "<") })
        else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var atLineStart = true
        var i = text.startIndex
        while i < text.endIndex {
            if atLineStart {
                while i < text.endIndex, isBlank(text[i]) {
                    out.append(text[i])
                    i = text.index(after: i)
                }
                atLineStart = false
                if let (replacement, end) = lineMarker(text[i...]) {
                    out += replacement
                    i = end
                    continue
                }
                guard i < text.endIndex else { break }
            }
            let c = text[i]
            if c == "<", let (replacement, end) = tag(text[i...]) {
                out += replacement
                i = end
                continue
            }
            out.append(c)
            if c.isNewline { atLineStart = true }
            i = text.index(after: i)
        }
        return out
    }

    /// The entry and role words a line may not start with, followed by a colon.
    static let entryWords: [[String]] = [["search", "query"], ["passage"], ["document"], ["query"],
                                         ["system"], ["user"], ["assistant"]]

    /// The think tags' names.
    static let thinkNames = ["thinking", "think"]

    /// A structural marker at the start of `s`: its replacement and where it ends.
    private static func lineMarker(_ s: Substring) -> (String, String.Index)? {
        if s.first == "[" {
            let open = s.index(after: s.startIndex)
            let start = skipBlanks(s, from: open)
            guard let end = label(s, from: start) else { return nil }
            let close = skipBlanks(s, from: end)
            guard close < s.endIndex, s[close] == "]" else { return nil }
            return ("(\(s[start..<end]))", s.index(after: close))
        }
        for words in entryWords {
            guard var j = match(words[0], in: s, from: s.startIndex) else { continue }
            var matched = true
            for word in words.dropFirst() {
                let k = skipBlanks(s, from: j)
                guard k > j, let end = match(word, in: s, from: k) else { matched = false; break }
                j = end
            }
            guard matched, j == s.endIndex || !isLabelCharacter(s[j]) else { continue }
            var k = skipBlanks(s, from: j)
            if k > j, let end = label(s, from: k) { k = skipBlanks(s, from: end) }
            guard k < s.endIndex, s[k] == ":" else { continue }
            return ("\(s[s.startIndex..<k]) -", s.index(after: k))
        }
        return nil
    }

    /// A think tag or a special-token opener at the start of `s` (which starts with `<`).
    private static func tag(_ s: Substring) -> (String, String.Index)? {
        var j = s.index(after: s.startIndex)
        if j < s.endIndex, s[j] == "|" { return ("< |", s.index(after: j)) }
        j = skipBlanks(s, from: j)
        var slash = ""
        if j < s.endIndex, s[j] == "/" {
            slash = "/"
            j = skipBlanks(s, from: s.index(after: j))
        }
        for name in thinkNames {
            guard let end = match(name, in: s, from: j) else { continue }
            let close = skipBlanks(s, from: end)
            guard close < s.endIndex, s[close] == ">" else { return nil }
            return ("(" + slash + name + ")", s.index(after: close))
        }
        return nil
    }

    /// The end of `word` (lowercase ASCII) at `from` in `s`, matched in any case.
    private static func match(_ word: String, in s: Substring, from: String.Index) -> String.Index? {
        var j = from
        for w in word {
            guard j < s.endIndex, s[j].lowercased() == String(w) else { return nil }
            j = s.index(after: j)
        }
        return j
    }

    /// The end of a label (one to eight letters or digits) at `from`, nil when there is none.
    private static func label(_ s: Substring, from: String.Index) -> String.Index? {
        var j = from
        var count = 0
        while j < s.endIndex, isLabelCharacter(s[j]) {
            count += 1
            guard count <= 8 else { return nil }
            j = s.index(after: j)
        }
        return count > 0 ? j : nil
    }

    private static func skipBlanks(_ s: Substring, from: String.Index) -> String.Index {
        var j = from
        while j < s.endIndex, isBlank(s[j]) { j = s.index(after: j) }
        return j
    }

    private static func isLabelCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber }

    /// Spaces, tabs and invisible format characters (a zero-width space): not a line break.
    private static func isBlank(_ c: Character) -> Bool {
        guard !c.isNewline else { return false }
        return c.isWhitespace || c.unicodeScalars.allSatisfy { $0.properties.generalCategory == .format }
    }
}
