import Testing
@testable import LLMRank

private let zeroToTen = ScoreScale(min: 0, max: 10)
private let zeroToThree = ScoreScale(min: 0, max: 3)
private let oneToFive = ScoreScale(min: 1, max: 5)

/// One reply and what it must read as.
struct ScoreCase: Sendable, CustomTestStringConvertible {
    var reply: String
    var scale: ScoreScale
    var value: Double
    var source: ScoreSource

    init(_ reply: String, _ scale: ScoreScale, _ value: Double, _ source: ScoreSource) {
        self.reply = reply
        self.scale = scale
        self.value = value
        self.source = source
    }

    var testDescription: String { ParseFailure.excerpt(of: reply, limit: 60) }
}

extension ParsingTests {
    @Suite struct ScoreParserTests {
        static let accepted: [ScoreCase] = [
            // Plain and labelled.
            ScoreCase("7", zeroToTen, 7, .line),
            ScoreCase("Score: 7", zeroToTen, 7, .label),
            ScoreCase("score=7", zeroToTen, 7, .label),
            ScoreCase("**Score:** 7", zeroToTen, 7, .label),
            ScoreCase("**Score**: 7", zeroToTen, 7, .label),
            ScoreCase("Rating: 4", oneToFive, 4, .label),
            ScoreCase("Relevance: 8 out of 10", zeroToTen, 8, .label),
            ScoreCase("Relevance score: 2", zeroToThree, 2, .label),
            ScoreCase("The final score is 3.", zeroToThree, 3, .label),
            ScoreCase("## Score\n\n**2**", zeroToThree, 2, .label),
            ScoreCase("<score>2</score>", zeroToThree, 2, .label),
            ScoreCase("Score (0-10): 6", zeroToTen, 6, .label),
            ScoreCase("Rating out of 10: 9", zeroToTen, 9, .label),
            ScoreCase("Score (higher is better): 4", oneToFive, 4, .label),
            ScoreCase("Answer: 2", zeroToThree, 2, .label),
            // Reasoning first: the labelled score beats stray numbers, and the last label wins.
            ScoreCase("It covers 2 aspects of the query and cites 3 studies from 2019. Score: 4", oneToFive, 4, .label),
            ScoreCase("The passage mentions 3 of the 5 criteria.\n\nFinal answer: 1", zeroToThree, 1, .label),
            ScoreCase("Score: 3 ... on reflection it misses the main point. Score: 1", zeroToThree, 1, .label),
            ScoreCase("GPT-4 and top-10 lists aside, score: 5", zeroToTen, 5, .label),
            // Fractions with the scale's maximum as denominator.
            ScoreCase("7/10", zeroToTen, 7, .fraction),
            ScoreCase("I think this deserves 7/10 overall.", zeroToTen, 7, .fraction),
            ScoreCase("I'd put it at 8 out of 10, it covers 3 of 4 points", zeroToTen, 8, .fraction),
            // Emphasis.
            ScoreCase("The passage is on topic but shallow: **4**", oneToFive, 4, .emphasis),
            ScoreCase("Verdict [[2]] since it covers 1 of the 3 sub-questions", zeroToThree, 2, .emphasis),
            // Verbs.
            ScoreCase("I would rate it 3 because it answers 2 of the questions.", zeroToThree, 3, .verb),
            ScoreCase("I give this passage a 2; it mentions 1 fact.", zeroToThree, 2, .verb),
            // Decimals and negatives.
            ScoreCase("Score: 3.5", oneToFive, 3.5, .label),
            ScoreCase("Score: .5", zeroToThree, 0.5, .label),
            ScoreCase("Relevance: 2.75/3", zeroToThree, 2.75, .label),
            // The one in-range number.
            ScoreCase("The document is highly relevant, 3 in my view.", zeroToThree, 3, .number),
            ScoreCase("Relevant: 3 (the 2020 report is out of scope)", zeroToThree, 3, .number),
            // JSON, fenced or not, single quotes, nested, as a string.
            ScoreCase(#"{"score": 4}"#, oneToFive, 4, .json),
            ScoreCase("Here you go:\n```json\n{\"reasoning\": \"Mentions GPT-4 twice, 3 facts.\", \"score\": 2}\n```\nHope that helps!", zeroToThree, 2, .json),
            ScoreCase("{'score': 2, 'why': 'on topic'}", zeroToThree, 2, .json),
            ScoreCase(#"{"Score": "8/10"}"#, zeroToTen, 8, .json),
            ScoreCase(#"{"result": {"relevance": 1}}"#, zeroToThree, 1, .json),
            ScoreCase(#"{"score": 3, "explanation": "The score: 1 would be too low"}"#, zeroToThree, 3, .json),
            ScoreCase(#"{score: 5,}"#, zeroToTen, 5, .json),
            // Reasoning models.
            ScoreCase("<think>Maybe Score: 1? It cites 3 papers.</think>\nScore: 2", zeroToThree, 2, .label),
            ScoreCase("Hmm, 3 or 1... weighing.</think>\n\n2", zeroToThree, 2, .line),
            // More styles seen in the wild.
            ScoreCase("On a scale of 0 to 10, I'd give this a 7.", zeroToTen, 7, .verb),
            ScoreCase("Relevance Score (0-3): 2", zeroToThree, 2, .label),
            ScoreCase("Score: 7/10\n\nReasoning: The passage covers 4 out of 5 key points.", zeroToTen, 7, .label),
            ScoreCase("3\n\nExplanation: The passage covers 2 of the key points.", zeroToThree, 3, .line),
            ScoreCase("1. The passage names the topic.\n2. It gives detail.\n\n2", zeroToThree, 2, .line),
            ScoreCase("Judgement: 1 - partially relevant", zeroToThree, 1, .label),
            ScoreCase("I'll give it a score of 6 out of 10.", zeroToTen, 6, .label),
            ScoreCase("Score: 2. Its BM25 score of 12.3 is high, but that is not relevance.", zeroToThree, 2, .label),
            ScoreCase("The passage is 100% relevant. 3", zeroToThree, 3, .number),
            ScoreCase("2: The passage partially answers the query.", zeroToThree, 2, .number),
            ScoreCase("Score: [2]", zeroToThree, 2, .label),
            ScoreCase("Score: 2\n\nA score of 3 would require a direct answer.", zeroToThree, 2, .label),
            ScoreCase("After weighing it, the score is 1. A score of 2 means partial coverage.", zeroToThree, 1, .label),
            ScoreCase("Score: 3 or 2, hmm. Final score: 2", zeroToThree, 2, .label),
            ScoreCase("Final Score: 8.5/10", zeroToTen, 8.5, .label),
        ]

        @Test(arguments: accepted)
        func readsTheScore(_ c: ScoreCase) throws {
            let parsed = try ScoreParser.parse(c.reply, scale: c.scale).get()
            #expect(parsed.value == c.value)
            #expect(parsed.raw == c.value)
            #expect(parsed.source == c.source)
            #expect(parsed.flags.isEmpty)
        }

        @Test func outOfRangeIsClampedAndFlagged() throws {
            let high = try ScoreParser.parse("Score: 12", scale: zeroToTen).get()
            #expect(high.value == 10)
            #expect(high.raw == 12)
            #expect(high.flags == [Flag(.clamped, "12 > 10")])

            let low = try ScoreParser.parse("Relevance: -1", scale: zeroToThree).get()
            #expect(low.value == 0)
            #expect(low.raw == -1)
            #expect(low.flags == [Flag(.clamped, "-1 < 0")])

            let json = try ScoreParser.parse(#"{"score": 7}"#, scale: oneToFive).get()
            #expect(json.value == 5)
            #expect(json.flags.map(\.code) == [.clamped])

            let zero = try ScoreParser.parse("Score: 0", scale: oneToFive).get()
            #expect(zero.value == 1)
            #expect(zero.flags == [Flag(.clamped, "0 < 1")])
        }

        @Test func labelledScoreBeatsAFractionWithAnotherDenominator() throws {
            // "2/3 of the aspects" is a fraction on a 0-3 scale, but the label is stronger evidence.
            let parsed = try ScoreParser.parse("It covers 2/3 of the aspects. Score: 1", scale: zeroToThree).get()
            #expect(parsed.value == 1)
            #expect(parsed.source == .label)
        }

        @Test func customJSONKey() throws {
            let parsed = try ScoreParser.parse(#"{"usefulness": 4, "score_hint": 1}"#, scale: oneToFive, jsonKey: "usefulness").get()
            #expect(parsed.value == 4)
            #expect(parsed.evidence == "\"usefulness\": 4")
            let text = try ScoreParser.parse("Usefulness: 3", scale: oneToFive, jsonKey: "usefulness").get()
            #expect(text.value == 3)
        }

        @Test func evidenceShowsWhereTheScoreCameFrom() throws {
            #expect(try ScoreParser.parse("blah blah. Score: 7/10. Thanks", scale: zeroToTen).get().evidence == "Score: 7/10")
            #expect(try ScoreParser.parse("so **4**", scale: oneToFive).get().evidence == "**4**")
        }

        static let rejected: [(String, String)] = [
            ("", "empty reply"),
            ("   \n ", "empty reply"),
            ("The passage is relevant.", "no number in the reply"),
            ("It is somewhat relevant, 2 or 3 maybe.", "several numbers (2, 3) and none labelled as the score"),
            ("Score 0: irrelevant. Score 1: related. Score 2: relevant. Score 3: perfect.", "several numbers (0, 1, 2, 3) and none labelled as the score"),
            ("Compared with GPT-4 and the top-10 list, v1.2.3 is fine.", "no score: the only numbers are parts of words, ranges or denominators"),
            ("The 2020 report from 1998", "no number in the range 0-3 and none labelled as the score"),
            ("<think>Score: 2 seems right but let me check the 3 claims", "the reply ended inside its <think> reasoning, with no answer"),
            ("<think>Score: 2</think>\n", "no answer after the </think> reasoning"),
            ("{\"reasoning\": \"covers 3 of the 4 points\", \"relevant\": true}", "the JSON reply has no usable \"score\" value"),
            ("```json\n{\"score\": null, \"note\": \"2 of 3\"}\n```", "the JSON reply has no usable \"score\" value"),
        ]

        @Test(arguments: rejected)
        func failsWithAReason(_ reply: String, _ reason: String) {
            guard case .failure(let failure) = ScoreParser.parse(reply, scale: zeroToThree) else {
                Issue.record("expected a failure for \(reply)")
                return
            }
            #expect(failure.reason == reason)
            #expect(failure.excerpt == ParseFailure.excerpt(of: reply))
        }

        @Test func failureExcerptKeepsBothEnds() {
            let reply = "start " + String(repeating: "filler words ", count: 50) + "the end"
            let excerpt = ParseFailure.excerpt(of: reply, limit: 40)
            #expect(excerpt.count <= 40)
            #expect(excerpt.hasPrefix("start filler"))
            #expect(excerpt.hasSuffix("the end"))
            #expect(excerpt.contains(" … "))
            #expect(ParseFailure.excerpt(of: "a\n\n  b\tc ") == "a b c")
            let failure = ParseFailure(reason: "no number in the reply", reply: "nope")
            #expect(failure.error.kind == .badReply)
            #expect(failure.error.message.contains("no number in the reply"))
        }

        @Test func scaleHelpers() {
            #expect(ScoreScale(min: 1, max: 5).integerValues == [1, 2, 3, 4, 5])
            #expect(ScoreScale(min: 0, max: 3).contains(2.5))
            #expect(!ScoreScale(min: 0, max: 3).contains(3.5))
            #expect(ScoreScale(min: 0, max: 3).clamp(0.5).flag == nil)
            #expect(ScoreScale(min: 0, max: 3).clamp(7, label: "coverage").flag == Flag(.clamped, "coverage: 7 > 3"))
            // Given the wrong way round, the bounds are swapped.
            #expect(ScoreScale(min: 10, max: 0) == ScoreScale(min: 0, max: 10))
            #expect(ScoreScale.unit.integerValues.isEmpty)
            #expect(ScoreScale(min: 0.5, max: 3.5).integerValues == [1, 2, 3])
            #expect(ScoreScale(min: 0, max: 3).description == "0-3")
        }

        @Test func promptPatternComesBeforeTheBuiltInRules() throws {
            let pattern = #"(?i)grade\s*=\s*<(\d+)>"#
            let parsed = try ScoreParser.parse("Score: 1. grade = <3>, and earlier grade = <2>", scale: zeroToThree,
                                               pattern: pattern).get()
            #expect(parsed.value == 2)
            #expect(parsed.source == .pattern)
            #expect(parsed.evidence == "grade = <2>")
            // Out-of-range matches lose to in-range ones, and count (clamped) when alone.
            #expect(try ScoreParser.parse("grade=<2> grade=<9>", scale: zeroToThree, pattern: pattern).get().value == 2)
            let clamped = try ScoreParser.parse("grade=<9>", scale: zeroToThree, pattern: pattern).get()
            #expect(clamped.value == 3 && clamped.flags.map(\.code) == [.clamped])
            // No match, or a pattern that does not compile: the built-in rules read the reply.
            #expect(try ScoreParser.parse("Score: 1", scale: zeroToThree, pattern: pattern).get().source == .label)
            #expect(try ScoreParser.parse("Score: 1", scale: zeroToThree, pattern: "(unclosed").get().value == 1)
            // JSON still comes first.
            #expect(try ScoreParser.parse(#"{"score": 1} grade=<2>"#, scale: zeroToThree, pattern: pattern).get().value == 1)
        }

        @Test func shippedPointwisePatternAgreesWithTheParser() throws {
            let shipped = #"(?i)"?\bscore"?\s*[:=]\s*(-?\d+(?:\.\d+)?)"#
            for (reply, value) in [("Score: 4", 4.0), ("score = 2", 2), ("It covers 3 points. Score: 1", 1),
                                   ("Score: 2. Its BM25 score of 12.3 is high.", 2)] {
                #expect(try ScoreParser.parse(reply, scale: oneToFive, pattern: shipped).get().value == Swift.max(value, 1))
            }
        }
    }
}
