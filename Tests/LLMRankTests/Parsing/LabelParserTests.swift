import Foundation
import PropertyBased
import Testing
@testable import LLMRank

private let letters = ["A", "B", "C", "D", "E", "F", "G", "H"]

/// Pieces that drive the label parser into its corners, mixed with random Unicode.
private let labelFragments: [String] = [
    "[", "]", "[[", "]]", " > ", ">", "*", "**", "Passage", "passage", " ", "\n", "A", "a", "B", "b", "Z",
    "[A]", "[b]", "[ C ]", "[Z]", "[1]", "[12]", "1", "2", "20", "<think>", "</think>", "é", "😀", "▁", "Ġ",
]

private let labelNoise: Generator<String, some SendableSequenceType> = Gen.frequency(
    (4, Gen<String?>.element(of: labelFragments).map { $0! }),
    (1, Gen<Unicode.Scalar>.unicodeScalar(in: "\u{0}"..."\u{D7FF}").map { String(Character($0)) })
).array(of: 0...40).map { $0.joined() }

/// Lower-case chatter: never an upper-case letter label, never a digit.
private let labelChatter: Generator<String, some SendableSequenceType> = Gen.lowercaseLetter.string(of: 2...7)
    .array(of: 0...6).map { $0.joined(separator: " ") }

extension ParsingTests {
    @Suite struct LabelParserTests {
        @Test func randomTextNeverTrapsAndNamesALabelOrFails() async {
            await propertyCheck(count: 300, input: labelNoise) { text in
                for labels in [Array(letters.prefix(2)), Array(letters.prefix(4)), ["1", "2", "3"]] {
                    switch LabelParser.parse(text, labels: labels) {
                    case .success(let index): #expect(labels.indices.contains(index))
                    case .failure(let failure): #expect(!failure.reason.isEmpty)
                    }
                }
            }
        }

        @Test func wellFormedRepliesReadBack() async {
            await propertyCheck(count: 200, input: Gen.int(in: 2...8), Gen.int(in: 0...7), labelChatter) { count, pick, chat in
                let labels = Array(letters.prefix(count))
                let chosen = pick % count
                let label = labels[chosen]
                let other = labels[(chosen + 1) % count]
                for reply in [
                    label, "[\(label)]", "Passage \(label)", "**\(label)**", "[\(label.lowercased())]",
                    "[\(label)] > [\(other)]", "\(chat)\n\nAnswer: [\(label)] \(chat)", "[Z] [\(label)]",
                    "<think>[\(other)] maybe</think>\(label)",
                ] {
                    switch LabelParser.parse(reply, labels: labels) {
                    case .success(let index): #expect(index == chosen, "\(reply)")
                    case .failure(let failure): Issue.record("\(reply): \(failure)")
                    }
                }
            }
        }

        @Test func noUsableLabelIsAFailure() {
            for reply in ["", "the first one", "[Z]", "a passage", "<think>[A]"] {
                guard case .failure = LabelParser.parse(reply, labels: ["A", "B"]) else {
                    Issue.record("read a label from \(reply)")
                    continue
                }
            }
        }

        @Test func labelProbabilitiesAreSummedOverSpellings() async {
            let spellings = ["A", " A", "[A", "a", "▁A", " [a"]
            await propertyCheck(count: 200, input: Gen.double(in: 0.01...0.99), Gen.int(in: 1...6), Gen.double(in: 0...0.5)) { p, spread, other in
                let a = (0..<spread).map { TopLogprob(token: spellings[$0], logprob: log(p * (1 - other) / Double(spread))) }
                let b = [TopLogprob(token: " B", logprob: log((1 - p) * (1 - other)))]
                let rest = other > 0 ? [TopLogprob(token: "The", logprob: log(other))] : []
                let alternatives = b + rest + a
                let lp = [TokenLogprob(token: "[", logprob: 0),
                          TokenLogprob(token: alternatives[0].token, logprob: alternatives[0].logprob, topLogprobs: alternatives)]
                guard let probabilities = LabelParser.probabilities(lp, labels: ["A", "B", "C"]) else {
                    Issue.record("no probabilities")
                    return
                }
                #expect(abs(probabilities[0] - p * (1 - other)) < 1e-9)
                #expect(abs(probabilities[1] - (1 - p) * (1 - other)) < 1e-9)
                #expect(probabilities[2] == 0)
            }
        }

        @Test func noLogprobsOrNoLabelGivesNil() {
            #expect(LabelParser.probabilities(nil, labels: ["A", "B"]) == nil)
            #expect(LabelParser.probabilities([TokenLogprob(token: "The", logprob: -0.1,
                                                            topLogprobs: [TopLogprob(token: "It", logprob: -2)])],
                                              labels: ["A", "B"]) == nil)
        }
    }
}
