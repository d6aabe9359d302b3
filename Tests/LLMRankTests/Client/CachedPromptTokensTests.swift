import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// Prompt tokens the endpoint served from its own prompt cache are read from either report
/// (OpenAI's `usage.prompt_tokens_details.cached_tokens`, llama-server's `timings.cache_n`), kept in
/// the judgment store, and summed into the run summary.
@Suite(.timeLimit(.minutes(1))) struct CachedPromptTokensTests {
    /// A completion body with `usage` and, optionally, llama-server's `timings`.
    static func body(usage: JSONValue, timings: JSONValue? = nil) throws -> Data {
        var object: [String: JSONValue] = [
            "id": "x", "object": "chat.completion", "model": "m",
            "choices": [["index": 0, "message": ["role": "assistant", "content": "Score: 3"], "finish_reason": "stop"]],
            "usage": usage,
        ]
        if let timings { object["timings"] = timings }
        return try JSONEncoder().encode(JSONValue.object(object))
    }

    static func usage(of body: Data) async throws -> Usage {
        let server = try StubLLMServer { _ in .respond(status: 200, body: body) }
        defer { server.stop() }
        let result = try await ChatClientTests.complete(server)
        return result.record.usage
    }

    @Test func openAIAndLlamaServerReportsAreRead() async throws {
        let openAI = try Self.body(usage: ["prompt_tokens": 1200, "completion_tokens": 3,
                                           "prompt_tokens_details": ["cached_tokens": 1024]])
        #expect(try await Self.usage(of: openAI) == Usage(promptTokens: 1200, completionTokens: 3, cachedPromptTokens: 1024))

        let llama = try Self.body(usage: ["prompt_tokens": 90, "completion_tokens": 1],
                                  timings: ["prompt_n": 12, "cache_n": 78, "predicted_n": 1])
        #expect(try await Self.usage(of: llama) == Usage(promptTokens: 90, completionTokens: 1, cachedPromptTokens: 78))

        let none = try Self.body(usage: ["prompt_tokens": 90, "completion_tokens": 1])
        #expect(try await Self.usage(of: none).cachedPromptTokens == 0)

        // A figure the prompt cannot hold is cut to the prompt, never more.
        let odd = try Self.body(usage: ["prompt_tokens": 10, "completion_tokens": 1,
                                        "prompt_tokens_details": ["cached_tokens": 50]])
        #expect(try await Self.usage(of: odd).cachedPromptTokens == 10)
    }

    /// The figure survives the judgment store (a hit carries it), and replies stored before it was
    /// kept still read as hits with 0.
    @Test func theStoreKeepsItAndOldRepliesStillRead() async throws {
        let body = try Self.body(usage: ["prompt_tokens": 1200, "completion_tokens": 3,
                                         "prompt_tokens_details": ["cached_tokens": 1024]])
        let server = try StubLLMServer { _ in .respond(status: 200, body: body) }
        defer { server.stop() }
        let store = MemoryJudgmentStore()
        try await ChatClient.withClient(configuration: ChatClientTests.configuration(server), logger: ChatClientTests.quiet) { client in
            let cached = CachedChat(upstream: client, store: store, methodVersion: "v1")
            let first = try await cached.complete(ChatClientTests.request)
            let second = try await cached.complete(ChatClientTests.request)
            #expect(!first.record.cacheHit && second.record.cacheHit)
            #expect(second.response.usage?.cachedPromptTokens == 1024)
        }
        #expect(server.requestCount == 1)

        let old = try JSONDecoder().decode(Usage.self, from: Data(#"{"promptTokens": 7, "completionTokens": 2}"#.utf8))
        #expect(old == Usage(promptTokens: 7, completionTokens: 2))
        // Without cached tokens the stored form is unchanged, so existing cache keys and rows stay valid.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(old), as: UTF8.self) == #"{"completionTokens":2,"promptTokens":7}"#)
    }

    @Test func theRunSummarySaysHowManyCameFromThePromptCache() {
        func summary(_ usage: Usage) -> String {
            var trace = Trace(queryID: "q")
            trace.stages = [StageTrace(stage: "yesno", calls: [CallRecord(attempts: 1, usage: usage)])]
            return RunSummary(results: [RerankResult(list: RankedList(documents: []), trace: trace)], wall: .seconds(1)).line
        }
        #expect(summary(Usage(promptTokens: 90, completionTokens: 1, cachedPromptTokens: 78))
            .contains("90 prompt (78 from the endpoint's prompt cache) + 1 completion tokens"))
        #expect(summary(Usage(promptTokens: 90, completionTokens: 1)).contains("90 prompt + 1 completion tokens"))
    }
}
