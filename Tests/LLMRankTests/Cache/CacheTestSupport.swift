import Foundation
import PostgresNIO
import Testing
@testable import LLMRank

/// A `ChatCompleting` double at the network boundary: counts the requests it receives, answers
/// after an optional delay (or once its gate opens, while held), fails on demand, and notices
/// cancellation.
final class CountingUpstream: ChatCompleting {
    actor State {
        var calls: [ChatRequest] = []
        var failuresLeft = 0
        var cancellations = 0
        func record(_ request: ChatRequest) -> Bool {
            calls.append(request)
            if failuresLeft > 0 {
                failuresLeft -= 1
                return true
            }
            return false
        }
        func failNext(_ n: Int) { failuresLeft = n }
        func cancelled() { cancellations += 1 }
    }

    let state = State()
    /// Closed by `hold()`: requests wait at it until `release()`.
    let gate = Gate()
    let delay: Duration
    let endpointIdentity: String

    init(delay: Duration = .zero, endpointIdentity: String = "llm.example.test/v1/chat/completions") {
        self.delay = delay
        self.endpointIdentity = endpointIdentity
    }

    var callCount: Int { get async { await state.calls.count } }

    /// Makes requests wait until `release()`.
    func hold() async { await gate.close() }

    /// Lets held and later requests through.
    func release() async { await gate.open() }

    static func answer(to request: ChatRequest) -> ChatResponse {
        ChatResponse(
            content: "{\"score\": \((request.messages.last?.content.count ?? 0) % 5)}",
            finishReason: "stop",
            logprobs: [TokenLogprob(token: "Yes", logprob: -0.105,
                                    topLogprobs: [TopLogprob(token: "Yes", logprob: -0.105),
                                                  TopLogprob(token: "No", logprob: -2.3)])],
            usage: Usage(promptTokens: 40 + (request.messages.last?.content.count ?? 0), completionTokens: 3),
            model: request.model + "-2026")
    }

    func complete(_ request: ChatRequest) async throws -> ChatResult {
        let fail = await state.record(request)
        do {
            try await gate.pass()
            if delay > .zero { try await Task.sleep(for: delay) }
        } catch {
            await state.cancelled()
            throw error
        }
        if fail { throw LLMRankError(.http, "llm.example.test: HTTP 503", status: 503) }
        let response = Self.answer(to: request)
        return ChatResult(response: response,
                          record: CallRecord(attempts: 1, latency: .milliseconds(120), usage: response.usage ?? Usage(),
                                             status: 200))
    }
}

enum CacheFixtures {
    static func temporaryDatabase(_ name: String = "judgments.sqlite") throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("llmrank-cache-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name)
    }

    static func remove(_ file: URL) {
        try? FileManager.default.removeItem(at: file.deletingLastPathComponent())
    }

    /// A pointwise-like request for document `i`.
    static func request(_ i: Int, model: String = "judge-small") -> ChatRequest {
        ChatRequest(model: model,
                    messages: [.system("You grade passages."), .user("Query: q\nPassage: document number \(i)")],
                    temperature: 0, maxTokens: 16, seed: 7)
    }

    /// A reply as `CachedChat` would store it for request `i`.
    static func reply(_ i: Int, model: String = "judge-small", version: String = "pointwise/p/1",
                      createdAt: Date = Date()) -> CachedReply
    {
        CachedReply(response: CountingUpstream.answer(to: request(i)), model: model,
                    endpoint: "llm.example.test/v1/chat/completions", methodVersion: version, createdAt: createdAt,
                    latency: .milliseconds(250), requestBody: "{\"i\":\(i)}")
    }
}

/// The stores the contract suite runs against: each behaviour is checked once per kind.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case memory
    /// A PostgreSQL store in a schema of its own on `LLMRANK_TEST_POSTGRES_URL`'s server; left out
    /// when the variable is unset outside CI (see `TestPostgres`).
    case postgres

    static var allCases: [StoreKind] { TestPostgres.testsRun ? [.sqlite, .memory, .postgres] : [.sqlite, .memory] }

    var testDescription: String { rawValue }

    /// A new, empty store of this kind and an upstream that holds its requests until released.
    func makeWithHeldUpstream() async throws -> (StoreUnderTest, CountingUpstream) {
        let upstream = CountingUpstream()
        await upstream.hold()
        return (try await make(), upstream)
    }

    /// A new, empty store of this kind.
    func make() async throws -> StoreUnderTest {
        switch self {
        case .sqlite:
            let file = try CacheFixtures.temporaryDatabase()
            return StoreUnderTest(store: try await SQLiteJudgmentStore.open(path: file), file: file)
        case .memory:
            return StoreUnderTest(store: MemoryJudgmentStore(), file: nil)
        case .postgres:
            return StoreUnderTest(store: try await TestPostgres.openStore(), file: nil)
        }
    }
}

/// Ways an entry can be damaged that a store must read as a miss.
enum Damage: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// The reply is not JSON (a truncated write by another program).
    case replyNotJSON
    /// The reply is JSON of another shape.
    case replyOfAnotherShape
    /// Negative token counts beside the reply.
    case negativeTokens
    /// Token counts that disagree with the reply's own usage.
    case tokensDisagreeWithReply
    /// A negative latency.
    case negativeLatency
    /// A log probability above 0 (a probability over 1 would make a wrong yes/no score).
    case logprobAboveZero

    var testDescription: String { rawValue }
}

/// A store under test with what the tests need to look inside it.
struct StoreUnderTest: Sendable {
    let store: any JudgmentStore
    /// The SQLite file, for a file store.
    let file: URL?

    /// Callers waiting on the shared call for `key`.
    func waiters(for key: String) async -> Int {
        await ((store as? any InProcessSingleFlight)?.flights ?? (store as? PostgresJudgmentStore)?.flights)?.waiters(for: key) ?? 0
    }

    /// Shared calls in progress.
    func flightsInProgress() async -> Int {
        await ((store as? any InProcessSingleFlight)?.flights ?? (store as? PostgresJudgmentStore)?.flights)?.count ?? 0
    }

    /// Damages the entry for `key` the way `damage` says, below the store's API (SQL for a file).
    func damage(_ key: String, _ damage: Damage) async throws {
        let badReply = ChatResponse(content: "Yes", logprobs: [TokenLogprob(token: "Yes", logprob: 2.5)])
        let badReplyJSON = String(decoding: try JSONEncoder().encode(badReply), as: UTF8.self)
        let change: String
        switch damage {
        case .replyNotJSON: change = "response = '{\"content\": \"Ye'"
        case .replyOfAnotherShape: change = "response = '[1, 2, 3]'"
        case .negativeTokens: change = "prompt_tokens = -40, completion_tokens = -3"
        case .tokensDisagreeWithReply: change = "prompt_tokens = prompt_tokens + 1000"
        case .negativeLatency: change = "latency_ms = -5"
        case .logprobAboveZero:
            let literal = badReplyJSON.replacingOccurrences(of: "'", with: "''")
            change = "response = '\(literal)', prompt_tokens = 0, completion_tokens = 0"
        }
        switch store {
        case let postgres as PostgresJudgmentStore:
            try await postgres.execute("damage", PostgresQuery(unsafeSQL: "UPDATE \(postgres.tables.judgments) SET \(change) WHERE key = '\(key)'"))
        case let sqlite as SQLiteJudgmentStore:
            try await sqlite.pool.write { db in
                try db.execute(sql: "UPDATE judgments SET \(change) WHERE key = ?", arguments: [key])
            }
        case let memory as MemoryJudgmentStore:
            memory.modifyStored(key: key) { entry in
                switch damage {
                case .replyNotJSON: entry.response = "{\"content\": \"Ye"
                case .replyOfAnotherShape: entry.response = "[1, 2, 3]"
                case .negativeTokens: (entry.promptTokens, entry.completionTokens) = (-40, -3)
                case .tokensDisagreeWithReply: entry.promptTokens += 1000
                case .negativeLatency: entry.latencyMilliseconds = -5
                case .logprobAboveZero: (entry.response, entry.promptTokens, entry.completionTokens) = (badReplyJSON, 0, 0)
                }
            }
        default:
            Issue.record("no way to damage a \(type(of: store))")
        }
    }

    /// Closes the store and deletes its file.
    func remove() async {
        if let postgres = store as? PostgresJudgmentStore { await TestPostgres.drop(postgres) }
        await store.close()
        if let file { CacheFixtures.remove(file) }
    }
}
