import Foundation
import Testing
@testable import LLMRank

private func token(_ text: String, _ p: Double = 1, _ alternatives: [(String, Double)] = []) -> TokenLogprob {
    TokenLogprob(token: text, logprob: log(p), topLogprobs: alternatives.map { TopLogprob(token: $0.0, logprob: log($0.1)) })
}

private let zeroToThree = ScoreScale(min: 0, max: 3)
private let zeroToTen = ScoreScale(min: 0, max: 10)

extension ParsingTests {
    @Suite struct ExpectedScoreTests {
        @Test func weightsTheScaleTokensAtTheFirstToken() throws {
            let logprobs = [token("2", 0.6, [("2", 0.6), ("3", 0.3), ("1", 0.05), ("The", 0.05)])]
            let d = try #require(ExpectedScore.distribution(logprobs: logprobs, scale: zeroToThree))
            #expect(d.tokenIndex == 0)
            #expect(abs(d.mass - 0.95) < 1e-12)
            #expect(abs(d.mean - (2 * 0.6 + 3 * 0.3 + 1 * 0.05) / 0.95) < 1e-12)
            #expect(abs(d.probabilities.values.reduce(0, +) - 1) < 1e-12)
        }

        @Test func findsTheScoreInsideJSON() throws {
            // {"score": 2} where the score is the fifth token and ": " sticks to the digit.
            let logprobs = [
                token("{\""), token("score"), token("\":"),
                token(" 2", 0.5, [(" 2", 0.5), (" 3", 0.25), ("3", 0.25)]),
                token("}"),
            ]
            let d = try #require(ExpectedScore.distribution(logprobs: logprobs, scale: zeroToThree))
            #expect(d.tokenIndex == 3)
            #expect(abs(d.mean - 2.5) < 1e-12)
        }

        @Test func findsTheLabelledScoreAfterReasoning() throws {
            let logprobs = [
                token("It"), token(" covers"), token(" 2", 0.9, [(" 2", 0.9), (" 3", 0.1)]), token(" aspects."),
                token(" Score"), token(":"), token(" 1", 0.5, [(" 1", 0.5), (" 0", 0.5)]),
            ]
            #expect(ExpectedScore.from(logprobs: logprobs, scale: zeroToThree) == 0.5)
        }

        @Test func splitsATwoTokenTen() throws {
            // "Score: 10" as "1" then "0": P(10) = P("1") × P("0" | "1").
            let logprobs = [
                token("Score"), token(":"),
                token(" 1", 0.5, [(" 1", 0.5), (" 9", 0.3), (" 8", 0.2)]),
                token("0", 0.8, [("0", 0.8), ("\n", 0.2)]),
            ]
            let d = try #require(ExpectedScore.distribution(logprobs: logprobs, scale: zeroToTen))
            #expect(d.tokenIndex == 2)
            #expect(abs(d.probabilities[10]! - 0.4) < 1e-12)
            #expect(abs(d.probabilities[1]! - 0.1) < 1e-12)
            #expect(abs(d.mean - (10 * 0.4 + 1 * 0.1 + 9 * 0.3 + 8 * 0.2)) < 1e-12)
        }

        @Test func aSingleTokenTenCounts() throws {
            let logprobs = [token("10", 0.7, [("10", 0.7), ("9", 0.3)])]
            #expect(abs(ExpectedScore.from(logprobs: logprobs, scale: zeroToTen)! - 9.7) < 1e-12)
        }

        @Test func ignoresAlternativesThatAreNotScaleValues() throws {
            let logprobs = [token("3", 0.5, [("3", 0.5), ("4", 0.2), ("3rd", 0.2), ("-", 0.1)])]
            let d = try #require(ExpectedScore.distribution(logprobs: logprobs, scale: zeroToThree))
            #expect(d.probabilities == [3: 1])
            #expect(abs(d.mass - 0.5) < 1e-12)
        }

        @Test func nilWhenThereIsNothingToWeigh() {
            #expect(ExpectedScore.from(logprobs: nil, scale: zeroToThree) == nil)
            #expect(ExpectedScore.from(logprobs: [], scale: zeroToThree) == nil)
            #expect(ExpectedScore.from(logprobs: [token("Relevant")], scale: zeroToThree) == nil)
            #expect(ExpectedScore.from(logprobs: [token("2")], scale: ScoreScale(min: -2, max: 2)) == nil)
            #expect(ExpectedScore.from(logprobs: [token("0.5")], scale: .unit) == nil)
        }

        @Test func withoutAlternativesTheGeneratedScoreIsTheMean() {
            #expect(ExpectedScore.from(logprobs: [token("Score: "), token("2", 0.4)], scale: zeroToThree) == 2)
        }
    }
}
