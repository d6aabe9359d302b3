import Foundation
import Testing
@testable import LLMRank

private func token(_ text: String, _ p: Double, _ alternatives: [(String, Double)]) -> TokenLogprob {
    TokenLogprob(token: text, logprob: log(p), topLogprobs: alternatives.map { TopLogprob(token: $0.0, logprob: log($0.1)) })
}

extension ParsingTests {
    @Suite struct YesNoScorerTests {
        @Test func ratioOverVariants() throws {
            let logprobs = [token("Yes", 0.5, [("Yes", 0.5), (" yes", 0.1), ("No", 0.2), ("▁no", 0.1), ("Maybe", 0.1)])]
            let parsed = try YesNoScorer.score(logprobs: logprobs, content: "Yes").get()
            #expect(abs(parsed.value - 0.6 / 0.9) < 1e-12)
            #expect(parsed.source == .logprobs)
            #expect(parsed.flags.isEmpty)
        }

        @Test func countsTheGeneratedTokenWhenTheAlternativesLeaveItOut() throws {
            let logprobs = [token("ĠYES", 0.3, [("No", 0.6), ("no.", 0.1)])]
            let parsed = try YesNoScorer.score(logprobs: logprobs, content: "YES").get()
            #expect(abs(parsed.value - 0.3 / 1.0) < 1e-12)
        }

        @Test func onlyOneSidePresentGivesOneOrZero() throws {
            let yes = try YesNoScorer.score(logprobs: [token("Yes", 0.9, [("Yes", 0.9), ("Sure", 0.05)])], content: "Yes").get()
            #expect(yes.value == 1)
            #expect(yes.flags.isEmpty)
            let no = try YesNoScorer.score(logprobs: [token("**No", 0.9, [("**No", 0.9)])], content: "**No").get()
            #expect(no.value == 0)
        }

        @Test func skipsTokensBeforeTheAnswerAndReasoning() throws {
            let logprobs = [
                token("<think>", 1, [("<think>", 1)]),
                token("No", 0.5, [("No", 0.5), ("Now", 0.5)]),  // "No" in the reasoning is not the answer
                token("</think>", 1, [("</think>", 1)]),
                token("\n", 0.9, [("\n", 0.9), ("Answer", 0.1)]),
                token("Yes", 0.8, [("Yes", 0.8), ("No", 0.2)]),
            ]
            let parsed = try YesNoScorer.score(logprobs: logprobs, content: "<think>No</think>\nYes").get()
            #expect(abs(parsed.value - 0.8) < 1e-12)
            #expect(parsed.evidence.hasSuffix("at token 5"))
        }

        @Test func noLogprobsFallsBackToTheGeneratedWordFlagged() throws {
            let parsed = try YesNoScorer.score(logprobs: nil, content: " Yes.").get()
            #expect(parsed.value == 1)
            #expect(parsed.source == .generatedToken)
            #expect(parsed.flags == [Flag(.noLogprobs, "the endpoint returned no logprobs; used the generated \"Yes\"")])

            let no = try YesNoScorer.score(logprobs: [], content: "The answer is no, it is off-topic.").get()
            #expect(no.value == 0)
            #expect(no.flags.map(\.code) == [.noLogprobs])
        }

        @Test func noYesNoAmongAlternativesFallsBackFlagged() throws {
            let parsed = try YesNoScorer.score(logprobs: [token("Relevant", 0.9, [("Relevant", 0.9), ("Irrelevant", 0.1)])],
                                               content: "Relevant, yes").get()
            #expect(parsed.value == 1)
            #expect(parsed.flags == [Flag(.noLogprobs, "no Yes/No among the top alternatives; used the generated \"Yes\"")])
        }

        @Test func missingAlternativesFallBackFlagged() throws {
            let parsed = try YesNoScorer.score(logprobs: [token("No", 0.7, [])], content: "No").get()
            #expect(parsed.value == 0)
            #expect(parsed.source == .generatedToken)
            #expect(parsed.flags.first?.detail.hasPrefix("no alternatives returned") == true)
        }

        @Test func failsWithoutAnAnswer() {
            for (content, reason) in [("Maybe.", "neither Yes nor No in the reply"),
                                      ("Well, yes and no.", "the reply says both Yes and No"),
                                      ("", "empty reply")]
            {
                guard case .failure(let failure) = YesNoScorer.score(logprobs: nil, content: content) else {
                    Issue.record("expected a failure for \(content)")
                    continue
                }
                #expect(failure.reason == reason)
            }
            #expect(throws: ParseFailure.self) {
                try YesNoScorer.score(logprobs: [token("Maybe", 0.9, [("Maybe", 0.9)])], content: "Maybe").get()
            }
        }

        @Test func customLabels() throws {
            let logprobs = [token(" Relevant", 0.6, [(" Relevant", 0.6), ("irrelevant", 0.3), ("Yes", 0.1)])]
            let parsed = try YesNoScorer.score(logprobs: logprobs, content: "Relevant", yes: "Relevant", no: "Irrelevant").get()
            #expect(abs(parsed.value - 0.6 / 0.9) < 1e-12)
            #expect(parsed.evidence.hasPrefix("P(Relevant) 0.6, P(Irrelevant) 0.3"))

            let text = try YesNoScorer.score(logprobs: nil, content: "Not relevant at all.", yes: "Relevant", no: "Not relevant").get()
            #expect(text.value == 0)
            #expect(text.flags == [Flag(.noLogprobs, "the endpoint returned no logprobs; used the generated \"Not relevant\"")])
        }

        @Test func promptPatternPicksTheAnswerWord() throws {
            let pattern = #"(?i)answer:\s*(\w+)"#
            let parsed = try YesNoScorer.score(logprobs: nil, content: "No doubt about it. Answer: yes", pattern: pattern).get()
            #expect(parsed.value == 1)
            // Without the pattern the first word decides.
            #expect(try YesNoScorer.score(logprobs: nil, content: "No doubt about it. Answer: yes").get().value == 0)
        }

        @Test(arguments: ["Yes", "yes", "YES", " Yes", "▁yes", "ĠYes", "Yes.", "**Yes**", "\"yes\"", "Yes,"])
        func yesSpellings(_ spelling: String) {
            #expect(YesNoScorer.answerWord(spelling) == "yes")
        }

        @Test(arguments: ["Yesterday", "eyes", "y", "", "▁", "Noun", "know"])
        func notAnswers(_ spelling: String) {
            #expect(YesNoScorer.answerWord(spelling) == nil)
        }
    }
}
