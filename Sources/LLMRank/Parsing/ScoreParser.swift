/// Reads a relevance score on a scale from a model's free-text or JSON reply.
///
/// The reply is read after any `<think>…</think>` reasoning. Then, strongest evidence first:
/// 1. **JSON**: the last object in the reply (fenced or not, single quotes allowed; see
///    `JSONExtractor`) that has `jsonKey`, matched exactly, then loosely (case, `_`, spaces), then
///    one of `score`, `relevance`, `relevance_score`, `rating`, `grade`; also one level down
///    (`{"result": {"score": 4}}`). The value may be a number or a string holding a score ("4/5").
/// 2. **Pattern**: when the prompt gives a `text_pattern`, the last match whose capture is a number
///    (one in the scale preferred). A pattern that does not compile is ignored.
/// 3. **Label**: a number after `Score`, `Rating`, `Relevance`, `Grade`, `Judgment`, `Answer:`
///    (or the last word of `jsonKey`), across punctuation (`**Score:** 7`, `"score": 7`,
///    `<score>7</score>`, `score = 7`), a stated scale (`Score (0-10): 7`, `Rating out of 10: 7`) and
///    a few filler words (`The final score is 7`, `relevance score of 7`). A number followed by a colon
///    is a key, not a value, so an echoed rubric ("Score 3: highly relevant") is not a score.
/// 4. **Verb**: a number after rate/rated/give/gave/assign/award ("I would rate it 3",
///    "I give this passage a 2").
/// 5. **Fraction** whose denominator is the scale's maximum: `7/10`, `8 out of 10`.
/// 6. **Emphasis**: `**4**`, `__4__`, `[[4]]`.
/// 7. **Line**: a number alone on its line.
/// 8. **Number**: the one number in the scale's range, when the reply holds exactly one such value.
///
/// Within a level the LAST occurrence wins: replies reason first and conclude last, and a model that
/// corrects itself corrects forward ("it covers 2 aspects … Score: 4" is 4; "Score: 3 … no, Score: 4"
/// is 4). Two kinds of later numbers are more likely about something else and lose to an earlier one:
/// a hypothetical, followed by would/could/means/requires/is/or … ("Score: 2. A score of 3 would need
/// a direct answer" is 2), and one outside the scale ("Score: 2. Its BM25 score of 12.3 is high" is 2);
/// they count when the level has nothing better. Never a score: numbers inside words, names, versions, dates, times, percentages and money
/// ("GPT-4", "top-10", "3rd", "v1.2.3", "2023-05-01", "50%", "$20"), the bounds of a range ("0-10",
/// "1 to 5"), denominators ("/10", "out of 10"), list markers of a numbered list. Decimals ("3.5",
/// ".5") and negative numbers ("-1") are read as written; a score from levels 1-7 outside the scale
/// is clamped into it and flagged `clamped` ("12 > 10"); at level 8 only in-range numbers count.
///
/// Failures: an empty reply (or one that ended inside its reasoning); a reply that is only a JSON
/// object (fenced or not) without a usable score entry, since the numbers in its other fields are not
/// the score; no number at all; only numbers that cannot be scores; several different in-range
/// numbers with none labelled ("ambiguous").
public enum ScoreParser {
    /// Reads the score of `reply` on `scale`.
    /// - Parameters:
    ///   - reply: the model's message content, as returned.
    ///   - scale: the range the prompt asked for; a fraction over `scale.max` reads as a score.
    ///   - jsonKey: the key a JSON reply carries the score under (the prompt's `score_field`).
    ///   - pattern: the prompt's `text_pattern` (one capture group: the score), tried after JSON and
    ///     before the built-in rules.
    /// - Returns: the score with its flags (`clamped`), or why there is none.
    public static func parse(_ reply: String, scale: ScoreScale, jsonKey: String = "score", pattern: String? = nil)
        -> Result<ParsedScore, ParseFailure>
    {
        let answer = ReplyText.answer(of: reply)
        if answer.isBlank { return .failure(answer.blankFailure(reply: reply)) }
        if let fromJSON = scoreFromJSON(answer.text, scale: scale, jsonKey: jsonKey) { return .success(fromJSON) }
        if let contract = ContractPattern(pattern), let fromPattern = scoreFromPattern(contract, answer.text, scale: scale) {
            return .success(fromPattern)
        }
        if case .object = JSONExtractor.onlyValue(in: answer.text) {
            // A JSON-only reply without its score: numbers elsewhere in it are not the score.
            return .failure(ParseFailure(reason: "the JSON reply has no usable \"\(jsonKey)\" value", reply: reply))
        }
        let scan = TextScan(answer.scalars[answer.range])
        switch locate(in: scan, scale: scale, jsonKey: jsonKey) {
        case .success(let found):
            let n = scan.numbers[found.index]
            let (value, flag) = scale.clamp(n.value)
            return .success(ParsedScore(value: value, raw: n.value, flags: flag.map { [$0] } ?? [],
                                        source: found.source, evidence: found.evidence))
        case .failure(let noScore):
            return .failure(ParseFailure(reason: noScore.reason, reply: reply))
        }
    }

    // MARK: JSON

    static let aliasKeys = ["score", "relevance", "relevancescore", "rating", "grade"]

    private static func scoreFromJSON(_ text: String, scale: ScoreScale, jsonKey: String) -> ParsedScore? {
        // Cheap exit: no brace, no object.
        guard text.unicodeScalars.contains("{") else { return nil }
        for object in JSONExtractor.objects(in: text).reversed() {
            if let (key, value) = scoreEntry(in: object, jsonKey: jsonKey),
                let raw = number(from: value, scale: scale, jsonKey: jsonKey)
            {
                let (clamped, flag) = scale.clamp(raw)
                return ParsedScore(value: clamped, raw: raw, flags: flag.map { [$0] } ?? [], source: .json,
                                   evidence: "\"\(key)\": \(formatNumber(raw))")
            }
        }
        return nil
    }

    /// The score entry of an object: `jsonKey` exactly, loosely, an alias; then the same one level down.
    static func scoreEntry(in object: [String: JSONValue], jsonKey: String) -> (String, JSONValue)? {
        if let direct = topLevelEntry(in: object, jsonKey: jsonKey) { return direct }
        for key in object.keys.sorted() {
            if case .object(let inner) = object[key], let entry = topLevelEntry(in: inner, jsonKey: jsonKey) {
                return entry
            }
        }
        return nil
    }

    private static func topLevelEntry(in object: [String: JSONValue], jsonKey: String) -> (String, JSONValue)? {
        if let v = object[jsonKey] { return (jsonKey, v) }
        let wanted = [normalizedKey(jsonKey)] + aliasKeys
        for w in wanted {
            for key in object.keys.sorted() where normalizedKey(key) == w { return (key, object[key]!) }
        }
        return nil
    }

    private static func number(from value: JSONValue, scale: ScoreScale, jsonKey: String) -> Double? {
        switch value {
        case .number(let n): return n
        case .string(let text):
            guard case .success(let parsed) = parse(text, scale: scale, jsonKey: jsonKey) else { return nil }
            return parsed.raw
        case .object(let inner):
            // {"score": {"value": 4}}
            for key in ["value", "score"] {
                if case .number(let n) = inner[key] { return n }
            }
            return nil
        default: return nil
        }
    }

    // MARK: Pattern

    /// The last match whose capture reads as a number, preferring one within the scale.
    private static func scoreFromPattern(_ contract: ContractPattern, _ text: String, scale: ScoreScale) -> ParsedScore? {
        var chosen: (value: Double, text: String)?
        for match in contract.matches(in: text) {
            let capture = match.capture.trimmingSpaces
            guard let value = Double(capture) ?? TextScan(capture).numbers.first(where: \.isCandidate)?.value else {
                continue
            }
            if let current = chosen, scale.contains(current.value), !scale.contains(value) { continue }
            chosen = (value, match.text)
        }
        guard let chosen else { return nil }
        let (value, flag) = scale.clamp(chosen.value)
        return ParsedScore(value: value, raw: chosen.value, flags: flag.map { [$0] } ?? [], source: .pattern,
                           evidence: ParseFailure.excerpt(of: chosen.text, limit: 80))
    }

    // MARK: Text

    static let labelWords: Set<String> = ["score", "rating", "relevance", "grade", "judgment", "judgement"]
    static let colonLabelWords: Set<String> = ["answer"]
    static let verbWords: Set<String> = ["rate", "rated", "give", "gave", "assign", "assigned", "award", "awarded"]
    static let labelFillers: Set<String> = [
        "is", "of", "be", "would", "will", "should", "a", "an", "as", "at", "it", "this", "final", "overall",
        "scale", "on", "out", "from", "to", "i", "my", "score", "rating", "relevance", "grade",
    ]
    static let verbFillers: Set<String> = [
        "it", "this", "that", "the", "passage", "document", "doc", "text", "result", "one", "a", "an", "as",
        "at", "of", "score", "rating", "grade", "relevance", "solid", "strong", "low", "high", "only",
    ]

    /// Why `locate` found no score.
    struct NoScore: Error {
        var reason: String
    }

    /// Words after a number that make it a hypothetical or a description, not the verdict:
    /// "a score of 3 would require …", "a score of 2 means …", "Score: 2 or 3".
    static let hypotheticalWords: Set<String> = [
        "would", "could", "might", "should", "requires", "require", "needs", "need", "means", "mean",
        "indicates", "implies", "is", "are", "if", "when", "or",
    ]

    struct Located {
        var index: Int
        var source: ScoreSource
        var evidence: String
    }

    /// The number the score is read from, by the levels in the type's documentation (3-8; JSON and
    /// the pattern are handled before). Shared with `ExpectedScore`, which needs the position.
    static func locate(in scan: TextScan, scale: ScoreScale, jsonKey: String = "score")
        -> Result<Located, NoScore>
    {
        guard !scan.numbers.isEmpty else { return .failure(NoScore(reason: "no number in the reply")) }
        var best: [ScoreSource: (index: Int, labelStart: Int, rank: (Int, Int, Int))] = [:]
        func offer(_ source: ScoreSource, _ index: Int, labelStart: Int) {
            // Within a level: a stated score beats a hypothetical one ("Score: 2. A score of 3 would
            // need …" is 2), an in-range one an out-of-range one ("Score: 2. Its BM25 score of 12.3 …"
            // is 2), a later one an earlier one; for one number, the label nearest to it wins.
            let n = scan.numbers[index]
            let stated = scan.isFollowed(index, byWordIn: hypotheticalWords) ? 0 : 1
            let rank = (stated, scale.contains(n.value) ? 1 : 0, index)
            if let current = best[source], current.rank > rank { return }
            best[source] = (index, labelStart, rank)
        }
        var labels = labelWords
        if let last = letterWords(jsonKey).last { labels.insert(last) }
        for word in scan.words {
            let isLabel = labels.contains(word.text)
            let isColonLabel = colonLabelWords.contains(word.text) && scan.text(word.end..<(word.end + 3))
                .unicodeScalars.contains(":")
            let isVerb = verbWords.contains(word.text)
            guard isLabel || isColonLabel || isVerb else { continue }
            guard let k = scan.number(afterLabelEndingAt: word.end, fillers: isVerb ? verbFillers : labelFillers)
            else { continue }
            offer(isVerb ? .verb : .label, k, labelStart: word.start)
        }
        var inRange: [Int] = []
        for (k, n) in scan.numbers.enumerated() where n.isCandidate {
            if let d = n.denominator, d == scale.max { offer(.fraction, k, labelStart: n.start) }
            if n.emphasised { offer(.emphasis, k, labelStart: max(0, n.start - 2)) }
            if n.aloneOnLine { offer(.line, k, labelStart: n.start) }
            if scale.contains(n.value) { inRange.append(k) }
        }
        for source in [ScoreSource.label, .verb, .fraction, .emphasis, .line] {
            if let (k, labelStart, _) = best[source] {
                return .success(Located(index: k, source: source, evidence: evidence(scan, from: labelStart, number: k, source: source)))
            }
        }
        let distinct = Set(inRange.map { scan.numbers[$0].value })
        if distinct.count == 1, let k = inRange.last {
            return .success(Located(index: k, source: .number, evidence: evidence(scan, from: scan.numbers[k].start, number: k, source: .number)))
        }
        if distinct.count > 1 {
            let listed = inRange.map { formatNumber(scan.numbers[$0].value) }.uniqued().prefix(5).joined(separator: ", ")
            return .failure(NoScore(reason: "several numbers (\(listed)) and none labelled as the score"))
        }
        if scan.numbers.contains(where: \.isCandidate) {
            return .failure(NoScore(reason: "no number in the range \(scale) and none labelled as the score"))
        }
        return .failure(NoScore(reason: "no score: the only numbers are parts of words, ranges or denominators"))
    }

    private static func evidence(_ scan: TextScan, from start: Int, number k: Int, source: ScoreSource) -> String {
        let n = scan.numbers[k]
        var lo = min(start, n.start)
        if n.spanEnd - lo > 80 { lo = max(n.start - 40, lo) }
        let hi = n.spanEnd
        // Keep closing emphasis or tags that directly follow ("**4**", "[[4]]").
        var end = hi
        while source == .emphasis, end < scan.s.count, end - hi < 2, scan.s[end] == "*" || scan.s[end] == "]" || scan.s[end] == "_" { end += 1 }
        return ParseFailure.excerpt(of: scan.text(lo..<end), limit: 80)
    }
}

extension Sequence where Element: Hashable {
    /// The elements in order, each kept at its first occurrence.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
