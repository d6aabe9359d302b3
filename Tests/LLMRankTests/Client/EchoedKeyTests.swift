import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// A key the endpoint echoes in its reply never reaches the caller or the judgment store.
@Suite(.timeLimit(.minutes(1))) struct EchoedKeyTests {
    @Test func anEchoedKeyIsRedactedBeforeTheStore() async throws {
        let key = "sk-echo-0123456789abcdef"
        let server = try StubLLMServer { req in
            StubLLMServer.reply("Your key is \((req.headers["authorization"] ?? "").replacingOccurrences(of: "Bearer ", with: "")). Score: 3")
        }
        defer { server.stop() }
        let store = MemoryJudgmentStore()
        let result = try await ChatClient.withClient(configuration: ChatClientTests.configuration(server, key: key),
                                                     logger: ChatClientTests.quiet) { client in
            try await CachedChat(upstream: client, store: store, methodVersion: "v1").complete(ChatClientTests.request)
        }
        #expect(result.response.content == "Your key is [redacted]. Score: 3")
        for storedKey in try await store.keys() {
            let stored = try #require(try await store.get(key: storedKey))
            #expect(!stored.response.content.contains(key))
            #expect(stored.requestBody?.contains(key) != true)
        }
        #expect(try await store.keys().count == 1)
    }
}
