/// A listwise ranking read from a reply: a full permutation of the window.
public struct ParsedPermutation: Sendable, Hashable, Codable {
    /// 0-based indices into the window, best first; always every index of 0..<count exactly once.
    public var order: [Int]
    /// `permutation-repaired` flags, one per kind of repair, each naming the ids concerned
    /// ("missing [4], [7]", "dropped duplicate [2]", "dropped out-of-range [0], [21]", …).
    public var flags: [Flag]

    /// A permutation `order` (0-based, best first) with its repair flags.
    public init(order: [Int], flags: [Flag] = []) {
        self.order = order
        self.flags = flags
    }
}

/// Reads a RankGPT-style ranking ("[2] > [1] > [3]") over passages numbered [1]..[count].
///
/// The reply is read after any `<think>…</think>` reasoning. Only identifiers in brackets count:
/// `[n]`, with spaces inside allowed, full-width brackets (`【n】`, `［n］`) and full-width digits
/// (`［３］`), so the stray numbers of "I ranked 20 passages: [2] > [1]" are not ids (rank_llm's
/// cleaner keeps every digit run and reads 20 as an id). The ids are grouped into runs: ids joined by
/// one kind of separator (`>`/`=` chains, `,`/`;` lists, one per line, spaces) with no letters
/// between them but parenthetical remarks and the word "passage", or one id a line with a
/// description after it ("[3] - on topic"). A chain wrapped over lines stays one run; an id already
/// in the run after such a change of separator starts a new one ("[2] > [1]\n[2] is best because").
/// The run with the most distinct valid ids is the ranking (the last such run on a tie, since replies
/// conclude last), so "Passage [3] is off-topic. Ranking: [2] > [1] > [3]" reads [2, 1, 3], not
/// [3, 2, 1] as a read of all ids in order would. When no run has two valid ids (one for a window of
/// one), every id counts in order of appearance ("[2] is best, then [1], then [3]").
///
/// Repairs, each flagged `permutation-repaired`:
/// - ids outside [1]..[count] are dropped ("dropped out-of-range [0], [21]");
/// - repeated ids are dropped after their first place ("dropped duplicate [2]");
/// - ids never named are appended in their incoming order ("missing [4], [7]");
/// - a reply whose ids are exactly [0]..[count-1] is read as 0-based ("read ids as 0-based");
/// - with no bracketed id at all, a JSON list of integers (`[2, 1, 3]`, `{"ranking": [2, 1, 3]}`,
///   the longest one) or else a bare chain (`2 > 1 > 3`, also `Passage 2 > Passage 1`, `#2 > #1`)
///   is read, flagged "no [n] ids; read …".
///
/// Failure: no usable id at all (none, or all out of range). A window of zero passages is the empty
/// permutation, whatever the reply.
public enum PermutationParser {
    /// Reads the ranking of a window of `count` passages, shown to the model as [1]..[count].
    /// - Parameters:
    ///   - reply: the model's reply, as it came.
    ///   - count: passages in the window.
    ///   - pattern: the prompt's `text_pattern`, when it is not the default `\[(\d+)\]` (which the
    ///     built-in reader covers and extends): each match's capture is one id, and the matches take
    ///     the place of the bracketed ids in the rules above (runs, repairs, fallbacks).
    /// - Returns: a full permutation of 0..<count with one `permutation-repaired` flag per kind of
    ///   repair, or a failure when the reply names no usable id.
    public static func parse(_ reply: String, count: Int, pattern: String? = nil) -> Result<ParsedPermutation, ParseFailure> {
        guard count > 0 else { return .success(ParsedPermutation(order: [])) }
        let answer = ReplyText.answer(of: reply)
        if answer.isBlank { return .failure(answer.blankFailure(reply: reply)) }
        let s = Array(answer.scalars[answer.range])

        var read: [Identifier]
        var flags: [Flag] = []
        let bracketed: [Identifier]
        if pattern != defaultPattern, let contract = ContractPattern(pattern) {
            bracketed = contract.matches(in: answer.text).map { match in
                let digits = match.capture.trimmingSpaces
                let trimmed = digits.drop(while: { $0 == "0" })
                return Identifier(value: Int(digits), text: trimmed.isEmpty ? digits : String(trimmed),
                                  start: match.scalarRange.lowerBound, end: match.scalarRange.upperBound)
            }
        } else {
            bracketed = bracketedIds(in: s)
        }
        if !bracketed.isEmpty {
            read = chosenRun(bracketed, in: s, count: count)
        } else if let list = jsonList(in: answer.text) {
            read = list.map { Identifier(value: $0, text: String($0), start: 0, end: 0) }
            flags.append(Flag(.permutationRepaired, "no [n] ids; read the JSON list [\(list.map(String.init).joined(separator: ", "))]"))
        } else if let chain = bareChain(in: s) {
            read = chain
            flags.append(Flag(.permutationRepaired, "no [n] ids; read the chain \(chain.map(\.text).joined(separator: " > "))"))
        } else {
            return .failure(ParseFailure(reason: "no passage identifiers like [1] in the reply", reply: reply))
        }

        // Exactly [0]..[count-1]: a 0-based reply.
        let values = read.compactMap(\.value)
        if values.count == read.count, values.contains(0), Set(values) == Set(0..<count) {
            read = read.map { Identifier(value: $0.value.map { $0 + 1 }, text: $0.text, start: $0.start, end: $0.end) }
            flags.append(Flag(.permutationRepaired, "read ids as 0-based"))
        }
        switch repair(read, count: count) {
        case .success(var permutation):
            permutation.flags = flags + permutation.flags
            return .success(permutation)
        case .failure(let failure):
            return .failure(ParseFailure(reason: failure.reason, reply: reply))
        }
    }

    /// The listwise contract's default pattern, which `bracketedIds` reads and more.
    static let defaultPattern = #"\[(\d+)\]"#

    /// Makes a full permutation of 0..<count from 1-based `identifiers` in ranked order, by the
    /// repairs of `parse` (out-of-range and repeated ids dropped, missing ids appended in incoming
    /// order, each kind flagged). For a judge that got the ids another way (a JSON schema reply).
    public static func repair(identifiers: [Int], count: Int) -> Result<ParsedPermutation, ParseFailure> {
        guard count > 0 else { return .success(ParsedPermutation(order: [])) }
        return repair(identifiers.map { Identifier(value: $0, text: String($0), start: 0, end: 0) }, count: count)
    }

    /// A ranking as a prompt asks for it and `parse` reads it back: 0-based `order` as "[a] > [b] > …".
    public static func format(_ order: [Int]) -> String {
        order.map { "[\($0 + 1)]" }.joined(separator: " > ")
    }

    // MARK: Repair

    struct Identifier {
        /// Nil when the digits do not fit an Int.
        var value: Int?
        var text: String
        var start: Int
        var end: Int
    }

    private static func repair(_ ids: [Identifier], count: Int) -> Result<ParsedPermutation, ParseFailure> {
        var seen = [Bool](repeating: false, count: count)
        var order: [Int] = []
        var duplicates: [String] = [], outOfRange: [String] = []
        for id in ids {
            guard let v = id.value, v >= 1, v <= count else {
                outOfRange.append("[\(id.text)]")
                continue
            }
            if seen[v - 1] {
                duplicates.append("[\(v)]")
            } else {
                seen[v - 1] = true
                order.append(v - 1)
            }
        }
        guard !order.isEmpty else {
            let reason = ids.isEmpty ? "no passage identifiers in the reply"
                : "no identifier between [1] and [\(count)] (read \(list(ids.map { "[\($0.text)]" })))"
            return .failure(ParseFailure(reason: reason, excerpt: ""))
        }
        let missing = (0..<count).filter { !seen[$0] }
        order += missing
        var flags: [Flag] = []
        if !missing.isEmpty { flags.append(Flag(.permutationRepaired, "missing \(list(missing.map { "[\($0 + 1)]" }))")) }
        if !duplicates.isEmpty { flags.append(Flag(.permutationRepaired, "dropped duplicate \(list(duplicates.uniqued()))")) }
        if !outOfRange.isEmpty { flags.append(Flag(.permutationRepaired, "dropped out-of-range \(list(outOfRange.uniqued()))")) }
        return .success(ParsedPermutation(order: order, flags: flags))
    }

    /// "[4], [7]", at most ten names then "and N more".
    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(10).joined(separator: ", ")
        return names.count > 10 ? "\(shown) and \(names.count - 10) more" : shown
    }

    // MARK: Reading ids

    private static let opening: Set<Unicode.Scalar> = ["[", "\u{3010}", "\u{FF3B}"]
    private static let closing: Set<Unicode.Scalar> = ["]", "\u{3011}", "\u{FF3D}"]

    /// An ASCII or full-width digit ("３", as CJK replies write them), as ASCII.
    private static func asciiDigit(_ c: Unicode.Scalar) -> Unicode.Scalar? {
        if TextScan.isDigit(c) { return c }
        if (0xFF10...0xFF19).contains(c.value) { return Unicode.Scalar(c.value - 0xFF10 + 48) }
        return nil
    }

    /// Every `[n]` in the text.
    static func bracketedIds(in s: [Unicode.Scalar]) -> [Identifier] {
        var ids: [Identifier] = []
        var i = 0
        while i < s.count {
            guard opening.contains(s[i]) else {
                i += 1
                continue
            }
            var p = i + 1
            while p < s.count, s[p] == " " { p += 1 }
            var digits = ""
            while p < s.count, let d = asciiDigit(s[p]) {
                digits.unicodeScalars.append(d)
                p += 1
            }
            while p < s.count, s[p] == " " { p += 1 }
            if !digits.isEmpty, p < s.count, closing.contains(s[p]) {
                let trimmed = digits.drop(while: { $0 == "0" })
                ids.append(Identifier(value: Int(digits), text: trimmed.isEmpty ? "0" : String(trimmed),
                                      start: i, end: p + 1))
                i = p + 1
            } else {
                i += 1
            }
        }
        return ids
    }

    private enum Separator { case chain, list, line, space }

    /// What joins two ids, when it can join them into one run. Parenthetical remarks and the words
    /// passage(s), document(s), doc are ignored ("[3] (most relevant) > Passage [1]"). Without letters and short: a chain (`>`, `=`, `≻`, `→`), a list
    /// (`,`, `;`), one id a line (a single line break, optionally numbered: "1. [2]\n2. [1]"), or
    /// spaces. With letters: one id a line with a description after it ("[3] - on topic\n[1] - …"),
    /// the next line starting with the id after at most a short prefix ("- ", "2. ").
    private static func separator(_ raw: ArraySlice<Unicode.Scalar>) -> Separator? {
        var kept = String.UnicodeScalarView()
        var depth = 0
        for c in raw {
            if c == "(" { depth += 1 } else if c == ")" && depth > 0 { depth -= 1 } else if depth == 0 { kept.append(c) }
        }
        // "Passage [3] > Passage [1]": the word naming the ids is not a remark.
        var lowered = String(kept).lowercased()
        for word in ["passages", "passage", "documents", "document", "doc"] { lowered = lowered.replacingOccurrences(word) }
        let text = Array(lowered.unicodeScalars)
        let newlines = text.filter { $0 == "\n" }.count
        if !text.contains(where: TextScan.isLetter) && text.count <= 24 {
            if text.contains(where: { ">＞≻→=".unicodeScalars.contains($0) }) { return .chain }
            if text.contains(where: { $0 == "," || $0 == ";" }) { return .list }
            if newlines > 0 { return newlines == 1 ? .line : nil }  // a blank line ends a run
            return text.allSatisfy({ $0.properties.isWhitespace }) ? .space : nil
        }
        guard newlines == 1, raw.count <= 240, let nl = text.firstIndex(of: "\n") else { return nil }
        let nextLinePrefix = text[(nl + 1)...]
        return nextLinePrefix.count <= 8 && !nextLinePrefix.contains(where: TextScan.isLetter) ? .line : nil
    }

    private static func chosenRun(_ ids: [Identifier], in s: [Unicode.Scalar], count: Int) -> [Identifier] {
        var runs: [[Identifier]] = [[ids[0]]]
        var inRun: Set<String> = [ids[0].text]
        var kind: Separator?
        for id in ids.dropFirst() {
            let sep = separator(s[runs[runs.count - 1].last!.end..<id.start])
            // A run keeps the separator it started with; another one (a chain wrapped over two lines)
            // continues it only with a new id, so "[2] > [1]\n[2] is best because …" stops at [1].
            let continues: Bool
            if let sep {
                continues = kind == nil || kind == sep || !inRun.contains(id.text)
            } else {
                continues = false
            }
            if continues {
                runs[runs.count - 1].append(id)
                if kind == nil { kind = sep }
            } else {
                runs.append([id])
                inRun = []
                kind = nil
            }
            inRun.insert(id.text)
        }
        func score(_ run: [Identifier]) -> Int {
            Set(run.compactMap(\.value).filter { $0 >= 1 && $0 <= count }).count
        }
        // A run must hold two ids to be a ranking (one, when the window has one passage).
        guard let best = runs.indices.max(by: { (score(runs[$0]), $0) < (score(runs[$1]), $1) }),
            score(runs[best]) >= min(2, count)
        else { return ids }
        return runs[best]
    }

    /// The longest list of integers among the JSON values of the text (nested ones included).
    private static func jsonList(in text: String) -> [Int]? {
        var best: [Int]?
        func visit(_ value: JSONValue, depth: Int) {
            guard depth < 16 else { return }
            switch value {
            case .array(let a):
                let ints = a.compactMap { v -> Int? in
                    guard let d = v.doubleValue, d.rounded() == d, abs(d) < 1e9 else { return nil }
                    return Int(d)
                }
                if !a.isEmpty, ints.count == a.count, ints.count >= (best?.count ?? 0) { best = ints }
                for element in a { visit(element, depth: depth + 1) }
            case .object(let o):
                for key in o.keys.sorted() { visit(o[key]!, depth: depth + 1) }
            default: break
            }
        }
        for value in JSONExtractor.values(in: text) { visit(value, depth: 0) }
        return best
    }

    /// The longest chain of plain numbers joined by `>` ("2 > 1 > 3"), each optionally after
    /// "passage", "document", "doc", "p", "id" or `#`; the last on a tie; nil when none has two.
    private static func bareChain(in s: [Unicode.Scalar]) -> [Identifier]? {
        let scan = TextScan(s[...])
        let prefixWords: Set<String> = ["passage", "passages", "document", "doc", "p", "id"]
        var best: [Identifier] = [], current: [Identifier] = []
        var previousEnd: Int?
        for n in scan.numbers {
            // Digits only, whole, not negative; "#2" and "p2" count although they read as embedded.
            let digits = scan.text(n.start..<n.end)
            guard digits.unicodeScalars.allSatisfy(TextScan.isDigit) else {
                current = []
                previousEnd = nil
                continue
            }
            let id = Identifier(value: Int(digits), text: digits, start: n.start, end: n.end)
            if let previousEnd, joinedByChain(scan, from: previousEnd, to: n.start, prefixWords: prefixWords) {
                current.append(id)
            } else {
                current = [id]
            }
            previousEnd = n.end
            if current.count >= 2, current.count >= best.count { best = current }
        }
        return best.count >= 2 ? best : nil
    }

    private static func joinedByChain(_ scan: TextScan, from: Int, to: Int, prefixWords: Set<String>) -> Bool {
        var text = scan.text(from..<to).lowercased()
        for word in prefixWords.sorted(by: { $0.count > $1.count }) { text = text.replacingOccurrences(word) }
        let rest = text.unicodeScalars.filter { !$0.properties.isWhitespace && $0 != "#" }
        return rest.count == 1 && ">＞≻→".unicodeScalars.contains(rest.first!) && text.count <= 24
    }
}

extension String {
    /// The string with every occurrence of `word` removed (no Foundation needed).
    fileprivate func replacingOccurrences(_ word: String) -> String {
        guard !word.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: word) {
            out += rest[..<r.lowerBound]
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
