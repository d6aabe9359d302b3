import Foundation
import PropertyBased
import Testing
@testable import LLMRank

// Property tests: random text never traps a parser and always yields a valid value or a failure
// with a reason; every well-formed reply reads back exactly. Counts stay moderate (2 shared cores).

/// Pieces that drive the parsers into their corners, mixed with random Unicode.
private let fragments: [String] = [
    "[", "]", "[[", "]]", "{", "}", "\"", "'", ":", ",", ">", " > ", "/", "-", "\u{2212}", ".", "*", "**", "_",
    "(", ")", "\n", "\n\n", " ", "\t", "#", "%", "Score:", "score", "Relevance", "rating", "rate it", "out of",
    "answer:", "coverage", "direct answer", "0", "1", "2", "3", "7", "10", "-1", "2.5", ".5", "1e999",
    "99999999999999999999", "[1]", "[2]", "[0]", "[12]", "【3】", "<think>", "</think>", "```json", "```",
    "Yes", "no", "▁", "Ġ", "GPT-4", "top-10", "é", "😀", "\\u", "\\ud83d", "\\", "True", "null", "0-10",
]

private let noisyText: Generator<String, some SendableSequenceType> = Gen.frequency(
    (4, Gen<String?>.element(of: fragments).map { $0! }),
    (1, Gen<Unicode.Scalar>.unicodeScalar(in: "\u{0}"..."\u{D7FF}").map { String(Character($0)) }),
    (1, Gen<Unicode.Scalar>.unicodeScalar(in: "\u{E000}"..."\u{10FFFF}").map { String(Character($0)) })
).array(of: 0...48).map { $0.joined() }

/// Words for chatter around a reply: letters only, never a label, verb or filler of the parsers.
private let chatter: Generator<String, some SendableSequenceType> = Gen.lowercaseLetter.string(of: 2...7)
    .filter { !ScoreParser.labelWords.contains($0) && !ScoreParser.verbWords.contains($0)
        && !ScoreParser.labelFillers.contains($0) && $0 != "answer" && $0 != "yes" && $0 != "no" && $0 != "out" }
    .array(of: 0...8).map { $0.joined(separator: " ") }

private let rubric = [
    AspectSpec(name: "direct answer", min: 0, max: 5, weight: 2),
    AspectSpec(name: "coverage", min: 1, max: 3, weight: 1),
]

extension ParsingTests {
    @Suite struct ParserPropertyTests {
        // MARK: Random text

        @Test func scoreParserNeverTrapsAndStaysInScale() async {
            await propertyCheck(count: 300, input: noisyText) { text in
                for scale in [ScoreScale(min: 0, max: 3), ScoreScale(min: 1, max: 10)] {
                    switch ScoreParser.parse(text, scale: scale) {
                    case .success(let parsed):
                        #expect(scale.contains(parsed.value))
                        #expect(parsed.value.isFinite)
                        if scale.contains(parsed.raw) {
                            #expect(parsed.flags.isEmpty)
                        } else {
                            #expect(parsed.flags.map(\.code) == [.clamped])
                        }
                    case .failure(let failure):
                        #expect(!failure.reason.isEmpty)
                        #expect(failure.excerpt == ParseFailure.excerpt(of: text))
                    }
                }
            }
        }

        @Test func permutationParserNeverTrapsAndAlwaysPermutes() async {
            await propertyCheck(count: 300, input: noisyText) { text in
                for count in [1, 3, 12] {
                    switch PermutationParser.parse(text, count: count) {
                    case .success(let parsed):
                        #expect(parsed.order.sorted() == Array(0..<count))
                        #expect(parsed.flags.allSatisfy { $0.code == .permutationRepaired })
                    case .failure(let failure):
                        #expect(!failure.reason.isEmpty)
                    }
                }
            }
        }

        @Test func aspectParserNeverTrapsAndStaysInScale() async {
            await propertyCheck(count: 300, input: noisyText) { text in
                switch AspectParser.parse(text, aspects: rubric) {
                case .success(let parsed):
                    for spec in rubric {
                        if let v = parsed.values[spec.name] {
                            #expect(spec.scale.contains(v))
                        } else {
                            #expect(parsed.missing.contains(spec.name))
                        }
                    }
                    #expect(parsed.total.isFinite)
                    #expect(parsed.total >= 0 + 1 && parsed.total <= 2 * 5 + 3)
                case .failure(let failure):
                    #expect(!failure.reason.isEmpty)
                }
            }
        }

        @Test func yesNoAndExpectedScoreNeverTrap() async {
            await propertyCheck(count: 200, input: noisyText, Gen.int(in: 0...1000)) { text, seed in
                // Tokens: the text cut at every fifth scalar, alternatives drawn from the fragments.
                let scalars = Array(text.unicodeScalars)
                var logprobs: [TokenLogprob] = []
                var i = 0, k = seed
                while i < scalars.count {
                    let piece = String(String.UnicodeScalarView(scalars[i..<min(i + 5, scalars.count)]))
                    let alts = (0..<(k % 4)).map { j in
                        TopLogprob(token: fragments[(k + j * 7) % fragments.count], logprob: -Double((k + j) % 9))
                    }
                    logprobs.append(TokenLogprob(token: piece, logprob: -Double(k % 5) / 2, topLogprobs: alts))
                    i += 5
                    k = (k * 31 + 7) % 1009
                }
                for lp in [logprobs, nil] {
                    if case .success(let parsed) = YesNoScorer.score(logprobs: lp, content: text) {
                        #expect(parsed.value >= 0 && parsed.value <= 1)
                    }
                }
                let scale = ScoreScale(min: 0, max: 10)
                if let d = ExpectedScore.distribution(logprobs: logprobs, scale: scale) {
                    #expect(scale.contains(d.mean))
                    #expect(d.mass > 0 && d.mass <= 1)
                    #expect(abs(d.probabilities.values.reduce(0, +) - 1) < 1e-9)
                }
                _ = JSONExtractor.values(in: text)
            }
        }

        @Test func randomASCIINeverTraps() async {
            await propertyCheck(count: 200, input: Gen.ascii.string(of: 0...80)) { text in
                _ = ScoreParser.parse(text, scale: ScoreScale(min: 0, max: 10))
                if case .success(let p) = PermutationParser.parse(text, count: 5) { #expect(p.order.sorted() == [0, 1, 2, 3, 4]) }
                _ = AspectParser.parse(text, aspects: rubric)
                _ = YesNoScorer.score(logprobs: nil, content: text)
            }
        }

        // MARK: Well-formed replies read back

        struct ScoreReply: Sendable, CustomTestStringConvertible {
            var scale: ScoreScale
            var value: Double
            var reply: String
            var testDescription: String { "\(reply) on \(scale)" }
        }

        /// Every template a prompt's output contract might produce, around a random in-range score.
        static let templates: [@Sendable (_ v: String, _ max: String, _ chat: String) -> String] = [
            { v, _, _ in v },
            { v, _, _ in "Score: \(v)" },
            { v, _, c in "\(c)\n\nScore: \(v)" },
            { v, m, _ in "\(v)/\(m)" },
            { v, m, c in "\(c). I'd say \(v)/\(m)." },
            { v, m, _ in "Relevance: \(v) out of \(m)" },
            { v, _, c in "\(c) **\(v)**" },
            { v, _, c in "\(c) [[\(v)]]" },
            { v, _, _ in "{\"score\": \(v)}" },
            { v, _, c in "```json\n{\"reason\": \"\(c) 42 GPT-4\", \"score\": \(v)}\n```" },
            { v, _, c in "Sure! {'score': \(v), 'why': '\(c)'} Hope it helps." },
            { v, _, c in "\(c), citing 42 studies from 2021 and GPT-4. Final score: \(v)" },
            { v, _, c in "<think>\(c) Score: 99</think>\nRating: \(v)" },
            { v, _, c in "\(c). I would rate it \(v)." },
            { v, m, c in "**Score (0-\(m)):** \(v)\n\n\(c)" },
            { v, _, c in "<score>\(v)</score>\n\(c)" },
        ]

        static let scoreReplies: Generator<ScoreReply, some SendableSequenceType> = zip(
            Gen.int(in: -2...1), Gen.int(in: 2...10), Gen.int(in: 0...1000), zip(Gen.int(in: 0..<templates.count), Gen.bool, chatter)
        ).map { lo, hi, pick, rest in
            let (template, half, chat) = rest
            let scale = ScoreScale(min: Double(lo), max: Double(hi), integer: !half)
            var value = Double(lo + pick % (hi - lo + 1))
            if half && value < Double(hi) { value += 0.5 }
            return ScoreReply(scale: scale, value: value, reply: templates[template](formatNumber(value), String(hi), chat))
        }

        @Test func wellFormedScoresReadBack() async {
            await propertyCheck(count: 300, input: Self.scoreReplies) { c in
                switch ScoreParser.parse(c.reply, scale: c.scale) {
                case .success(let parsed):
                    #expect(parsed.value == c.value)
                    #expect(parsed.flags.isEmpty)
                case .failure(let failure):
                    Issue.record("\(failure)")
                }
            }
        }

        struct Shuffled: Sendable, CustomTestStringConvertible {
            var order: [Int]
            var testDescription: String { "\(order)" }
        }

        static let permutations = Generator<Shuffled, Shrink.None<Shuffled>> { rng in
            let count = Int.random(in: 1...25, using: &rng)
            return Shuffled(order: Array(0..<count).shuffled(using: &rng))
        }

        @Test func formattedPermutationsReadBackExactly() async {
            await propertyCheck(count: 200, input: Self.permutations, chatter) { p, chat in
                for reply in [
                    PermutationParser.format(p.order),
                    "I ranked \(p.order.count + 7) passages, 3 of them twice: \(PermutationParser.format(p.order))",
                    "\(chat)\n\nRanking: \(PermutationParser.format(p.order))\n\n[\(p.order[0] + 1)] is best. \(chat)",
                    p.order.map { "[\($0 + 1)]" }.joined(separator: ", "),
                    p.order.enumerated().map { "\($0 + 1). [\($1 + 1)]" }.joined(separator: "\n"),
                ] {
                    switch PermutationParser.parse(reply, count: p.order.count) {
                    case .success(let parsed):
                        #expect(parsed.order == p.order, "\(reply)")
                        #expect(parsed.flags.isEmpty, "\(reply)")
                    case .failure(let failure):
                        Issue.record("\(failure)")
                    }
                }
            }
        }

        struct Corrupted: Sendable, CustomTestStringConvertible {
            var count: Int
            /// 1-based ids as written, with deletions, duplicates and out-of-range ids.
            var written: [Int]
            var testDescription: String { "\(written) of \(count)" }
        }

        static let corrupted = Generator<Corrupted, Shrink.None<Corrupted>> { rng in
            let count = Int.random(in: 1...20, using: &rng)
            var ids = Array(1...count).shuffled(using: &rng)
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                switch Int.random(in: 0...2, using: &rng) {
                case 0 where !ids.isEmpty: ids.remove(at: Int.random(in: 0..<ids.count, using: &rng))
                case 1 where !ids.isEmpty: ids.insert(ids.randomElement(using: &rng)!, at: Int.random(in: 0...ids.count, using: &rng))
                default: ids.insert(count + Int.random(in: 1...30, using: &rng), at: Int.random(in: 0...ids.count, using: &rng))
                }
            }
            return Corrupted(count: count, written: ids)
        }

        @Test func corruptedPermutationsAreRepairedAndFlagged() async {
            await propertyCheck(count: 200, input: Self.corrupted) { c in
                let reply = c.written.map { "[\($0)]" }.joined(separator: " > ")
                var seen = Set<Int>()
                let kept = c.written.filter { $0 >= 1 && $0 <= c.count && seen.insert($0).inserted }
                let expected = kept.map { $0 - 1 } + (0..<c.count).filter { !seen.contains($0 + 1) }
                let changed = kept != c.written || kept.count != c.count
                switch PermutationParser.parse(reply, count: c.count) {
                case .success(let parsed):
                    #expect(parsed.order == expected)
                    #expect(parsed.order.sorted() == Array(0..<c.count))
                    #expect(parsed.flags.isEmpty == !changed)
                    #expect(parsed.flags.allSatisfy { $0.code == .permutationRepaired })
                case .failure:
                    #expect(kept.isEmpty)
                }
            }
        }

        struct AspectReply: Sendable, CustomTestStringConvertible {
            var values: [Double]
            var reply: String
            var testDescription: String { reply }
        }

        static let aspectReplies: Generator<AspectReply, some SendableSequenceType> = zip(
            Gen.int(in: 0...5), Gen.int(in: 1...3), Gen.int(in: 0...3), chatter
        ).map { a, b, style, chat in
            let reply: String
            switch style {
            case 0: reply = "{\"direct_answer\": \(a), \"coverage\": \(b)}"
            case 1: reply = "\(chat)\nDirect answer: \(a)/5\nCoverage: \(b) out of 3\n\(chat)"
            case 2: reply = "```json\n{'Direct Answer': {'score': \(a), 'why': '\(chat) 4'}, 'coverage': '\(b)'}\n```"
            default: reply = "- **Coverage** (1-3): \(b)\n- **Direct answer** (0-5): \(a)\n\(chat)"
            }
            return AspectReply(values: [Double(a), Double(b)], reply: reply)
        }

        @Test func wellFormedAspectsReadBack() async {
            await propertyCheck(count: 200, input: Self.aspectReplies) { c in
                switch AspectParser.parse(c.reply, aspects: rubric) {
                case .success(let parsed):
                    #expect(parsed.values == ["direct answer": c.values[0], "coverage": c.values[1]])
                    #expect(parsed.total == 2 * c.values[0] + c.values[1])
                    #expect(parsed.flags.isEmpty)
                case .failure(let failure):
                    Issue.record("\(failure)")
                }
            }
        }

        @Test func yesNoScoreIsTheYesShare() async {
            let variants = (yes: ["Yes", " yes", "▁Yes", "YES", "ĠYes"], no: ["No", " no", "▁no", "NO", "Ġno"])
            await propertyCheck(count: 200, input: Gen.double(in: 0.01...0.99), Gen.int(in: 1...5), Gen.double(in: 0...0.5)) { p, spread, other in
                // P(yes) = p × (1 - other) spread evenly over `spread` spellings, the same for no.
                let yes = (0..<spread).map { TopLogprob(token: variants.yes[$0], logprob: log(p * (1 - other) / Double(spread))) }
                let no = (0..<spread).map { TopLogprob(token: variants.no[$0], logprob: log((1 - p) * (1 - other) / Double(spread))) }
                let rest = other > 0 ? [TopLogprob(token: "Maybe", logprob: log(other))] : []
                let alternatives = yes + rest + no
                let lp = [TokenLogprob(token: alternatives[0].token, logprob: alternatives[0].logprob, topLogprobs: alternatives)]
                switch YesNoScorer.score(logprobs: lp, content: alternatives[0].token) {
                case .success(let parsed):
                    #expect(abs(parsed.value - p) < 1e-9)
                    #expect(parsed.flags.isEmpty)
                case .failure(let failure):
                    Issue.record("\(failure)")
                }
            }
        }

        @Test func expectedScoreIsTheWeightedMean() async {
            await propertyCheck(count: 200, input: Gen.double(in: 0.01...1).array(of: 4), Gen.int(in: 0...3)) { weights, chosen in
                let total = weights.reduce(0, +)
                let alternatives = weights.enumerated().map { TopLogprob(token: " \($0)", logprob: log($1 / total * 0.9)) }
                    + [TopLogprob(token: " The", logprob: log(0.1))]
                let logprobs = [
                    TokenLogprob(token: "Score", logprob: 0), TokenLogprob(token: ":", logprob: 0),
                    TokenLogprob(token: " \(chosen)", logprob: alternatives[chosen].logprob, topLogprobs: alternatives),
                ]
                let expected = weights.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element } / total
                guard let d = ExpectedScore.distribution(logprobs: logprobs, scale: ScoreScale(min: 0, max: 3)) else {
                    Issue.record("no distribution")
                    return
                }
                #expect(abs(d.mean - expected) < 1e-9)
                #expect(abs(d.mass - 0.9) < 1e-9)
                #expect(d.tokenIndex == 2)
            }
        }
    }
}

extension ParsingTests {
    /// Replies are bounded by max_tokens, but a runaway model can still send a long one: every
    /// parser stays near-linear (a generous bound, as the machine is shared).
    @Suite struct LongReplyTests {
        @Test func longRepliesParseQuickly() throws {
            var piece = "Passage [3] mentions GPT-4, 12 facts (2019-2021) and 7/10 claims; score: 2 out of 3. "
            piece += "[1] > [2] > [4]\n1. item\n**5** {\"score\": 1, \"a\": [1, 2]} ( (x) "
            let reply = String(repeating: piece, count: 1_500)  // about 200 KB
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                _ = ScoreParser.parse(reply, scale: ScoreScale(min: 0, max: 3))
                _ = AspectParser.parse(reply, aspects: [AspectSpec(name: "score", min: 0, max: 3)])
                _ = PermutationParser.parse(reply, count: 5)
                _ = YesNoScorer.score(logprobs: nil, content: reply)
            }
            #expect(elapsed < .seconds(20), "took \(elapsed)")
        }
    }
}
