/// The numbers and words of a reply, each number with the context that decides what it can be:
/// a score, part of a word ("GPT-4"), a bound of a range ("0-10"), a denominator ("/10").
/// Works on Unicode scalars so positions are plain integers; only ASCII digits make numbers.
struct TextScan {
    struct Number {
        var value: Double
        /// First scalar, the sign included.
        var start: Int
        /// One past the last digit.
        var end: Int
        /// One past the denominator for a fraction ("7/10", "7 out of 10"), else `end`.
        var spanEnd: Int
        /// Written as a fraction with this denominator.
        var denominator: Double?
        /// Part of something else: a word or name ("GPT-4", "top-10", "3rd"), a version or date,
        /// a time, a percentage, an amount of money, a thousands group. Never a score.
        var embedded = false
        /// A bound of a range ("0-10", "1 to 5"), a denominator, or a list marker ("2. ").
        /// Never a score; a label may reach past it ("Score (0-10): 7").
        var consumed = false
        /// Followed by a colon: a key, as in an echoed rubric ("Score 3: highly relevant").
        var isKey = false
        /// Wrapped in `**…**`, `__…__`, `*…*` or `[[…]]`.
        var emphasised = false
        /// Alone on its line, give or take brackets and punctuation.
        var aloneOnLine = false

        var isCandidate: Bool { !embedded && !consumed }
    }

    struct Word {
        /// Lowercased letters.
        var text: String
        var start: Int
        var end: Int
    }

    let s: [Unicode.Scalar]
    /// Offset of `s` in the caller's text (answers after a `</think>` start past 0).
    let base: Int
    private(set) var numbers: [Number] = []
    private(set) var words: [Word] = []
    private var numberAt: [Int: Int] = [:]
    /// For each position (and one past the end): where its line starts and ends.
    private var lineStarts: [Int] = []
    private var lineEnds: [Int] = []
    /// Prefix counts over `s`, so that "is this stretch only X" is O(1) on long replies:
    /// scalars other than whitespace; other than whitespace, `*` and `#` (a line's indent);
    /// other than whitespace and the decoration around a number alone on its line.
    private var nonSpace: [Int] = [0]
    private var nonIndent: [Int] = [0]
    private var nonDecoration: [Int] = [0]
    private static let decoration = Set("*_#[]()\"'`.>:-".unicodeScalars)

    init(_ scalars: ArraySlice<Unicode.Scalar>) {
        s = Array(scalars)
        base = scalars.startIndex
        indexLines()
        scanWords()
        scanNumbers()
        markFractionsAndRanges()
        markContext()
        for (k, n) in numbers.enumerated() { numberAt[n.start] = k }
    }

    init(_ text: String) { self.init(Array(text.unicodeScalars)[...]) }

    // MARK: Characters

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }
    static func isLetter(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic }
    static func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace }
    static func isMinus(_ c: Unicode.Scalar) -> Bool { c == "-" || c == "\u{2212}" }
    static func isDash(_ c: Unicode.Scalar) -> Bool { c == "-" || c == "\u{2013}" || c == "\u{2014}" || c == "\u{2212}" }

    private func at(_ i: Int) -> Unicode.Scalar? { i >= 0 && i < s.count ? s[i] : nil }

    func text(_ range: Range<Int>) -> String {
        let lo = max(0, min(range.lowerBound, s.count)), hi = max(lo, min(range.upperBound, s.count))
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s[lo..<hi])
        return String(v)
    }

    // MARK: Scanning

    private mutating func indexLines() {
        lineStarts = [Int](repeating: 0, count: s.count + 1)
        lineEnds = [Int](repeating: s.count, count: s.count + 1)
        var start = 0
        for i in 0...s.count {
            lineStarts[i] = start
            if i < s.count, s[i] == "\n" { start = i + 1 }
        }
        var end = s.count
        for i in stride(from: s.count - 1, through: 0, by: -1) {
            if s[i] == "\n" { end = i }
            lineEnds[i] = end
        }
        nonSpace.reserveCapacity(s.count + 1)
        nonIndent.reserveCapacity(s.count + 1)
        nonDecoration.reserveCapacity(s.count + 1)
        for c in s {
            let space = Self.isSpace(c)
            nonSpace.append(nonSpace.last! + (space ? 0 : 1))
            nonIndent.append(nonIndent.last! + (space || c == "*" || c == "#" ? 0 : 1))
            nonDecoration.append(nonDecoration.last! + (space || Self.decoration.contains(c) ? 0 : 1))
        }
    }

    private func count(_ prefix: [Int], _ r: Range<Int>) -> Int { r.isEmpty ? 0 : prefix[r.upperBound] - prefix[r.lowerBound] }

    private mutating func scanWords() {
        var i = 0
        while i < s.count {
            guard Self.isLetter(s[i]) else {
                i += 1
                continue
            }
            let start = i
            while i < s.count, Self.isLetter(s[i]) { i += 1 }
            words.append(Word(text: text(start..<i).lowercased(), start: start, end: i))
        }
    }

    private mutating func scanNumbers() {
        var i = 0
        while i < s.count {
            guard Self.isDigit(s[i]) else {
                i += 1
                continue
            }
            var end = i
            while end < s.count, Self.isDigit(s[end]) { end += 1 }
            var digits = text(i..<end)
            if end + 1 < s.count, s[end] == ".", Self.isDigit(s[end + 1]) {
                var k = end + 1
                while k < s.count, Self.isDigit(s[k]) { k += 1 }
                digits = text(i..<k)
                end = k
            }
            var start = i
            // ".5": a decimal without its leading zero (but not the tail of "1.2.5" or "v.5").
            if !digits.contains("."), let dot = at(i - 1), dot == ".",
                at(i - 2).map({ !Self.isDigit($0) && !Self.isLetter($0) }) ?? true
            {
                digits = "0." + digits
                start = i - 1
            }
            var negative = false
            if let sign = at(start - 1), Self.isMinus(sign),
                at(start - 2).map({ Self.isSpace($0) || "([{:=\"'*>,".unicodeScalars.contains($0) }) ?? true
            {
                negative = true
                start -= 1
            }
            if let magnitude = Double(digits) {
                numbers.append(Number(value: negative ? -magnitude : magnitude, start: start, end: end, spanEnd: end))
            }
            i = end
        }
    }

    /// Fractions ("7/10", "7 out of 10"), bare denominators ("out of 10"), ranges ("0-10",
    /// "1 to 5", "1–5"). A denominator and both bounds of a range are consumed.
    private mutating func markFractionsAndRanges() {
        for k in numbers.indices {
            let b = numbers[k]
            // "out of N", with or without a numerator before it.
            var p = b.start - 1
            while p >= 0, Self.isSpace(s[p]) { p -= 1 }
            if let wi = wordIndex(endingAt: p + 1), words[wi].text == "of", wi > 0, words[wi - 1].text == "out",
                isOnlySpace(words[wi - 1].end..<words[wi].start)
            {
                numbers[k].consumed = true
                var q = words[wi - 1].start - 1
                while q >= 0, Self.isSpace(s[q]) { q -= 1 }
                if k > 0, numbers[k - 1].end == q + 1 {
                    numbers[k - 1].denominator = b.value
                    numbers[k - 1].spanEnd = b.end
                }
                continue
            }
            guard k > 0 else { continue }
            let a = numbers[k - 1]
            let between = text(a.end..<b.start).trimmingSpaces
            if between == "/" && b.value >= 0 {
                numbers[k].consumed = true
                numbers[k - 1].denominator = b.value
                numbers[k - 1].spanEnd = b.end
            } else if (between.count == 1 && between.unicodeScalars.allSatisfy(Self.isDash)) || between == "to"
                || (between.isEmpty && b.value < 0 && Self.isMinus(s[b.start]))
            {
                // "1-5", "1 - 5", "1 to 5", and "1 -5" (where the dash was read as a sign).
                numbers[k - 1].consumed = true
                numbers[k].consumed = true
            }
        }
    }

    private mutating func markContext() {
        var listMarkers: [Int] = []
        defer {
            // A list ("1. …", "2. …" at line starts) numbers its items; one such line alone may be an
            // answer ("3. Highly relevant"), so markers count only when there are two or more.
            if listMarkers.count >= 2 { for k in listMarkers { numbers[k].consumed = true } }
        }
        for k in numbers.indices {
            let n = numbers[k]
            let before = at(n.start - 1), before2 = at(n.start - 2)
            let after = at(n.spanEnd), after2 = at(n.spanEnd + 1)
            let afterDigits = at(n.end)
            var embedded = false
            if let c = before {
                if Self.isLetter(c) || "_$€£¥#@§^\\".unicodeScalars.contains(c) { embedded = true }
                if Self.isDash(c), let c2 = before2, Self.isLetter(c2) || Self.isDigit(c2) { embedded = true }
                if (c == "." || c == ":" || c == ","), let c2 = before2, Self.isDigit(c2) { embedded = true }
            }
            if let c = afterDigits {
                if Self.isLetter(c) || "_%°‰€$£".unicodeScalars.contains(c) { embedded = true }
                if (c == "." || c == ":"), let c2 = at(n.end + 1), Self.isDigit(c2) { embedded = true }
                if c == ",", let c2 = at(n.end + 1), Self.isDigit(c2) { embedded = true }
                if Self.isDash(c), let c2 = at(n.end + 1), Self.isLetter(c2) { embedded = true }
            }
            // A range or fraction swallowed the dash or slash: "0-10" is not "GPT-4".
            if n.consumed { embedded = false }
            if embedded, let c = before, Self.isDash(c), let c2 = before2, Self.isDigit(c2),
                k > 0, numbers[k - 1].consumed
            {
                embedded = false
            }
            numbers[k].embedded = embedded

            if isListMarker(n) { listMarkers.append(k) }

            // Followed by a colon (not a time): a key, as in "Score 3: highly relevant".
            var p = n.spanEnd
            while let c = at(p), c == " " || c == "*" || c == "_" { p += 1 }
            if let c = at(p), c == ":" || c == "=", !(at(p + 1).map(Self.isDigit) ?? false) { numbers[k].isKey = true }

            // Emphasis.
            if let b = before, let a = after {
                if (b == "*" && a == "*") || (b == "_" && a == "_") { numbers[k].emphasised = true }
                if b == "[", before2 == "[", a == "]", after2 == "]" { numbers[k].emphasised = true }
            }

            // Alone on its line.
            let lo = lineStarts[n.start], hi = lineEnds[n.spanEnd]
            if count(nonDecoration, lo..<n.start) == 0, count(nonDecoration, n.spanEnd..<hi) == 0 {
                numbers[k].aloneOnLine = true
            }
        }
    }

    /// "2. " or "2) " at the start of a line, followed by more text on that line.
    private func isListMarker(_ n: Number) -> Bool {
        guard lineStart(n.start), !n.consumed, n.denominator == nil, n.value >= 0,
            let c = at(n.end), c == "." || c == ")", let c2 = at(n.end + 1), c2 == " " || c2 == "\t"
        else { return false }
        let rest = n.end + 2, end = lineEnds[n.end]
        return rest < end && count(nonSpace, rest..<end) > 0
    }

    /// Whether only indentation (whitespace, `*`, `#`) comes before `i` on its line.
    private func lineStart(_ i: Int) -> Bool { count(nonIndent, lineStarts[i]..<i) == 0 }

    private func isOnlySpace(_ r: Range<Int>) -> Bool { count(nonSpace, r) == 0 }

    private func wordIndex(endingAt end: Int) -> Int? {
        // Words are few; a binary search keeps long replies linear enough.
        var lo = 0, hi = words.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if words[mid].end == end { return mid }
            if words[mid].end < end { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }

    // MARK: Labels

    /// Punctuation a label may be separated from its number by: `Score: 7`, `**Score:** 7`,
    /// `"score": 7`, `<score>7`, `score = 7`, `Score (0-10): 7`, `Score - 7`.
    private static let gapPunctuation = Set("*_\"'`:=#[(<>)|-–—".unicodeScalars)

    /// The number a label ending at `labelEnd` points to: the first number after it, across
    /// whitespace, the gap punctuation, the given filler words and consumed numbers (a range or a
    /// scale such as "(0-10)" or "out of 10"), within 48 scalars. Nil when something else comes
    /// first, when that number is embedded, or when it is a key ("Score 3: …"). A parenthetical
    /// remark without a candidate number is skipped whole ("Direct answer (does it answer?): 4").
    func number(afterLabelEndingAt labelEnd: Int, fillers: Set<String>) -> Int? {
        var p = labelEnd
        var budget = 48
        while p < s.count, budget > 0 {
            budget -= 1
            if s[p] == "(", let close = closingParenthesis(after: p) {
                // A remark without a number ("(higher is better)", "(0-10)") is skipped whole.
                if !hasCandidate(in: (p + 1)..<close) {
                    p = close + 1
                    continue
                }
            }
            if let k = numberAt[p] {
                let n = numbers[k]
                if n.consumed {
                    p = n.spanEnd
                    continue
                }
                return n.embedded || n.isKey ? nil : k
            }
            let c = s[p]
            if Self.isSpace(c) || Self.gapPunctuation.contains(c) {
                p += 1
                continue
            }
            if Self.isLetter(c) {
                var q = p
                while q < s.count, Self.isLetter(s[q]) { q += 1 }
                guard fillers.contains(text(p..<q).lowercased()) else { return nil }
                p = q
                continue
            }
            return nil
        }
        return nil
    }

    /// Whether a candidate number starts within `range`.
    private func hasCandidate(in range: Range<Int>) -> Bool {
        var lo = 0, hi = numbers.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if numbers[mid].start < range.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        var k = lo
        while k < numbers.count, numbers[k].start < range.upperBound {
            if numbers[k].isCandidate { return true }
            k += 1
        }
        return false
    }

    /// Whether the next word after number `k` on its line (across spaces, emphasis and quotes, not
    /// across other punctuation) is one of `words`.
    func isFollowed(_ k: Int, byWordIn words: Set<String>) -> Bool {
        var p = numbers[k].spanEnd
        while p < s.count, " \t*_\"'`".unicodeScalars.contains(s[p]) { p += 1 }
        var q = p
        while q < s.count, Self.isLetter(s[q]) { q += 1 }
        return q > p && words.contains(text(p..<q).lowercased())
    }

    /// The `)` closing the `(` at `open` on the same line, within 80 scalars.
    private func closingParenthesis(after open: Int) -> Int? {
        var p = open + 1
        while p < s.count, p - open <= 80 {
            switch s[p] {
            case ")": return p
            case "(", "\n": return nil
            default: p += 1
            }
        }
        return nil
    }

    /// Occurrences of a label made of several words ("direct answer"): consecutive words equal to
    /// `phrase`, separated only by spaces, `_` or `-`. Returns the end of each occurrence and the
    /// index of its first word.
    func occurrences(of phrase: [String]) -> [(firstWord: Int, end: Int)] {
        guard !phrase.isEmpty, phrase.count <= words.count else { return [] }
        var out: [(Int, Int)] = []
        for w in 0...(words.count - phrase.count) {
            var ok = true
            for j in 0..<phrase.count {
                if words[w + j].text != phrase[j] {
                    ok = false
                    break
                }
                if j > 0 {
                    let gap = words[w + j - 1].end..<words[w + j].start
                    if gap.isEmpty || gap.count > 3
                        || !gap.allSatisfy({ s[$0] == " " || s[$0] == "_" || Self.isDash(s[$0]) })
                    {
                        ok = false
                        break
                    }
                }
            }
            if ok { out.append((w, words[w + phrase.count - 1].end)) }
        }
        return out
    }
}
