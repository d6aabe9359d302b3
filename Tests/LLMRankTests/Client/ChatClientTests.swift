import Foundation
import InMemoryLogging
import Logging
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// The libcurl client against a real loopback HTTP server that plays the endpoint. Every client
/// is scoped (`withClient`), so its threads stop when the test is done.
@Suite(.timeLimit(.minutes(1))) struct ChatClientTests {
    static func configuration(_ server: StubLLMServer, key: String? = nil, concurrency: Int = 4, attempts: Int = 4,
                              timeout: Duration = .seconds(10)) -> ChatClientConfiguration
    {
        var config = ChatClientConfiguration(baseURL: server.baseURL, apiKey: key)
        config.maxConcurrency = concurrency
        config.maxAttempts = attempts
        config.requestTimeout = timeout
        config.backoffBase = .milliseconds(10)
        config.backoffCap = .milliseconds(50)
        return config
    }

    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs `body` with a client of `server` and shuts it down afterwards.
    static func withClient<T>(_ server: StubLLMServer, key: String? = nil, concurrency: Int = 4, attempts: Int = 4,
                              timeout: Duration = .seconds(10), logger: Logger = quiet,
                              isolation: isolated (any Actor)? = #isolation,
                              _ body: (ChatClient) async throws -> T) async throws -> T
    {
        try await ChatClient.withClient(
            configuration: configuration(server, key: key, concurrency: concurrency, attempts: attempts, timeout: timeout),
            logger: logger, body)
    }

    /// One request to `server` through a scoped client.
    static func complete(_ server: StubLLMServer, key: String? = nil, attempts: Int = 4,
                         timeout: Duration = .seconds(10)) async throws -> ChatResult
    {
        try await withClient(server, key: key, attempts: attempts, timeout: timeout) { try await $0.complete(request) }
    }

    static let request = ChatRequest(model: "m", messages: [.system("judge"), .user("q?")], temperature: 0,
                                     maxTokens: 8, seed: 7, responseFormat: .jsonObject, logprobs: true,
                                     topLogprobs: 3, logitBias: [9642: 5])

    @Test func successDecodesContentLogprobsAndUsageAndSendsTheFields() async throws {
        let server = try StubLLMServer { _ in
            StubLLMServer.reply("Yes", logprobs: [.init("Yes", -0.1, top: [("Yes", -0.1), ("No", -2.4)])])
        }
        let result = try await Self.complete(server, key: "sk-test-secret-key-123456")
        #expect(result.response.content == "Yes")
        #expect(result.response.finishReason == "stop")
        #expect(result.response.usage == Usage(promptTokens: 10, completionTokens: 5))
        #expect(result.response.logprobs?.first?.topLogprobs.map(\.token) == ["Yes", "No"])
        #expect(result.record.attempts == 1)
        #expect(result.record.status == 200)
        let sent = try #require(server.requests.first)
        #expect(sent.path == "/v1/chat/completions")
        #expect(sent.headers["authorization"] == "Bearer sk-test-secret-key-123456")
        let body = try #require(sent.json)
        #expect(body["model"] == "m")
        #expect(body["max_tokens"] == 8)
        #expect(body["seed"] == 7)
        #expect(body["logprobs"] == true)
        #expect(body["top_logprobs"] == 3)
        #expect(body["response_format"]?["type"] == "json_object")
        #expect(body["logit_bias"]?["9642"] == 5)
        #expect(body["messages"]?.arrayValue?.count == 2)
    }

    @Test func toleratesUnknownFieldsAndMissingUsage() async throws {
        let body = #"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"4","extra":1},"finish_reason":"length","weird":[1,2]}],"system_fingerprint":"fp"}"#
        let server = try StubLLMServer { _ in .respond(status: 200, body: Data(body.utf8)) }
        let result = try await Self.complete(server)
        #expect(result.response.content == "4")
        #expect(result.response.usage == nil)
        #expect(result.response.logprobs == nil)
        #expect(result.response.finishReason == "length")
    }

    @Test func honoursRetryAfterOn429ThenSucceeds() async throws {
        let server = try StubLLMServer { req in
            req.index == 0 ? StubLLMServer.error(429, "slow down", headers: ["retry-after-ms": "400"]) : StubLLMServer.reply("ok")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await Self.complete(server)
        #expect(clock.now - start >= .milliseconds(400))
        #expect(result.record.attempts == 2)
        #expect(server.requestCount == 2)
    }

    @Test func retryAfterParsesSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(ChatClient.retryAfter(["retry-after": "3"], now: now) == .seconds(3))
        #expect(ChatClient.retryAfter(["retry-after-ms": "250", "retry-after": "9"], now: now) == .milliseconds(250))
        // 1_700_000_000 is Tue, 14 Nov 2023 22:13:20 GMT.
        #expect(ChatClient.retryAfter(["retry-after": "Tue, 14 Nov 2023 22:13:25 GMT"], now: now) == .seconds(5))
        #expect(ChatClient.retryAfter(["retry-after": "soon"], now: now) == nil)
        #expect(ChatClient.retryAfter([:], now: now) == nil)
    }

    @Test func retriesServerErrorsThenSucceeds() async throws {
        let server = try StubLLMServer { req in
            switch req.index {
            case 0: StubLLMServer.error(500, "boom")
            case 1: StubLLMServer.error(502, "bad gateway")
            case 2: StubLLMServer.error(503, "unavailable")
            default: StubLLMServer.reply("fine")
            }
        }
        let result = try await Self.complete(server, attempts: 5)
        #expect(result.response.content == "fine")
        #expect(result.record.attempts == 4)
        #expect(result.record.retries == 3)
    }

    @Test func givesUpAfterTheAttemptLimitWithTheLastStatus() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.error(503, "overloaded") }
        let error = await #expect(throws: LLMRankError.self) {
            try await Self.complete(server, attempts: 3)
        }
        #expect(error?.status == 503)
        #expect(server.requestCount == 3)
    }

    @Test func retriesAfterConnectionReset() async throws {
        let server = try StubLLMServer { req in req.index == 0 ? .reset : StubLLMServer.reply("after reset") }
        let result = try await Self.complete(server)
        #expect(result.response.content == "after reset")
        #expect(result.record.attempts == 2)
    }

    @Test func aReplySlowerThanTheTimeoutFailsAsTimeoutAfterRetries() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("late", delay: .seconds(3)) }
        let error = await #expect(throws: LLMRankError.self) {
            try await Self.complete(server, attempts: 2, timeout: .milliseconds(300))
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("after 2 attempts") == true)
        #expect(server.requestCount == 2)
    }

    @Test func invalidJSONIsAClearBadReplyError() async throws {
        let server = try StubLLMServer { _ in .respond(status: 200, body: Data("<html>gateway</html>".utf8)) }
        let error = await #expect(throws: LLMRankError.self) {
            try await Self.complete(server)
        }
        #expect(error?.kind == .badReply)
        #expect(error?.message.contains("invalid JSON from \(server.baseURL)/chat/completions: <html>gateway</html>") == true)
        #expect(server.requestCount == 1)
    }

    @Test func unauthorizedIsNotRetriedAndNamesWhereTheKeyCameFrom() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.error(401, "Incorrect API key provided") }
        let error = await #expect(throws: LLMRankError.self) {
            try await Self.complete(server, key: "sk-wrong-key-000000000")
        }
        #expect(error?.message == "401 Unauthorized from \(server.baseURL)/chat/completions: Incorrect API key provided (key from OPENAI_API_KEY)")
        #expect(error?.status == 401)
        #expect(server.requestCount == 1)
        let keyless = await #expect(throws: LLMRankError.self) { try await Self.complete(server) }
        #expect(keyless?.message.hasSuffix("(no key sent)") == true)
    }

    @Test(arguments: [400, 403, 404])
    func otherClientErrorsAreNotRetried(status: Int) async throws {
        let server = try StubLLMServer { _ in StubLLMServer.error(status, "nope") }
        let error = await #expect(throws: LLMRankError.self) {
            try await Self.complete(server)
        }
        #expect(error?.status == status)
        // Facts only: what the CLI should suggest is the CLI's business.
        #expect(error?.message.contains("--") == false)
        #expect(server.requestCount == 1)
    }

    @Test func neverHasMoreRequestsInFlightThanTheLimit() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("x", delay: .milliseconds(150)) }
        try await Self.withClient(server, concurrency: 3) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 { group.addTask { _ = try await client.complete(Self.request) } }
                try await group.waitForAll()
            }
        }
        #expect(server.requestCount == 12)
        #expect(server.maxInFlight == 3)
    }

    @Test func reusesConnectionsBetweenCalls() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("x") }
        try await Self.withClient(server, concurrency: 1) { client in
            for _ in 0..<5 { _ = try await client.complete(Self.request) }
        }
        #expect(server.requestCount == 5)
        #expect(server.connections == 1)
    }

    @Test func cancellationAbortsTheTransfer() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("never", delay: .seconds(20)) }
        try await Self.withClient(server) { client in
            let task = Task { try await client.complete(Self.request) }
            try await waitUntil("the request to reach the server") { server.requestCount == 1 }
            task.cancel()
            let outcome = await task.result
            #expect(throws: CancellationError.self) { try outcome.get() }
            // The server sees the client hang up long before the 20 s reply was due.
            try await waitUntil("the server to see the client hang up", timeout: .seconds(10)) { server.abandoned == 1 }
        }
    }

    @Test func theKeyNeverShowsInLogsErrorsOrRecords() async throws {
        let key = "sk-proj-verysecret0123456789"
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test") { _ in logs }
        logger.logLevel = .trace
        // A hostile server that echoes the key back in its error, then fails with 500s.
        let server = try StubLLMServer { req in
            req.index == 0
                ? StubLLMServer.error(500, "bad key \(key)")
                : StubLLMServer.error(401, "Incorrect API key provided: \(req.headers["authorization"] ?? "")")
        }
        let error = await #expect(throws: LLMRankError.self) {
            try await Self.withClient(server, key: key, logger: logger) { try await $0.complete(Self.request) }
        }
        let message = try #require(error?.message)
        #expect(!message.contains(key))
        #expect(message.contains("[redacted]"))
        #expect(!"\(Self.configuration(server, key: key))".contains(key))
        #expect(!logs.entries.isEmpty)
        for entry in logs.entries {
            #expect(!"\(entry.message) \(entry.metadata)".contains(key))
        }
        #expect(server.requests.allSatisfy { $0.headers["authorization"] == "Bearer \(key)" })
    }

    @Test func endpointIdentityHasHostAndPathOnly() {
        let config = ChatClientConfiguration(baseURL: "https://user:pw@API.Example.com:8443/v1/?x=1", apiKey: "sk-abcdefghijk")
        let client = ChatClient(configuration: config, logger: Logger(label: "t"))
        #expect(client.endpointIdentity == "api.example.com:8443/v1")
    }
}
