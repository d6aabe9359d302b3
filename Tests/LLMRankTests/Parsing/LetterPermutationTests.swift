import Foundation
import PropertyBased
import Testing
@testable import LLMRank

/// Pieces of lettered rankings and their corners, mixed with random Unicode.
private let rankingFragments: [String] = [
    "[", "]", " > ", ">", "A", "a", "B", "C", "Z", "AA", "[A]", "[ b ]", "[Z]", "[1]", "2", " ", "\n",
    "Passage", "I", "<think>", "</think>", "é", "😀",
]

private let rankingNoise: Generator<String, some SendableSequenceType> = Gen.frequency(
    (4, Gen<String?>.element(of: rankingFragments).map { $0! }),
    (1, Gen<Unicode.Scalar>.unicodeScalar(in: "\u{0}"..."\u{D7FF}").map { String(Character($0)) })
).array(of: 0...40).map { $0.joined() }

extension ParsingTests {
    /// Lettered rankings (`[B] > [A]`, `B > A`) read back through `LabelStyle.numbered` and the
    /// permutation parser, as listwise with `labels: letters` and first's generated ranking read them.
    @Suite struct LetterPermutationTests {
        @Test func randomTextNeverTrapsAndGivesAFullPermutationOrFails() async {
            await propertyCheck(count: 300, input: rankingNoise, Gen.int(in: 1...26)) { text, count in
                switch PermutationParser.parse(LabelStyle.letters.numbered(text, count: count), count: count) {
                case .success(let permutation): #expect(permutation.order.sorted() == Array(0..<count))
                case .failure(let failure): #expect(!failure.reason.isEmpty)
                }
            }
        }

        @Test func wellFormedRankingsReadBack() async {
            await propertyCheck(count: 200, input: Gen.int(in: 2...26), Gen.int(in: 0...1_000_000)) { count, seed in
                var rng = SeededGenerator(seed: UInt64(seed))
                let order = Array(0..<count).shuffled(using: &rng)
                let labels = order.map { LabelStyle.letters.label($0) }
                for reply in [labels.map { "[\($0)]" }.joined(separator: " > "), labels.joined(separator: " > "),
                              "Ranking: " + labels.map { "[\($0.lowercased())]" }.joined(separator: " > ")] {
                    switch PermutationParser.parse(LabelStyle.letters.numbered(reply, count: count), count: count) {
                    case .success(let permutation):
                        #expect(permutation.order == order, "\(reply)")
                        #expect(permutation.flags.isEmpty, "\(reply)")
                    case .failure(let failure): Issue.record("\(reply): \(failure)")
                    }
                }
            }
        }
    }
}
