import LLMRank
import Testing
@testable import LLMRankServer

/// The [0, 1] relevance: each method's mapping, and strictly decreasing whatever the scores.
@Suite struct RelevanceScaleTests {
    static func list(_ scores: [Double?], flags: [Int: Flag] = [:]) -> RankedList {
        RankedList(candidates: scores.enumerated().map { i, s in
            Candidate(document: Document(id: String(i), text: ""), score: s, rank: i + 1,
                      stageScores: s.map { [StageScore(stage: "encoder", score: $0)] } ?? [], flags: flags[i].map { [$0] } ?? [])
        })
    }

    static func strictlyDecreasingInUnitRange(_ xs: [Double]) -> Bool {
        xs.allSatisfy { $0 >= 0 && $0 <= 1 } && zip(xs, xs.dropFirst()).allSatisfy { $0 > $1 }
    }

    @Test func eachMethodsMapping() throws {
        #expect(RelevanceScale(head: .scale(lo: 1, hi: 5)).relevance(Self.list([5, 3]))  == [1, 0.5])
        #expect(RelevanceScale(head: .probability).relevance(Self.list([0.9, 0.25])) == [0.9, 0.25])
        #expect(RelevanceScale(head: .position).relevance(Self.list([9, 8, 7, 6])) == [1, 0.75, 0.5, 0.25])
        let sigmoid = RelevanceScale(head: .sigmoid).relevance(Self.list([0]))
        #expect(sigmoid == [0.5])
        #expect(RelevanceScale(head: .fraction(of: 2.0 / 61)).relevance(Self.list([2.0 / 61])) == [1])
        // From profiles: yes/no is a probability, the 1-5 prompt a scale, the encoder a sigmoid, RRF a fraction.
        #expect(try RelevanceScale(configuration: RerankerConfiguration(judge: JudgeSettings(method: .yesno))).head == .probability)
        #expect(try RelevanceScale(configuration: RerankerConfiguration(judge: JudgeSettings(method: .pointwise))).head == .scale(lo: 1, hi: 5))
        #expect(try RelevanceScale(configuration: RerankerConfiguration(encoder: EncoderSettings(), judge: nil)).head == .sigmoid)
        let rrf = RerankerConfiguration(encoder: EncoderSettings(keep: 20), judge: JudgeSettings(method: .yesno), fusion: FusionSettings(method: .rrf))
        #expect(try RelevanceScale(configuration: rrf).head == .fraction(of: 2.0 / 61))
        #expect(try RelevanceScale(configuration: ProfileLibrary.named("hybrid-listwise")).head == .position)
    }

    /// Ties, zeros, missing scores, out-of-range scores and the cut tail still come out strictly
    /// decreasing within [0, 1]; zeros stay within 1e-6 of 0.
    @Test func alwaysStrictlyDecreasing() {
        let cut = Flag(.cut, stage: "encoder", "below the top 3")
        let list = Self.list([1, 1, 1, 0, 0, nil, nil, 7, -3], flags: [7: cut, 8: cut])
        let scale = RelevanceScale(head: .scale(lo: 0, hi: 1))
        let r = scale.relevance(list)
        #expect(Self.strictlyDecreasingInUnitRange(r), "\(r)")
        #expect(r[0] == 1)
        #expect(r[3] <= 1e-6 && r[3] > 0)
        #expect(RelevanceScale(head: .probability).relevance(Self.list(Array(repeating: 0, count: 1000))).last! > 0)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let scores: [Double?] = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                Bool.random(using: &generator) ? nil : Double.random(in: -10...10, using: &generator).rounded()
            }
            #expect(Self.strictlyDecreasingInUnitRange(RelevanceScale(head: .scale(lo: 1, hi: 5)).relevance(Self.list(scores))))
        }
    }
}
