import Foundation
import LLMRank

/// A simulated LLM judge that knows the relevance grades (qrels) and answers llmrank's prompts from
/// them, with seeded noise: the endpoint behind a `StubLLMServer` (`handler`) for tests and for
/// `llmrank-bench simulate`, so every judging method can be run and evaluated without a model.
///
/// **Reading the prompt.** It finds passages in the rendered prompt by their words: a passage is
/// known by its first 24 words (all of them when it has fewer), lower-cased, split at every
/// character that is not a letter or digit, so cutting to `--max-words` and the neutralising of
/// forged labels (`[3]` -> `(3)`, `Passage:` -> `Passage -`) do not hide it. A prompt with two or
/// more line-start bracketed labels (`[1] text`, `[A] text`) is a multi-passage prompt; otherwise
/// the first known passage anywhere in the user message is the one judged. A passage it does not
/// know has grade 0 (not relevant, as trec_eval treats unjudged documents). With grades per query,
/// a passage's grade is the one under the query whose words appear in the prompt.
///
/// **Noise.** Each (query, passage) pair gets one noisy grade, `grade + noise * z`, where `z` is a
/// standard normal deviate made by Box-Muller from two uniforms drawn from SplitMix64 seeded with
/// `seed` XOR the FNV-1a hash of the pair's words. The same pair gets the same noisy grade in every
/// call, whatever order the calls arrive in (so concurrency does not change results), and a
/// different seed gives different noise. `noise: 0` is a perfect judge.
///
/// **Answers**, from the noisy grade `g` (grades run 0...`maxGrade`):
/// - yes/no prompts ("Yes or No"): P(Yes) = 1 / (1 + exp(-2 (g - 0.5))); the reply is `Yes` when
///   P(Yes) >= 0.5, and with `logprobs` asked for, its one token carries ln P(Yes) and ln P(No) as
///   the alternatives.
/// - JSON-graded prompts (pointwise, aspects): every integer field of the request's JSON schema, or
///   of the prompt's text (`integer from 1 to 5`, `- name (0-5):`), gets
///   `round(min + clamp(g / maxGrade, 0, 1) * (max - min))`; a `reasoning` field says "simulated".
/// - multi-passage prompts whose text shows a ranking chain (`[2] > [1]`, `B > A`): the labels in
///   descending `g` (ties in prompt order), as `[2] > [1] > [3]`; but when the request asks for
///   one token (`max_tokens: 1`) with `logprobs`, the answer is the one-label answer below (the
///   first token of that ranking, FIRST's single-token listwise).
/// - other multi-passage prompts (one passage chosen): the label of the highest `g` (ties: the
///   first), as `[B]`; with `logprobs`, its one token's alternatives are every label with
///   log-softmax(4 g) (at most `top_logprobs` of them, best first).
///
/// Usage counts are estimates: prompt tokens = characters of all messages / 4, completion tokens =
/// characters of the reply / 4 (at least 1).
public struct SimulatedJudge: Sendable {
    /// One known passage: per query words (nil: any query), its grade.
    private struct Entry: Sendable {
        var query: String?
        var grade: Int
    }

    /// Words that identify a passage: this many first words.
    static let keyWords = 24

    private let passages: [[String]: [Entry]]
    private let keyLengths: [Int]
    private let queries: [String]
    /// The noise's standard deviation, in grade units.
    public let noise: Double
    /// The seed of the noise.
    public let seed: UInt64
    /// The highest grade known (at least 1).
    public let maxGrade: Int

    /// A judge that knows `grades` (passage text -> relevance grade, for any query), with Gaussian
    /// noise of standard deviation `noise` (grade units) seeded by `seed`.
    public init(grades: [String: Int], noise: Double = 0, seed: UInt64 = 0) {
        self.init(entries: grades.map { ($0.key, nil, $0.value) }, noise: noise, seed: seed)
    }

    /// A judge that knows each query's grades (query text -> passage text -> grade), with Gaussian
    /// noise of standard deviation `noise` (grade units) seeded by `seed`.
    public init(gradesByQuery: [String: [String: Int]], noise: Double = 0, seed: UInt64 = 0) {
        var entries: [(String, String?, Int)] = []
        for (query, grades) in gradesByQuery {
            for (text, grade) in grades { entries.append((text, query, grade)) }
        }
        self.init(entries: entries, noise: noise, seed: seed)
    }

    private init(entries: [(String, String?, Int)], noise: Double, seed: UInt64) {
        var passages: [[String]: [Entry]] = [:]
        var lengths = Set<Int>()
        var queries = Set<String>()
        for (text, query, grade) in entries {
            let key = Array(Self.words(text).prefix(Self.keyWords))
            guard !key.isEmpty else { continue }
            lengths.insert(key.count)
            let q = query.map { Self.words($0).joined(separator: " ") }
            if let q { queries.insert(q) }
            passages[key, default: []].append(Entry(query: q, grade: grade))
        }
        self.passages = passages
        keyLengths = lengths.sorted(by: >)
        // Longest first, so a query that contains another is found before it.
        self.queries = queries.sorted { $0.count > $1.count }
        self.noise = noise
        self.seed = seed
        maxGrade = max(1, entries.map(\.2).max() ?? 1)
    }

    /// The handler to give `StubLLMServer(handler:)`.
    public var handler: StubLLMServer.Handler { { answer($0) } }

    /// The reply to one chat-completion request (see the type's comment).
    public func answer(_ request: StubLLMServer.Request) -> StubLLMServer.Action {
        guard let json = request.json, let messages = json["messages"]?.arrayValue else {
            return StubLLMServer.error(400, "simulated judge: not a chat request")
        }
        let texts = messages.compactMap { $0["content"]?.stringValue }
        // The first user message holds the passages; a repair request adds later ones.
        let user = messages.first { $0["role"]?.stringValue == "user" }?["content"]?.stringValue ?? ""
        let promptWords = " " + Self.words(texts.joined(separator: "\n")).joined(separator: " ") + " "
        let query = queries.first { promptWords.contains(" " + $0 + " ") }
        let wantsLogprobs = json["logprobs"] == .bool(true)
        let topLogprobs = Int(json["top_logprobs"]?.doubleValue ?? 5)
        let oneToken = json["max_tokens"]?.doubleValue == 1
        let reply: (String, [StubLLMServer.StubToken]?)
        let blocks = Self.labelledBlocks(user)
        if blocks.count >= 2 {
            let grades = blocks.map { noisyGrade(words: Self.words($0.text), anchored: true, query: query) }
            let chain = user.range(of: #"\[?\b\w{1,2}\b\]? > \[?\b\w{1,2}\b\]?"#, options: .regularExpression) != nil
            reply = multiPassage(labels: blocks.map(\.label), grades: grades, chain: chain && !(oneToken && wantsLogprobs),
                                 logprobs: wantsLogprobs, top: topLogprobs)
        } else {
            let g = noisyGrade(words: Self.words(user), anchored: false, query: query)
            if texts.joined().range(of: "yes or no", options: .caseInsensitive) != nil {
                reply = yesNo(g, logprobs: wantsLogprobs)
            } else {
                reply = (graded(g, json: json, prompt: user), nil)
            }
        }
        let promptTokens = max(1, texts.reduce(0) { $0 + $1.count } / 4)
        let body = StubLLMServer.completionBody(reply.0, logprobs: reply.1,
                                                usage: (promptTokens, max(1, reply.0.count / 4)))
        return .respond(status: 200, body: body)
    }

    /// The noisy grade of `passage` for `query` (nil: any query): what the judge answers from.
    public func noisyGrade(passage: String, query: String? = nil) -> Double {
        noisyGrade(words: Self.words(passage), anchored: true,
                   query: query.map { Self.words($0).joined(separator: " ") })
    }

    // MARK: - Grades

    /// The noisy grade of the first known passage in `words` (at its start only when `anchored`).
    private func noisyGrade(words: [String], anchored: Bool, query: String?) -> Double {
        let starts = anchored ? 0..<min(1, words.count) : 0..<words.count
        for start in starts {
            for length in keyLengths where start + length <= words.count {
                let key = Array(words[start..<(start + length)])
                guard let entries = passages[key] else { continue }
                let entry = entries.first { $0.query == query } ?? entries.first { $0.query == nil }
                    ?? (query == nil || entries.count == 1 ? entries[0] : nil)
                let grade = Double(entry?.grade ?? 0)
                return grade + noise * Self.gaussian(seed ^ Self.fnv1a((query ?? "") + "\u{1}" + key.joined(separator: " ")))
            }
        }
        return noise * Self.gaussian(seed ^ Self.fnv1a((query ?? "") + "\u{1}" + words.prefix(Self.keyWords).joined(separator: " ")))
    }

    // MARK: - Replies

    private func yesNo(_ g: Double, logprobs: Bool) -> (String, [StubLLMServer.StubToken]?) {
        let p = min(max(1 / (1 + exp(-2 * (g - 0.5))), 1e-9), 1 - 1e-9)
        let answer = p >= 0.5 ? "Yes" : "No"
        let token = StubLLMServer.StubToken(answer, log(p >= 0.5 ? p : 1 - p), top: [("Yes", log(p)), ("No", log(1 - p))])
        return (answer, logprobs ? [token] : nil)
    }

    private func graded(_ g: Double, json: JSONValue, prompt: String) -> String {
        let fraction = min(max(g / Double(maxGrade), 0), 1)
        var fields: [(String, Int, Int)] = []
        let schema = json["response_format"]?["json_schema"]?["schema"]?["properties"]?.objectValue ?? [:]
        for (name, property) in schema where property["type"]?.stringValue == "integer" {
            fields.append((name, Int(property["minimum"]?.doubleValue ?? 0), Int(property["maximum"]?.doubleValue ?? 10)))
        }
        if fields.isEmpty { fields = Self.textFields(prompt) }
        var object: [String: JSONValue] = [:]
        for (name, lo, hi) in fields {
            object[name] = .number((Double(lo) + fraction * Double(hi - lo)).rounded())
        }
        if schema["reasoning"] != nil || prompt.contains("\"reasoning\"") { object["reasoning"] = "simulated" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? String(decoding: encoder.encode(JSONValue.object(object)), as: UTF8.self)) ?? "{}"
    }

    private func multiPassage(labels: [String], grades: [Double], chain: Bool, logprobs: Bool,
                              top: Int) -> (String, [StubLLMServer.StubToken]?)
    {
        let order = grades.indices.sorted { grades[$0] != grades[$1] ? grades[$0] > grades[$1] : $0 < $1 }
        if chain { return (order.map { "[\(labels[$0])]" }.joined(separator: " > "), nil) }
        let best = labels[order[0]]
        guard logprobs else { return ("[\(best)]", nil) }
        let m = grades.max() ?? 0
        let z = log(grades.reduce(0) { $0 + exp(4 * ($1 - m)) })
        let alternatives = order.prefix(max(1, top)).map { (labels[$0], 4 * (grades[$0] - m) - z) }
        return (best, [StubLLMServer.StubToken(best, alternatives[0].1, top: Array(alternatives))])
    }

    // MARK: - Reading prompts

    /// The blocks of `text` that start a line with a bracketed label of 1-8 letters or digits.
    static func labelledBlocks(_ text: String) -> [(label: String, text: String)] {
        var blocks: [(label: String, text: String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.first == "[", let close = trimmed.firstIndex(of: "]") {
                let label = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
                if (1...8).contains(label.count), label.allSatisfy({ $0.isLetter || $0.isNumber }) {
                    blocks.append((String(label), String(trimmed[trimmed.index(after: close)...])))
                    continue
                }
            }
            if !blocks.isEmpty { blocks[blocks.count - 1].text += "\n" + line }
        }
        return blocks
    }

    /// Integer fields a prompt's text describes: `integer from 1 to 5` (named `score`) or
    /// `- name (0-5):` lines.
    static func textFields(_ prompt: String) -> [(String, Int, Int)] {
        var fields: [(String, Int, Int)] = []
        for line in prompt.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("- "), let open = t.firstIndex(of: "("), let close = t.firstIndex(of: ")"), open < close
            else { continue }
            let name = t[t.index(t.startIndex, offsetBy: 2)..<open].trimmingCharacters(in: .whitespaces)
            let bounds = t[t.index(after: open)..<close].split(separator: "-").compactMap { Int($0) }
            if bounds.count == 2, !name.contains(" ") { fields.append((name, bounds[0], bounds[1])) }
        }
        if fields.isEmpty, let r = prompt.range(of: #"from (\d+) to (\d+)"#, options: .regularExpression) {
            let numbers = prompt[r].split(separator: " ").compactMap { Int($0) }
            if numbers.count == 2 { fields.append(("score", numbers[0], numbers[1])) }
        }
        return fields
    }

    /// Lower-cased runs of letters and digits.
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    // MARK: - Noise

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    /// A standard normal deviate: Box-Muller over two SplitMix64 uniforms from `state`.
    static func gaussian(_ state: UInt64) -> Double {
        var s = state
        func next() -> Double {
            s = s &+ 0x9e37_79b9_7f4a_7c15
            var z = s
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            z ^= z >> 31
            return (Double(z >> 11) + 0.5) / 9_007_199_254_740_992
        }
        let u1 = next(), u2 = next()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
