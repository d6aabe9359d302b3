import Foundation
import Logging
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// The judge against a loopback server that plays the LLM. Each document carries its true grade
/// as "grade=N" in its text, so the stub can answer as a judge would (or as a messy one would).
@Suite struct JudgeTests {
    static let logger = Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })

    static func client(_ server: StubLLMServer, concurrency: Int = 8, attempts: Int = 2) -> ChatClient {
        var config = ChatClientConfiguration(baseURL: server.baseURL)
        config.maxConcurrency = concurrency
        config.maxAttempts = attempts
        config.backoffBase = .milliseconds(5)
        config.backoffCap = .milliseconds(20)
        return ChatClient(configuration: config, logger: logger)
    }

    static func judge(_ server: StubLLMServer, prompt: String, _ configure: (inout JudgeOptions) -> Void = { _ in }) throws -> Judge {
        var options = JudgeOptions(model: "m")
        configure(&options)
        return Judge(prompt: try PromptLibrary.named(prompt), chat: client(server), options: options)
    }

    /// The grade a document's text states ("grade=3"), read from a rendered prompt.
    static func grades(in text: String) -> [Int] {
        let regex = try! NSRegularExpression(pattern: #"grade=(\d+)"#)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            Int(text[Range($0.range(at: 1), in: text)!])!
        }
    }

    static func documents(_ grades: [Int]) -> [Document] {
        grades.enumerated().map { Document(id: "d\($0.offset)", text: "passage \($0.offset) grade=\($0.element)") }
    }

    @Test func pointwiseOrdersByTheScoresInMessyReplies() async throws {
        // Replies in many styles: fenced JSON, chatter with stray numbers, "Score: N", bold.
        let server = try StubLLMServer { req in
            let g = Self.grades(in: req.lastUserMessage ?? "").first ?? 0
            let styles = [
                "```json\n{\"score\": \(g)}\n```",
                "This passage covers 2 aspects of the question in 3 sentences. Score: \(g)",
                "**\(g)**",
                "Relevance: \(g) out of 5",
            ]
            return StubLLMServer.reply(styles[g % styles.count])
        }
        let judge = try Self.judge(server, prompt: "pointwise-1to5")
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([2, 5, 1, 4, 3])))
        #expect(outcome.list.ids == ["d1", "d3", "d4", "d0", "d2"])
        #expect(outcome.list.candidates.map(\.score) == [5, 4, 3, 2, 1])
        #expect(outcome.list.candidates.allSatisfy { $0.flags.isEmpty })
        #expect(outcome.trace.calls.count == 5)
        #expect(server.requestCount == 5)
    }

    @Test func pointwiseSendsTheSchemaAndFallsBackToJSONObjectWhenRejected() async throws {
        let server = try StubLLMServer { req in
            if req.json?["response_format"]?["type"] == "json_schema" {
                return StubLLMServer.error(400, "response_format json_schema is not supported")
            }
            return StubLLMServer.reply(#"{"score": 3}"#)
        }
        let judge = try Self.judge(server, prompt: "pointwise-1to5")
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([1, 2, 3])))
        #expect(outcome.list.candidates.allSatisfy { $0.score == 3 })
        let formats = server.requests.compactMap { $0.json?["response_format"]?["type"]?.stringValue }
        #expect(formats.first == "json_schema")
        #expect(formats.suffix(3) == ["json_object", "json_object", "json_object"])
    }

    @Test func anUnusableReplyGetsOneRepairThenAFlaggedFallback() async throws {
        // d0: unusable twice (fallback); d1: unusable then repaired; d2: fine at once.
        let server = try StubLLMServer { req in
            let text = req.json?["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue }.joined(separator: "\n") ?? ""
            let g = Self.grades(in: text).first ?? 0
            let isRepair = (req.json?["messages"]?.arrayValue?.count ?? 0) > 2
            switch g {
            case 1: return StubLLMServer.reply("I cannot judge this.")
            case 2: return StubLLMServer.reply(isRepair ? #"{"score": 2}"# : "Hmm, hard to say.")
            default: return StubLLMServer.reply(#"{"score": \#(g)}"#)
            }
        }
        let judge = try Self.judge(server, prompt: "pointwise-1to5")
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([1, 2, 4])))
        #expect(outcome.list.ids == ["d2", "d1", "d0"])
        let byID = Dictionary(uniqueKeysWithValues: outcome.list.candidates.map { ($0.id, $0) })
        #expect(byID["d0"]?.score == nil)
        #expect(byID["d0"]?.flags.map(\.code) == [Flag.Code.fallback])
        #expect(byID["d1"]?.score == 2)
        #expect(byID["d1"]?.flags.map(\.code) == [Flag.Code.repairRetry])
        #expect(byID["d2"]?.flags.isEmpty == true)
        #expect(server.requestCount == 5)  // 3 first calls + 2 repairs
        #expect(outcome.trace.calls.filter(\.fallback).count == 1)
        #expect(outcome.trace.calls.map(\.repairs).reduce(0, +) == 2)
    }

    @Test func outOfRangeScoresAreClampedAndFlagged() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("Score: 9") }
        let judge = try Self.judge(server, prompt: "pointwise-1to5")
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([1])))
        #expect(outcome.list.candidates[0].score == 5)
        #expect(outcome.list.candidates[0].flags.map(\.code) == [Flag.Code.clamped])
    }

    @Test func expectedScoreBreaksTiesFromTheScaleTokens() async throws {
        // Both replies say 4; the probabilities behind the "4" differ, and so do the expected scores.
        let server = try StubLLMServer { req in
            let g = Self.grades(in: req.lastUserMessage ?? "").first ?? 0
            let top: [(String, Double)] = g == 1 ? [("4", log(0.6)), ("3", log(0.4))] : [("4", log(0.6)), ("5", log(0.4))]
            return StubLLMServer.reply("4", logprobs: [.init("4", log(0.6), top: top)])
        }
        let judge = try Self.judge(server, prompt: "pointwise-1to5") { $0.expectedScore = true }
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([1, 2])))
        #expect(outcome.list.ids == ["d1", "d0"])
        #expect(abs((outcome.list.candidates[0].score ?? 0) - 4.4) < 1e-9)
        #expect(abs((outcome.list.candidates[1].score ?? 0) - 3.6) < 1e-9)
        #expect(server.requests.allSatisfy { $0.json?["logprobs"] == true })
    }

    @Test func yesNoScoresFromLogprobs() async throws {
        let server = try StubLLMServer { req in
            let g = Double(Self.grades(in: req.lastUserMessage ?? "").first ?? 0)
            let pYes = g / 10
            let top = [("Yes", log(pYes * 0.9)), (" yes", log(pYes * 0.1)), ("No", log(1 - pYes))]
            let chosen = top.max { $0.1 < $1.1 }!
            return StubLLMServer.reply(chosen.0, logprobs: [.init(chosen.0, chosen.1, top: top)])
        }
        let judge = try Self.judge(server, prompt: "yesno")
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([2, 9, 5])))
        #expect(outcome.list.ids == ["d1", "d2", "d0"])
        #expect(abs((outcome.list.candidates[0].score ?? 0) - 0.9) < 1e-9)
        let sent = try #require(server.requests.first?.json)
        #expect(sent["max_tokens"] == 1)
        #expect(sent["logprobs"] == true)
        #expect(sent["temperature"] == 0)
    }

    @Test(arguments: ["yesno", "pointwise-1to5"])
    func perDocumentMethodsCutLongPassagesAndFlagThem(prompt: String) async throws {
        // A megabyte-sized passage is sent as its first max-words words, flagged; a short one whole.
        let server = try StubLLMServer { req in
            let grade = Self.grades(in: req.lastUserMessage ?? "").first ?? 0
            guard prompt == "yesno" else { return StubLLMServer.reply(#"{"score": \#(min(5, grade))}"#) }
            let pYes = grade > 4 ? 0.9 : 0.1
            let top = [("Yes", log(pYes)), ("No", log(1 - pYes))]
            let chosen = top.max { $0.1 < $1.1 }!
            return StubLLMServer.reply(chosen.0, logprobs: [.init(chosen.0, chosen.1, top: top)])
        }
        let huge = Document(id: "huge", text: "grade=9 " + String(repeating: "filler ", count: 150_000))
        let judge = try Self.judge(server, prompt: prompt) { $0.maxWords = 25 }
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([1]) + [huge]))
        #expect(outcome.list.ids == ["huge", "d0"])
        #expect(outcome.list.candidates[0].flags.map(\.code).contains(.truncated))
        #expect(outcome.list.candidates[1].flags.isEmpty)
        let sent = server.requests.map { $0.lastUserMessage ?? "" }
        #expect(sent.count == 2)
        #expect(sent.allSatisfy { $0.components(separatedBy: "filler").count - 1 <= 24 })
        #expect(sent.contains { $0.contains("passage 0 grade=1") })
    }

    @Test func yesNoWithoutLogprobsUsesTheTokenFlagged() async throws {
        let server = try StubLLMServer { req in
            StubLLMServer.reply((Self.grades(in: req.lastUserMessage ?? "").first ?? 0) > 1 ? "Yes" : "No")
        }
        let judge = try Self.judge(server, prompt: "yesno")
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([0, 3])))
        #expect(outcome.list.ids == ["d1", "d0"])
        #expect(outcome.list.candidates.allSatisfy { $0.flags.map(\.code) == [Flag.Code.noLogprobs] })
    }

    @Test func anEndpointFailureFlagsTheDocumentAndTheRunGoesOn() async throws {
        let server = try StubLLMServer { req in
            let g = Self.grades(in: req.lastUserMessage ?? "").first ?? 0
            return g == 3 ? StubLLMServer.error(503, "overloaded") : StubLLMServer.reply("Score: \(g)")
        }
        let judge = try Self.judge(server, prompt: "pointwise-1to5")
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([3, 1, 4])))
        #expect(outcome.list.ids == ["d2", "d1", "d0"])
        #expect(outcome.list.candidates[2].flags.map(\.code) == [Flag.Code.endpointFailed])
        #expect(outcome.list.candidates[2].flags.first?.detail == "http 503: overloaded")
        // The failed call's retry is counted (2 attempts: the client's limit here), so the run
        // summary tells how many requests were really sent.
        #expect(outcome.trace.calls.filter(\.fallback).map(\.attempts) == [2])
        #expect(outcome.trace.calls.map(\.retries).reduce(0, +) == 1)
        #expect(server.requestCount == 4)
    }

    /// A request the endpoint refuses for its content (a 400) is a flag that says why, in the
    /// endpoint's words, never with the key the endpoint may echo.
    @Test func aRefusedRequestFlagsTheEndpointsReason() async throws {
        let key = "sk-test-0123456789abcdef"
        let server = try StubLLMServer { req in
            let g = Self.grades(in: req.lastUserMessage ?? "").first ?? 0
            return g == 3 ? StubLLMServer.error(400, "maximum context length is 2048 tokens (key \(key))")
                : StubLLMServer.reply("Score: \(g)")
        }
        var config = ChatClientConfiguration(baseURL: server.baseURL, apiKey: key)
        config.maxAttempts = 1
        try await ChatClient.withClient(configuration: config, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })) { client in
            let judge = Judge(prompt: try PromptLibrary.named("pointwise-1to5"), chat: client, options: JudgeOptions(model: "m"))
            let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([3, 1])))
            let flag = try #require(outcome.list.candidates.last?.flags.first)
            #expect(flag.code == .endpointFailed)
            #expect(flag.detail == "http 400: maximum context length is 2048 tokens (key [redacted])")
        }
    }

    @Test func aRejectedKeyEndsTheRun() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.error(401, "Incorrect API key provided") }
        let judge = try Self.judge(server, prompt: "pointwise-1to5")
        await #expect(throws: LLMRankError.self) {
            try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([1, 2])))
        }
    }

    @Test func budgetStopsCallsAndKeepsTheRestInOrderFlagged() async throws {
        let server = try StubLLMServer { req in StubLLMServer.reply("Score: \(Self.grades(in: req.lastUserMessage ?? "").first ?? 0)") }
        let judge = try Self.judge(server, prompt: "pointwise-1to5") { $0.concurrency = 1 }
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([1, 2, 3, 4, 5])),
                                             budget: Budget(BudgetLimits(maxCalls: 2)))
        #expect(server.requestCount == 2)
        #expect(outcome.list.ids == ["d1", "d0", "d2", "d3", "d4"])
        #expect(outcome.list.candidates.suffix(3).allSatisfy { $0.flags.map(\.code) == [Flag.Code.budgetExhausted] })
    }

    /// The deadline cancels a call in flight: against an endpoint that never answers in time, the
    /// query comes back at its deadline (the suite's time limit would fail the test otherwise),
    /// the stub sees the call abandoned, and every document is flagged, none lost.
    @Test(.timeLimit(.minutes(1))) func theDeadlineCancelsACallInFlight() async throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("Score: 3", delay: .seconds(600)) }
        defer { server.stop() }
        let judge = try Self.judge(server, prompt: "pointwise-1to5") { $0.concurrency = 1 }
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([1, 2, 3])),
                                             budget: Budget(BudgetLimits(deadline: .seconds(5))))   // long enough for the first call to start on a busy machine
        #expect(outcome.list.ids == ["d0", "d1", "d2"])
        #expect(outcome.list.candidates.allSatisfy { $0.flags.map(\.code) == [Flag.Code.budgetExhausted] })
        #expect(outcome.list.candidates[0].flags.first?.detail.hasSuffix("(call cancelled)") == true)
        #expect(server.requestCount == 1)
        let deadline = ContinuousClock.now + .seconds(10)
        while server.abandoned < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.abandoned == 1)
    }

    // MARK: Listwise

    @Test(arguments: [(1, 20, 10), (7, 20, 10), (20, 20, 10), (25, 20, 10), (100, 20, 10), (33, 8, 3), (10, 4, 4)])
    func windowsCoverEveryPosition(count: Int, window: Int, step: Int) {
        let windows = Judge.windows(count: count, window: window, step: step)
        #expect(Set(windows.flatMap { Array($0) }) == Set(0..<count))
        #expect(windows.first?.upperBound == count)
        #expect(windows.last?.lowerBound == 0)
        #expect(windows.first?.count == min(window, count))
        #expect(windows.allSatisfy { $0.count <= window })
        // Consecutive windows overlap by window - step, so the best of one window reach the next.
        for (a, b) in zip(windows, windows.dropFirst()) { #expect(a.lowerBound - b.lowerBound <= step) }
    }

    /// A stub that ranks the numbered passages of a listwise prompt perfectly by their grades.
    static func perfectListwiseJudge() throws -> StubLLMServer {
        try StubLLMServer { req in
            let text = req.lastUserMessage ?? ""
            let regex = try! NSRegularExpression(pattern: #"\[(\d+)\][^\[]*?grade=(\d+)"#)
            let pairs = regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
                (Int(text[Range($0.range(at: 1), in: text)!])!, Int(text[Range($0.range(at: 2), in: text)!])!)
            }
            let order = pairs.sorted { $0.1 > $1.1 }.map { "[\($0.0)]" }.joined(separator: " > ")
            return StubLLMServer.reply("Here is my ranking of \(pairs.count) passages: \(order)")
        }
    }

    @Test func oneListwisePassPutsTheTrueTopInOrderAtTheTop() async throws {
        let server = try Self.perfectListwiseJudge()
        // 45 documents with distinct grades in shuffled order; window 20, step 10.
        var rng = SeededGenerator(seed: 42)
        let grades = Array(0..<45).shuffled(using: &rng)
        let judge = try Self.judge(server, prompt: "listwise")
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents(grades)))
        let top = outcome.list.candidates.prefix(10).map { Self.grades(in: $0.text).first! }
        #expect(top == Array((35..<45).reversed()))
        #expect(outcome.list.count == 45)
        #expect(Set(outcome.list.ids).count == 45)
        #expect(server.requestCount == Judge.windows(count: 45, window: 20, step: 10).count)
        #expect(outcome.list.candidates.allSatisfy { $0.flags.isEmpty })
    }

    @Test func listwiseRepairsPartialPermutationsAndFallsBackOnNoise() async throws {
        let server = try StubLLMServer { req in
            let messages = req.json?["messages"]?.arrayValue ?? []
            if messages.count > 2 { return StubLLMServer.reply("I really cannot rank these.") }
            return StubLLMServer.reply((req.lastUserMessage ?? "").contains("grade=99") ? "no idea" : "[3] > [1] > [3]")
        }
        let judge = try Self.judge(server, prompt: "listwise")
        // One window of 4: [3] > [1] repaired (duplicate dropped, 2 and 4 appended).
        let first = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([1, 2, 3, 4])))
        #expect(first.list.ids == ["d2", "d0", "d1", "d3"])
        for candidate in first.list.candidates {
            #expect(Set(candidate.flags.map(\.code)) == [Flag.Code.permutationRepaired])
            #expect(candidate.flags.map(\.detail) == ["missing [2], [4]", "dropped duplicate [3]"])
        }
        // Noise twice: the window keeps its order, flagged.
        let second = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([99, 1, 2])))
        #expect(second.list.ids == ["d0", "d1", "d2"])
        #expect(second.list.candidates.allSatisfy { $0.flags.map(\.code) == [Flag.Code.fallback] })
    }

    @Test func listwiseCutsLongPassagesAndFlagsThem() async throws {
        let server = try Self.perfectListwiseJudge()
        let long = Document(id: "long", text: "grade=9 " + String(repeating: "word ", count: 50))
        let judge = try Self.judge(server, prompt: "listwise") { $0.maxWords = 10 }
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents([1]) + [long]))
        #expect(outcome.list.ids == ["long", "d0"])
        #expect(outcome.list.candidates[0].flags.map(\.code) == [Flag.Code.truncated])
        #expect(!(server.requests[0].lastUserMessage ?? "").contains(String(repeating: "word ", count: 11)))
    }

    @Test(arguments: [(1, 20, 10), (3, 1, 1)])
    func aWindowOfOneMakesNoCallAndRaisesNoFlag(count: Int, window: Int, step: Int) async throws {
        // A list of one, or a list judged one passage a window: every order is already known.
        let server = try Self.perfectListwiseJudge()
        let long = String(repeating: "word ", count: 50)
        let documents = Self.documents(Array(0..<count)).map { Document(id: $0.id, text: $0.text + " " + long) }
        let judge = try Self.judge(server, prompt: "listwise") {
            $0.window = window
            $0.step = step
            $0.maxWords = 10
        }
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: documents))
        #expect(server.requestCount == 0)
        #expect(outcome.trace.calls.isEmpty)
        #expect(outcome.list.ids == documents.map(\.id))
        #expect(outcome.list.candidates.allSatisfy { $0.flags.isEmpty })
        #expect(outcome.list.candidates.map(\.score) == (1...count).reversed().map(Double.init))
    }

    @Test func theLastWindowOfOneInALongerListMakesNoCall() async throws {
        // Step equal to the window: 21 passages give windows 12-21, 2-11 and 1-1; the last needs no call.
        let server = try Self.perfectListwiseJudge()
        #expect(Judge.windows(count: 21, window: 10, step: 10).last == 0..<1)
        let judge = try Self.judge(server, prompt: "listwise") {
            $0.window = 10
            $0.step = 10
        }
        let outcome = try await judge.rerank(query: Query(text: "q"), list: RankedList(documents: Self.documents(Array(0..<21))))
        #expect(server.requestCount == 2)
        #expect(outcome.trace.calls.count == 2)
        // Grades equal positions: each judged window is reversed, d0 alone stays where it was.
        let expected = ["d0"] + (1...10).reversed().map { "d\($0)" } + (11...20).reversed().map { "d\($0)" }
        #expect(outcome.list.ids == expected)
        #expect(outcome.list.candidates.allSatisfy { $0.flags.isEmpty })
    }
}
