import Foundation
import Logging
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// A stage that scores each document by a number in its metadata (a stand-in first stage, such as
/// BM25 or an encoder, whose scores the test chooses).
struct MetadataScoreStage: RerankStage {
    var name: String
    var field: String
    var keep: Int?

    func rerank(query: Query, list: RankedList, context: StageContext) async throws -> RankedList {
        var out = list.candidates
        for i in out.indices {
            let s = out[i].metadata[field]?.doubleValue
            out[i].score = s
            out[i].stageScores.append(StageScore(stage: name, score: s))
        }
        return RankedList(candidates: out.enumerated().sorted { a, b in
            (a.element.score ?? -.infinity) != (b.element.score ?? -.infinity)
                ? (a.element.score ?? -.infinity) > (b.element.score ?? -.infinity) : a.offset < b.offset
        }.map(\.element))
    }
}

@Suite struct PipelineTests {
    static func docs(_ values: [(String, Double, Double)]) -> [Document] {
        values.map { Document(id: $0.0, text: "text of \($0.0)", metadata: ["a": .number($0.1), "b": .number($0.2)]) }
    }

    @Test func aCuttingStageReturnsTheRestBelowTheHeadFlagged() async throws {
        let pipeline = Pipeline(stages: [
            MetadataScoreStage(name: "first", field: "a", keep: 2),
            MetadataScoreStage(name: "second", field: "b"),
        ])
        let docs = Self.docs([("w", 1, 9), ("x", 4, 1), ("y", 3, 5), ("z", 2, 7)])
        let result = try await pipeline.rerank(query: Query(text: "q"), documents: docs)
        // first: x y z w; head x y reordered by b: y x; then z w below, in the first stage's order.
        #expect(result.list.ids == ["y", "x", "z", "w"])
        #expect(result.list.candidates.map(\.rank) == [1, 2, 3, 4])
        #expect(result.list.candidates[2].flags.map(\.code) == [Flag.Code.cut])
        #expect(result.list.candidates[0].score(of: "first") == 3)
        #expect(result.list.candidates[0].score(of: "second") == 5)
        #expect(result.list.candidates[2].score(of: "second") == nil)
        #expect(result.trace.stages.map(\.stage) == ["first", "second"])
    }

    @Test func topNReturnsTheHeadOnly() async throws {
        let pipeline = Pipeline(stages: [MetadataScoreStage(name: "first", field: "a")], topN: 2)
        let result = try await pipeline.rerank(query: Query(text: "q"), documents: Self.docs([("w", 1, 0), ("x", 4, 0), ("y", 3, 0)]))
        #expect(result.list.ids == ["x", "y"])
    }

    @Test func anEmptyListGivesAnEmptyResult() async throws {
        let pipeline = Pipeline(stages: [MetadataScoreStage(name: "first", field: "a", keep: 2)])
        let result = try await pipeline.rerank(query: Query(text: "q"), documents: [])
        #expect(result.list.isEmpty)
    }

    @Test func reciprocalRankFusionArithmetic() async throws {
        // a ranks: x 1, y 2, z 3; b ranks: z 1, y 2, x 3. With k = 60:
        // x = 1/61 + 1/63, y = 2/62, z = 1/63 + 1/61: x and z tie above y; the tie keeps list order.
        let fusion = FusionStage(method: .reciprocalRank(k: 60), stages: ["a", "b"])
        let pipeline = Pipeline(stages: [MetadataScoreStage(name: "a", field: "a"), MetadataScoreStage(name: "b", field: "b"), fusion])
        let result = try await pipeline.rerank(query: Query(text: "q"), documents: Self.docs([("x", 3, 1), ("y", 2, 2), ("z", 1, 3)]))
        let fused = Dictionary(uniqueKeysWithValues: result.list.candidates.map { ($0.id, $0.score!) })
        #expect(abs(fused["x"]! - (1.0 / 61 + 1.0 / 63)) < 1e-12)
        #expect(abs(fused["y"]! - 2.0 / 62) < 1e-12)
        #expect(result.list.ids.last == "y")
    }

    @Test func weightedFusionOfNormalizedScores() async throws {
        let fusion = try FusionSettings.parse("weighted:0.75").stage(encoder: "a", judge: "b")
        let pipeline = Pipeline(stages: [MetadataScoreStage(name: "a", field: "a"), MetadataScoreStage(name: "b", field: "b"), fusion])
        // a normalized: x 1, y 0.5, z 0; b normalized: x 0, y 0, z 1 (b: 10, 10, 30).
        let result = try await pipeline.rerank(query: Query(text: "q"), documents: Self.docs([("x", 30, 10), ("y", 20, 10), ("z", 10, 30)]))
        let fused = Dictionary(uniqueKeysWithValues: result.list.candidates.map { ($0.id, $0.score!) })
        #expect(abs(fused["x"]! - 0.25) < 1e-12)
        #expect(abs(fused["y"]! - 0.125) < 1e-12)
        #expect(abs(fused["z"]! - 0.75) < 1e-12)
        #expect(result.list.ids == ["z", "x", "y"])
    }

    @Test func fusionSpecErrors() throws {
        #expect(throws: LLMRankError.self) { try FusionSettings.parse("borda") }
        #expect(throws: LLMRankError.self) { try FusionSettings.parse("weighted") }
        #expect(throws: LLMRankError.self) { try FusionSettings.parse("rrf:x") }
        #expect(try FusionSettings.parse("rrf:30") == FusionSettings(method: .rrf, k: 30))
        // Out-of-range values parse and are refused by validation, naming the field.
        var config = RerankerConfiguration(encoder: EncoderSettings(keep: 5), judge: JudgeSettings())
        config.fusion = try FusionSettings.parse("weighted:2")
        let error = try #require(throws: LLMRankError.self) { try config.validate() }
        #expect(error.message.hasPrefix("fusion.weight: must be between 0.0 and 1.0"))
    }

    /// A stage that loses a candidate breaks the pipeline's contract: an error of its own kind that
    /// names the stage, never a shorter list and never blamed on the input.
    @Test func aStageThatDropsCandidatesIsAContractError() async throws {
        let pipeline = Pipeline(stages: [DroppingStage()])
        let error = try await #require(throws: LLMRankError.self) {
            try await pipeline.rerank(query: Query(text: "q"), documents: Self.docs([("x", 1, 0), ("y", 2, 0)]))
        }
        #expect(error.kind == .stageContract)
        #expect(error.message.contains("'dropper' returned 1 candidates for 2"))
    }

    @Test func aJudgeStageAfterAPrefilterSeesOnlyTheHeadAndTheBudgetHolds() async throws {
        let server = try StubLLMServer { req in
            let grade = (req.lastUserMessage ?? "").contains("text of x") ? 5 : 2
            return StubLLMServer.reply("Score: \(grade)")
        }
        var config = ChatClientConfiguration(baseURL: server.baseURL)
        config.maxAttempts = 1
        let client = ChatClient(configuration: config, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        var options = JudgeOptions(model: "m")
        options.concurrency = 1
        let judge = Judge(prompt: try PromptLibrary.named("pointwise-1to5"), chat: client, options: options)
        let pipeline = Pipeline(stages: [MetadataScoreStage(name: "first", field: "a", keep: 3), JudgeStage(judge: judge)],
                                budget: BudgetLimits(maxCalls: 2))
        let docs = Self.docs([("v", 5, 0), ("w", 4, 0), ("x", 3, 0), ("y", 2, 0), ("z", 1, 0)])
        let result = try await pipeline.rerank(query: Query(text: "q"), documents: docs)
        // Head v w x; the budget allows 2 calls: v (2) and w (2) judged, x not: it follows, flagged.
        #expect(server.requestCount == 2)
        #expect(result.list.ids == ["v", "w", "x", "y", "z"])
        #expect(result.list.candidates[2].flags.map(\.code) == [Flag.Code.budgetExhausted])
        #expect(result.list.candidates[3].flags.map(\.code) == [Flag.Code.cut])
        #expect(result.trace.stages[1].calls.count == 2)
        #expect(result.trace.paidCalls == 2)
    }
}

/// A broken stage: it returns its list without the last candidate.
struct DroppingStage: RerankStage {
    var name: String { "dropper" }
    var keep: Int? { nil }
    func rerank(query: Query, list: RankedList, context: StageContext) async throws -> RankedList {
        RankedList(candidates: Array(list.candidates.dropLast()))
    }
}
