import Foundation
import Logging
import Synchronization
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// When a client's transfer threads start and stop: lazily, at `shutdown()`, and at the end of
/// `withClient`, whatever the body does.
@Suite(.timeLimit(.minutes(1))) struct ChatClientLifetimeTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func configuration(_ server: StubLLMServer, concurrency: Int = 3) -> ChatClientConfiguration {
        var config = ChatClientConfiguration(baseURL: server.baseURL)
        config.maxConcurrency = concurrency
        config.maxAttempts = 1
        return config
    }

    static let request = ChatRequest(model: "m", messages: [.user("q?")], maxTokens: 4)

    @Test func threadsStartWithTheFirstRequestAndStopAtShutdown() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("ok") }
        let client = ChatClient(configuration: Self.configuration(server, concurrency: 3), logger: Self.quiet)
        #expect(client.runningThreads == 0)
        _ = try await client.complete(Self.request)
        #expect(client.runningThreads == 3)
        await client.shutdown()
        #expect(client.runningThreads == 0)
        await client.shutdown()  // twice is fine
    }

    @Test func aClientNeverUsedShutsDownAtOnce() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("ok") }
        let client = ChatClient(configuration: Self.configuration(server), logger: Self.quiet)
        await client.shutdown()
        #expect(client.runningThreads == 0)
        #expect(server.requestCount == 0)
    }

    @Test func shutdownAbortsARequestInFlightAndRefusesLaterOnes() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("late", delay: .seconds(30)) }
        let client = ChatClient(configuration: Self.configuration(server), logger: Self.quiet)
        let inFlight = Task { try await client.complete(Self.request) }
        try await waitUntil("the request to reach the server") { server.requestCount == 1 }
        await client.shutdown()
        #expect(client.runningThreads == 0)
        await #expect(throws: CancellationError.self) { _ = try await inFlight.value }
        try await waitUntil("the server to see the client hang up", timeout: .seconds(10)) { server.abandoned == 1 }

        let refused = await #expect(throws: LLMRankError.self) { _ = try await client.complete(Self.request) }
        #expect(refused?.kind == .cancelled)
        #expect(refused?.message == "the client for \(server.baseURL)/chat/completions was shut down")
        #expect(server.requestCount == 1)
    }

    @Test func withClientShutsDownAfterTheBody() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("ok") }
        let client = try await ChatClient.withClient(configuration: Self.configuration(server), logger: Self.quiet) { client in
            _ = try await client.complete(Self.request)
            #expect(client.runningThreads == 3)
            return client
        }
        #expect(client.runningThreads == 0)
        await #expect(throws: LLMRankError.self) { _ = try await client.complete(Self.request) }
    }

    @Test func withClientShutsDownWhenTheBodyThrows() async throws {
        struct BodyFailed: Error {}
        let server = try StubLLMServer { _ in StubLLMServer.reply("ok") }
        let seen = Mutex<ChatClient?>(nil)
        await #expect(throws: BodyFailed.self) {
            try await ChatClient.withClient(configuration: Self.configuration(server), logger: Self.quiet) { client in
                seen.withLock { $0 = client }
                _ = try await client.complete(Self.request)
                throw BodyFailed()
            }
        }
        let client = try #require(seen.withLock { $0 })
        #expect(client.runningThreads == 0)
    }
}
