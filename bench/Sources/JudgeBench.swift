import Foundation
import LLMRank
import LLMRankTestSupport

enum JudgeBench {
    static func run(documents: Int, latencyMs: Int, concurrency: Int) async throws {
        print("judge benchmark: not yet wired")
    }
}
