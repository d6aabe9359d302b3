import Foundation
import Testing
@testable import LLMRank

private let rubric = [
    AspectSpec(name: "direct_answer", min: 0, max: 5, weight: 2),
    AspectSpec(name: "coverage", min: 0, max: 3, weight: 1),
    AspectSpec(name: "trustworthiness", min: 1, max: 5, weight: 0.5),
]

extension ParsingTests {
    @Suite struct AspectParserTests {
        @Test func readsJSON() throws {
            let reply = "```json\n{\"direct_answer\": 4, \"coverage\": 2, \"trustworthiness\": 3}\n```"
            let parsed = try AspectParser.parse(reply, aspects: rubric).get()
            #expect(parsed.values == ["direct_answer": 4, "coverage": 2, "trustworthiness": 3])
            let expectedTotal: Double = 2 * 4 + 2 + 0.5 * 3
            #expect(parsed.total == expectedTotal)
            #expect(parsed.flags.isEmpty)
            #expect(parsed.missing.isEmpty)
        }

        @Test func matchesNamesLoosely() throws {
            let reply = #"{"Direct Answer": {"score": 5, "why": "says it"}, "COVERAGE": "2/3", "reliability": 4}"#
            let parsed = try AspectParser.parse(reply, aspects: rubric).get()
            #expect(parsed.values == ["direct_answer": 5, "coverage": 2])
            #expect(parsed.missing == ["trustworthiness"])
            #expect(try AspectParser.parse(#"{"Trust-Worthiness": 4}"#, aspects: rubric).get().values == ["trustworthiness": 4])
        }

        @Test func readsAListOfAspectObjects() throws {
            let reply = #"[{"aspect": "coverage", "score": 1}, {"name": "Direct answer", "value": 3}, {"criterion": "trustworthiness", "rating": 5}]"#
            let parsed = try AspectParser.parse(reply, aspects: rubric).get()
            #expect(parsed.values == ["direct_answer": 3, "coverage": 1, "trustworthiness": 5])
        }

        @Test func readsTextLines() throws {
            let reply = """
                Let me assess each aspect.
                - **Direct answer** (does it answer the question?): 4/5
                - Coverage: 2 out of 3, it misses 1 sub-topic
                - Trustworthiness = 5
                """
            let parsed = try AspectParser.parse(reply, aspects: rubric).get()
            #expect(parsed.values == ["direct_answer": 4, "coverage": 2, "trustworthiness": 5])
            #expect(parsed.flags.isEmpty)
        }

        @Test func laterTextLinesWin() throws {
            let reply = "Coverage: 1. Hmm, rereading it, coverage: 3.\nDirect answer: 2\nTrustworthiness: 2"
            let parsed = try AspectParser.parse(reply, aspects: rubric).get()
            #expect(parsed.values["coverage"] == 3)
        }

        @Test func longerNameClaimsItsOccurrence() throws {
            let aspects = [AspectSpec(name: "answer", min: 0, max: 3), AspectSpec(name: "direct answer", min: 0, max: 3)]
            let parsed = try AspectParser.parse("Direct answer: 3\nAnswer: 1", aspects: aspects).get()
            #expect(parsed.values == ["answer": 1, "direct answer": 3])
            let onlyLong = try AspectParser.parse("Direct answer: 3", aspects: aspects).get()
            #expect(onlyLong.values == ["direct answer": 3])
            #expect(onlyLong.missing == ["answer"])
        }

        @Test func clampsEachAspectAndFlags() throws {
            let parsed = try AspectParser.parse(#"{"direct_answer": 9, "coverage": -1, "trustworthiness": 3}"#, aspects: rubric).get()
            #expect(parsed.values == ["direct_answer": 5, "coverage": 0, "trustworthiness": 3])
            #expect(parsed.raw == ["direct_answer": 9, "coverage": -1, "trustworthiness": 3])
            #expect(parsed.flags == [Flag(.clamped, "direct_answer: 9 > 5"), Flag(.clamped, "coverage: -1 < 0")])
            let expectedTotal: Double = 2 * 5 + 0 + 0.5 * 3
            #expect(parsed.total == expectedTotal)
        }

        @Test func missingAspectIsFlaggedAndCountsAtItsMinimum() throws {
            let parsed = try AspectParser.parse("Direct answer: 4\nCoverage: 3", aspects: rubric).get()
            #expect(parsed.missing == ["trustworthiness"])
            #expect(parsed.flags == [Flag(.missingAspect, "trustworthiness")])
            let expectedTotal: Double = 2 * 4 + 3 + 0.5 * 1
            #expect(parsed.total == expectedTotal)
        }

        @Test func jsonAndTextCombine() throws {
            let reply = "{\"direct_answer\": 3, \"coverage\": 1}\nTrustworthiness: 4"
            let parsed = try AspectParser.parse(reply, aspects: rubric).get()
            #expect(parsed.values == ["direct_answer": 3, "coverage": 1, "trustworthiness": 4])
        }

        @Test func failsWhenNoAspectIsThere() {
            guard case .failure(let failure) = AspectParser.parse("Score: 4. Relevant.", aspects: rubric) else {
                Issue.record("expected a failure")
                return
            }
            #expect(failure.reason == "none of the aspects (direct_answer, coverage, trustworthiness) found")
            guard case .failure(let empty) = AspectParser.parse("Coverage: 2", aspects: []) else {
                Issue.record("expected a failure")
                return
            }
            #expect(empty.reason == "the rubric has no aspects")
        }

        @Test func specDecodesTheFlatRubricForm() throws {
            let json = Data(#"[{"name": "coverage", "min": 0, "max": 3}, {"name": "trust", "min": 1, "max": 5, "weight": 0.5, "integer": false}]"#.utf8)
            let specs = try JSONDecoder().decode([AspectSpec].self, from: json)
            #expect(specs == [AspectSpec(name: "coverage", min: 0, max: 3),
                              AspectSpec(name: "trust", min: 1, max: 5, weight: 0.5, integer: false)])
            let again = try JSONDecoder().decode([AspectSpec].self, from: try JSONEncoder().encode(specs))
            #expect(again == specs)
            let scale = try JSONDecoder().decode(ScoreScale.self, from: Data(#"{"min": 10, "max": 0}"#.utf8))
            #expect(scale == ScoreScale(min: 0, max: 10, integer: true))
        }

        @Test func rubricAspectsOfPromptFilesReadTheSame() throws {
            let rubric = [RubricAspect(name: "direct_answer", min: 0, max: 5, weight: 2),
                          RubricAspect(name: "completeness", min: 0, max: 3)]
            let parsed = try AspectParser.parse(#"{"completeness": 2, "direct_answer": 4}"#, aspects: rubric.map(\.spec)).get()
            #expect(parsed.values == ["direct_answer": 4, "completeness": 2])
            #expect(parsed.total == 10)
        }

        @Test func ignoresReasoning() throws {
            let reply = "<think>coverage: 0? direct answer: 0?</think>{\"direct_answer\": 5, \"coverage\": 3, \"trustworthiness\": 5}"
            let parsed = try AspectParser.parse(reply, aspects: rubric).get()
            #expect(parsed.values == ["direct_answer": 5, "coverage": 3, "trustworthiness": 5])
        }
    }
}
