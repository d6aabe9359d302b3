import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// The one repair -> fallback loop, run with real strategies (pointwise for one document,
/// listwise for a window) against a loopback server that plays the LLM: a repair that works is
/// flagged `repair-retry`, a repair that does not is a flagged fallback with no value, never a
/// silent default.
@Suite struct RepairLoopTests {
    static func session(_ server: StubLLMServer, budget: Budget? = nil, stage: String) -> JudgeSession {
        JudgeSession(chat: JudgeTests.client(server), modes: ModeState(jsonMode: .off), budget: budget, stage: stage)
    }

    static func pointwise() throws -> PointwiseStrategy {
        let prompt = try PromptLibrary.named("pointwise-1to5")
        let contract = try #require(prompt.output as? PointwiseContract)
        return PointwiseStrategy(prompt: prompt, contract: contract, options: JudgeOptions(model: "m"))
    }

    static func listwise() throws -> ListwiseStrategy {
        let prompt = try PromptLibrary.named("listwise")
        let contract = try #require(prompt.output as? ListwiseContract)
        return ListwiseStrategy(prompt: prompt, contract: contract, options: JudgeOptions(model: "m"))
    }

    /// A server whose first reply to a conversation is `first` and whose reply to the repair turn
    /// (the conversation sent back, longer than system + user) is `repair`.
    static func server(first: String, repair: String) throws -> StubLLMServer {
        try StubLLMServer { req in
            let turns = req.json?["messages"]?.arrayValue?.count ?? 0
            return StubLLMServer.reply(turns > 2 ? repair : first)
        }
    }

    /// One document of "pointwise-1to5" through the loop.
    static func runPointwise(_ server: StubLLMServer, budget: Budget? = nil) async throws -> RepairLoop<PointwiseStrategy>.Outcome {
        let strategy = try pointwise()
        return try await RepairLoop(strategy: strategy, session: session(server, budget: budget, stage: "pointwise"))
            .run(try strategy.prompt.render(query: "q", document: "d"), repair: strategy.prompt.renderRepair(query: "q"),
                 size: 1, fallback: "no score after a repair")
    }

    /// A window of three passages of "listwise" through the loop.
    static func runListwise(_ server: StubLLMServer) async throws -> RepairLoop<ListwiseStrategy>.Outcome {
        let strategy = try listwise()
        return try await RepairLoop(strategy: strategy, session: session(server, stage: "listwise"))
            .run(try strategy.prompt.render(query: "q", passages: ["a", "b", "c"]),
                 repair: strategy.prompt.renderRepair(query: "q", passageCount: 3), size: 3,
                 fallback: "window 1-3 kept its order")
    }

    @Test func aRepairThatWorksGivesTheValueFlaggedRepairRetry() async throws {
        let server = try Self.server(first: "It is hard to say.", repair: #"{"score": 4}"#)
        let strategy = try Self.pointwise()
        let messages = try strategy.prompt.render(query: "q", document: "d")
        let repair = strategy.prompt.renderRepair(query: "q")
        let outcome = try await RepairLoop(strategy: strategy, session: Self.session(server, stage: "pointwise"))
            .run(messages, repair: repair, size: 1, fallback: "no score after a repair")

        #expect(outcome.value == 4)
        #expect(outcome.flags.map(\.code) == [.repairRetry])
        #expect(outcome.flags.allSatisfy { $0.stage == "pointwise" })
        #expect(outcome.flags.first?.detail.isEmpty == false)  // what was wrong with the first reply
        #expect(outcome.calls.map(\.repairs) == [0, 1])
        #expect(outcome.calls.allSatisfy { !$0.fallback })
        // The repair request is the conversation so far: the first reply, then the repair message.
        let sent = try #require(server.requests.last?.json?["messages"]?.arrayValue)
        #expect(sent.count == messages.count + 2)
        #expect(sent[messages.count]["role"] == "assistant")
        #expect(sent[messages.count]["content"]?.stringValue == "It is hard to say.")
        #expect(sent.last?["content"]?.stringValue == repair.content)
    }

    @Test func aRepairThatFailsIsAFlaggedFallbackWithNoValue() async throws {
        let server = try Self.server(first: "It is hard to say.", repair: "Still cannot tell.")
        let outcome = try await Self.runPointwise(server)

        #expect(outcome.value == nil)
        #expect(outcome.flags.map(\.code) == [.fallback])
        #expect(outcome.flags.first?.detail.hasPrefix("no score after a repair: ") == true)
        #expect(outcome.calls.count == 2)
        #expect(outcome.calls.last?.fallback == true && outcome.calls.last?.repairs == 1)
        #expect(server.requestCount == 2)  // one repair, no more
    }

    @Test func aUsableFirstReplyNeedsNoRepair() async throws {
        let server = try Self.server(first: #"{"score": 2}"#, repair: #"{"score": 5}"#)
        let outcome = try await Self.runPointwise(server)
        #expect(outcome.value == 2)
        #expect(outcome.flags.isEmpty)
        #expect(outcome.calls.map(\.repairs) == [0])
    }

    @Test func theSameLoopRepairsAListwiseWindow() async throws {
        let server = try Self.server(first: "These all look relevant.", repair: "[3] > [1] > [2]")
        let outcome = try await Self.runListwise(server)
        #expect(outcome.value == [2, 0, 1])
        #expect(outcome.flags.map(\.code) == [.repairRetry])
        #expect(outcome.calls.map(\.repairs) == [0, 1])
    }

    @Test func aListwiseWindowWhoseRepairFailsIsAFlaggedFallback() async throws {
        let server = try Self.server(first: "These all look relevant.", repair: "I would rather not.")
        let outcome = try await Self.runListwise(server)
        #expect(outcome.value == nil)
        #expect(outcome.flags.map(\.code) == [.fallback])
        #expect(outcome.flags.first?.detail.hasPrefix("window 1-3 kept its order: ") == true)
        #expect(outcome.calls.last?.fallback == true)
    }

    @Test func aBudgetSpentBeforeTheRepairStopsWithItsFlagAndNoValue() async throws {
        let server = try Self.server(first: "It is hard to say.", repair: #"{"score": 4}"#)
        let outcome = try await Self.runPointwise(server, budget: Budget(BudgetLimits(maxCalls: 1)))
        #expect(outcome.value == nil)
        #expect(outcome.flags.map(\.code) == [.budgetExhausted])
        #expect(server.requestCount == 1)
    }
}
