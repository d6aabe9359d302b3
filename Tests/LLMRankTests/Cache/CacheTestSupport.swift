import Foundation
@testable import LLMRank

/// A `ChatCompleting` double at the network boundary: counts the requests it receives, answers
/// after an optional delay (or once released, while held), fails on demand, and notices
/// cancellation.
final class CountingUpstream: ChatCompleting {
    actor State {
        var calls: [ChatRequest] = []
        var failuresLeft = 0
        var cancellations = 0
        var held = false
        func hold() { held = true }
        func release() { held = false }
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
    let delay: Duration
    let endpointIdentity: String

    init(delay: Duration = .zero, endpointIdentity: String = "llm.example.test/v1/chat/completions") {
        self.delay = delay
        self.endpointIdentity = endpointIdentity
    }

    var callCount: Int { get async { await state.calls.count } }

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
        while await state.held {
            do {
                try await Task.sleep(for: .milliseconds(5))
            } catch {
                await state.cancelled()
                throw error
            }
        }
        if delay > .zero {
            do {
                try await Task.sleep(for: delay)
            } catch {
                await state.cancelled()
                throw error
            }
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
}
