/// One aspect of a rubric: its name as the prompt and the reply spell it, its scale, its weight in
/// the total.
public struct AspectSpec: Sendable, Hashable, Codable {
    /// The aspect's name, as the prompt and the reply spell it.
    public var name: String
    /// The range of the aspect's score.
    public var scale: ScoreScale
    /// The aspect's weight in the total.
    public var weight: Double

    /// An aspect with its scale and weight.
    public init(name: String, scale: ScoreScale, weight: Double = 1) {
        self.name = name
        self.scale = scale
        self.weight = weight
    }

    /// An aspect scored from `min` to `max` (integers unless `integer` is false).
    public init(name: String, min: Double, max: Double, weight: Double = 1, integer: Bool = true) {
        self.init(name: name, scale: ScoreScale(min: min, max: max, integer: integer), weight: weight)
    }

    private enum CodingKeys: String, CodingKey { case name, min, max, weight, integer }

    /// Decodes the flat form a rubric is written in: `{name, min, max, weight?, integer?}`
    /// (weight 1 and integer true by default).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name),
                  min: try c.decode(Double.self, forKey: .min), max: try c.decode(Double.self, forKey: .max),
                  weight: try c.decodeIfPresent(Double.self, forKey: .weight) ?? 1,
                  integer: try c.decodeIfPresent(Bool.self, forKey: .integer) ?? true)
    }

    /// Encodes the same flat form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(scale.min, forKey: .min)
        try c.encode(scale.max, forKey: .max)
        try c.encode(weight, forKey: .weight)
        try c.encode(scale.integer, forKey: .integer)
    }
}

/// The aspects read from one reply.
public struct ParsedAspects: Sendable, Hashable, Codable {
    /// Each aspect found, by its spec name, clamped into its scale.
    public var values: [String: Double]
    /// Each aspect found, as the reply gave it.
    public var raw: [String: Double]
    /// Names of the aspects the reply did not give, in rubric order.
    public var missing: [String]
    /// Σ weight × value over the rubric; a missing aspect counts at its scale's minimum.
    public var total: Double
    /// `clamped` ("coverage: 7 > 5") and `missing-aspect` ("coverage"), one flag each.
    public var flags: [Flag]

    /// Aspects as read: clamped and raw values, missing names, the weighted total and flags.
    public init(values: [String: Double], raw: [String: Double], missing: [String], total: Double, flags: [Flag]) {
        self.values = values
        self.raw = raw
        self.missing = missing
        self.total = total
        self.flags = flags
    }
}

/// Reads every aspect of a rubric from one reply.
///
/// The reply is read after any `<think>…</think>` reasoning. Aspect names match loosely: case,
/// spaces, `_` and `-` do not matter ("Direct answer" = "direct_answer" = "directAnswer" in JSON keys;
/// "Direct answer", "direct-answer", "DIRECT_ANSWER" in text).
/// 1. **JSON**: of all objects in the reply (nested ones included), the one that names the most
///    aspects (the last on a tie). A value may be a number, a string holding a score ("4/5"), or an
///    object with a `score` or `value` number (`{"coverage": {"score": 4, "why": "…"}}`). A list of
///    `{"aspect" | "name" | "criterion": "coverage", "score": 4}` objects also works.
/// 2. **Text**, for aspects still missing: the number after the aspect's name, as for a label in
///    `ScoreParser` (`Direct answer: 4`, `**Coverage** (0-5): 3/5`, `- coverage = 2`); the last
///    occurrence wins. Where one aspect's name ends another's ("answer", "direct answer"), the longer
///    name claims the occurrence.
///
/// Each value is clamped into its aspect's scale (flag `clamped`). A missing aspect is flagged
/// `missing-aspect` and counts at its scale's minimum in `total`, so an incomplete reply never
/// outranks a complete one by omission; a judge that prefers a repair request can look at `missing`.
/// Failure: no aspect found at all, or an empty rubric.
public enum AspectParser {
    /// Reads every aspect of `aspects` from `reply`.
    /// - Returns: the values, the weighted total and flags (`clamped`, `missing-aspect`), or a failure
    ///   when not one aspect is found.
    public static func parse(_ reply: String, aspects: [AspectSpec]) -> Result<ParsedAspects, ParseFailure> {
        guard !aspects.isEmpty else { return .failure(ParseFailure(reason: "the rubric has no aspects", reply: reply)) }
        let answer = ReplyText.answer(of: reply)
        if answer.isBlank { return .failure(answer.blankFailure(reply: reply)) }
        let text = answer.text

        var found: [Int: Double] = [:]  // aspect index -> raw value
        if text.unicodeScalars.contains("{") { found = fromJSON(text, aspects: aspects) }
        if found.count < aspects.count {
            for (i, value) in fromText(TextScan(answer.scalars[answer.range]), aspects: aspects) where found[i] == nil {
                found[i] = value
            }
        }
        guard !found.isEmpty else {
            let names = aspects.map(\.name).uniqued().joined(separator: ", ")
            return .failure(ParseFailure(reason: "none of the aspects (\(names)) found", reply: reply))
        }

        var values: [String: Double] = [:], raw: [String: Double] = [:]
        var missing: [String] = [], flags: [Flag] = [], total = 0.0
        for (i, spec) in aspects.enumerated() {
            guard let r = found[i] else {
                if !missing.contains(spec.name) {
                    missing.append(spec.name)
                    flags.append(Flag(.missingAspect, spec.name))
                }
                total += spec.weight * spec.scale.min
                continue
            }
            let (v, flag) = spec.scale.clamp(r, label: spec.name)
            if values[spec.name] == nil, let flag { flags.append(flag) }
            values[spec.name] = v
            raw[spec.name] = r
            total += spec.weight * v
        }
        return .success(ParsedAspects(values: values, raw: raw, missing: missing, total: total, flags: flags))
    }

    // MARK: JSON

    private static let nameKeys: Set<String> = ["aspect", "name", "criterion", "criteria", "dimension", "category"]
    private static let valueKeys = ["score", "value", "rating", "grade"]

    private static func fromJSON(_ text: String, aspects: [AspectSpec]) -> [Int: Double] {
        let keys = aspects.map { normalizedKey($0.name) }
        var best: [Int: Double] = [:]
        var listed: [Int: Double] = [:]
        func visit(_ value: JSONValue, depth: Int) {
            guard depth < 16 else { return }
            switch value {
            case .object(let object):
                var matched: [Int: Double] = [:]
                for (key, v) in object {
                    let nk = normalizedKey(key)
                    for (i, aspectKey) in keys.enumerated() where aspectKey == nk && !aspectKey.isEmpty {
                        if let n = number(from: v, scale: aspects[i].scale) { matched[i] = n }
                    }
                }
                if !matched.isEmpty, matched.count >= best.count { best = matched }
                // {"aspect": "coverage", "score": 4}
                if let nameKey = object.keys.first(where: { nameKeys.contains(normalizedKey($0)) }),
                    let name = object[nameKey]?.stringValue,
                    let i = keys.firstIndex(of: normalizedKey(name))
                {
                    for vk in valueKeys {
                        if let v = object.first(where: { normalizedKey($0.key) == vk })?.value,
                            let n = number(from: v, scale: aspects[i].scale)
                        {
                            listed[i] = n
                            break
                        }
                    }
                }
                for key in object.keys.sorted() { visit(object[key]!, depth: depth + 1) }
            case .array(let array):
                for element in array { visit(element, depth: depth + 1) }
            default: break
            }
        }
        for value in JSONExtractor.values(in: text) { visit(value, depth: 0) }
        for (i, n) in listed where best[i] == nil { best[i] = n }
        return best
    }

    private static func number(from value: JSONValue, scale: ScoreScale) -> Double? {
        switch value {
        case .number(let n): return n
        case .string(let s):
            if case .success(let parsed) = ScoreParser.parse(s, scale: scale) { return parsed.raw }
            return nil
        case .object(let inner):
            for vk in valueKeys {
                if let v = inner.first(where: { normalizedKey($0.key) == vk })?.value, case .number(let n) = v {
                    return n
                }
            }
            return nil
        default: return nil
        }
    }

    // MARK: Text

    private static let fillers = ScoreParser.labelFillers.union(["points", "pts", "aspect", "criterion"])

    private static func fromText(_ scan: TextScan, aspects: [AspectSpec]) -> [Int: Double] {
        // Every occurrence of every aspect name, then the longest name at each end position.
        var claims: [Int: (aspect: Int, firstWord: Int)] = [:]  // end -> claim
        for (i, spec) in aspects.enumerated() {
            for occurrence in scan.occurrences(of: letterWords(spec.name)) {
                if let other = claims[occurrence.end], other.firstWord <= occurrence.firstWord { continue }
                claims[occurrence.end] = (i, occurrence.firstWord)
            }
        }
        var found: [Int: (value: Double, position: Int)] = [:]
        for (end, claim) in claims {
            guard let k = scan.number(afterLabelEndingAt: end, fillers: fillers) else { continue }
            let n = scan.numbers[k]
            if let current = found[claim.aspect], current.position > n.start { continue }
            found[claim.aspect] = (n.value, n.start)
        }
        return found.mapValues(\.value)
    }
}
