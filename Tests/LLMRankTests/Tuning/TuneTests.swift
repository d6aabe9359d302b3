import Foundation
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// `llmrank tune` on generated queries the encoder half gets: each query has six passages on its
/// topic, worded alike, of which three drawn at random are relevant, so all-MiniLM-L6-v2 finds the
/// topic but cannot tell which, and a judge that knows the qrels can. The judge is a loopback yes/no endpoint that reads
/// the passage id out of the prompt (a qrels-aware stand-in for issue 12's SimulatedJudge).
@Suite(.serialized) struct TuneTests {
    static let topics = ["volcano", "glacier", "piano", "saffron", "lighthouse", "comet", "tortoise", "violin", "cactus",
                         "harbor", "falcon", "meteor", "orchid", "canyon", "walrus", "lantern", "quartz", "bamboo",
                         "dolphin", "compass", "pyramid", "tundra", "mosaic", "saturn"]

    /// 24 queries × 12 passages in a shuffled order; grades 3, 2, 1 for three of the six on the topic.
    static func data(seed: UInt64 = 5) -> (queries: [EvalQuery], qrels: Qrels) {
        var generator = SplitMix64(seed: seed)
        var queries: [EvalQuery] = []
        var qrels: [String: [String: Int]] = [:]
        for (i, topic) in topics.enumerated() {
            let qid = "q\(i)"
            // Six passages on the topic, alike to the encoder; which three are relevant is drawn at random.
            let onTopic = ["notes on the \(topic), part one", "the \(topic), described briefly", "about the \(topic) in a few lines",
                           "a page on the \(topic)", "the \(topic): an overview", "some words on the \(topic)"]
            let grades = [3, 2, 1, 0, 0, 0].shuffled(using: &generator)
            var docs: [(String, String, Int)] = onTopic.enumerated().map { ("\(qid)-t\($0)", $1, grades[$0]) }
            for j in 0..<6 { docs.append(("\(qid)-o\(j)", "notes on \(topics[(i + j + 1) % topics.count]) and other things", 0)) }
            docs.shuffle(using: &generator)
            queries.append(EvalQuery(query: Query(id: qid, text: "what is a \(topic)"),
                                     documents: docs.map { Document(id: $0.0, text: "\($0.1) (id=\($0.0))") }))
            qrels[qid] = Dictionary(uniqueKeysWithValues: docs.map { ($0.0, $0.2) })
        }
        return (queries, Qrels(qrels))
    }

    /// A yes/no judge with logprobs. `good`: P(yes) rises with the passage's grade; useless: P(yes)
    /// from a hash of the passage id, independent of relevance.
    static func judge(good: Bool, qrels: Qrels) throws -> StubLLMServer {
        try StubLLMServer { request in
            let text = request.lastUserMessage ?? ""
            guard let r = text.range(of: #"id=q\d+-[a-z]\d"#, options: .regularExpression) else {
                return StubLLMServer.reply("no passage id")
            }
            let id = String(text[r].dropFirst(3))
            let qid = String(id.split(separator: "-")[0])
            let pYes: Double
            if good {
                pYes = [0.05, 0.6, 0.8, 0.95][qrels[qid]?[id] ?? 0]
            } else {
                let hash = id.unicodeScalars.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1.value)) &* 1099511628211 }
                pYes = 0.05 + Double(hash % 90) / 100
            }
            return StubLLMServer.reply(pYes >= 0.5 ? "Yes" : "No", logprobs: [
                StubLLMServer.StubToken(pYes >= 0.5 ? "Yes" : "No", log(max(pYes, 1 - pYes)), top: [("Yes", log(pYes)), ("No", log(1 - pYes))]),
            ])
        }
    }

    static func base(_ server: StubLLMServer, store: URL) throws -> RerankerConfiguration {
        RerankerConfiguration(endpoint: EndpointSettings(baseURL: server.baseURL, model: "m"),
                              encoder: EncoderSettings(model: try EncoderFixtures.miniLM().path, precision: .float32),
                              judge: JudgeSettings(method: .yesno), store: .sqlite(path: store.path))
    }

    static func options(folds: Int = 4) -> TuneOptions {
        TuneOptions(folds: folds, seed: 13, methods: [.yesno], prefilters: [4, 8, 12], permutations: 2_000)
    }

    static func tempStore() throws -> URL {
        try RerankCommandTests.tempDir().appendingPathComponent("judgments.sqlite")
    }

    @Test func aGoodJudgeIsChosenAndBeatsTheEncoderOnHeldOutQueries() async throws {
        let (queries, qrels) = Self.data()
        let server = try Self.judge(good: true, qrels: qrels)
        defer { server.stop() }
        let tuner = Tuner(base: try Self.base(server, store: try Self.tempStore()), options: Self.options())
        let outcome = try await tuner.run(try await tuner.plan(queries: queries, qrels: qrels), qrels: qrels)
        #expect(outcome.chosen.usesLLM, "\(outcome.evidence.reason)")
        let e = outcome.evidence
        #expect(e.encoderMean < 0.9, "the distractors should fool the encoder: \(e.encoderMean)")
        #expect(e.chosenHeldOut > e.encoderMean + 0.1, "held-out \(e.chosenHeldOut) vs encoder \(e.encoderMean)")
        #expect((e.pValue ?? 1) < 0.05)
        // The profile loads back as the chosen candidate, with its evidence in the header.
        let file = try RerankCommandTests.tempDir().appendingPathComponent("tuned.yaml")
        try outcome.profileYAML().write(to: file, atomically: true, encoding: .utf8)
        let loaded = try ProfileLibrary.load(path: file.path)
        #expect(loaded.judge?.method == .yesno)
        #expect(loaded.encoder?.keep == outcome.chosen.prefilter)
        #expect(loaded.fusion == outcome.chosen.fusion)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.hasPrefix("# llmrank profile chosen by `llmrank tune`"))
        #expect(text.contains("p = "))
    }

    @Test func aUselessJudgeLeavesTheEncoderOrANearZeroWeightWithinNoise() async throws {
        let (queries, qrels) = Self.data()
        let server = try Self.judge(good: false, qrels: qrels)
        defer { server.stop() }
        let tuner = Tuner(base: try Self.base(server, store: try Self.tempStore()), options: Self.options())
        let outcome = try await tuner.run(try await tuner.plan(queries: queries, qrels: qrels), qrels: qrels)
        let e = outcome.evidence
        if outcome.chosen.usesLLM {
            #expect(outcome.chosen.fusion?.method == .weighted && (outcome.chosen.fusion?.weight ?? 1) <= 0.2, "\(outcome.chosen.name)")
            #expect(abs(e.chosenHeldOut - e.encoderMean) < 0.02)
        } else {
            #expect(outcome.configuration.judge == nil)
            #expect(e.chosenHeldOut == e.encoderMean)
        }
        // The judge's answers are noise: the unfused candidates lose to the encoder.
        let unfused = outcome.rows.filter { $0.candidate.usesLLM && $0.candidate.fusion == nil }
        #expect(unfused.allSatisfy { $0.mean < e.encoderMean })
    }

    @Test func everyDistinctJudgmentIsPaidOnceAcrossCandidatesAndRuns() async throws {
        let (queries, qrels) = Self.data()
        let server = try Self.judge(good: true, qrels: qrels)
        defer { server.stop() }
        let store = try Self.tempStore()
        let tuner = Tuner(base: try Self.base(server, store: store), options: Self.options())
        let plan = try await tuner.plan(queries: queries, qrels: qrels)
        #expect(plan.candidates.count == 1 + 3 * TuneGrid.defaultFusions.count)
        #expect(plan.totalCalls == Double(queries.count * 12), "the deepest prefilter serves the others")
        let outcome = try await tuner.run(plan, qrels: qrels)
        let bodies = server.requests.map(\.bodyText)
        #expect(bodies.count == queries.count * 12)
        #expect(Set(bodies).count == bodies.count, "a request was sent twice")
        // Every candidate was scored from those calls, and costs what running it fresh would.
        #expect(outcome.rows.first { $0.candidate.name == "yesno@4" }?.calls == 4)
        // A second tune (a resumed one) pays nothing: everything comes from the store.
        _ = try await tuner.run(plan, qrels: qrels)
        #expect(server.requestCount == bodies.count)
    }

    @Test func theRandomizationTestAndTheFoldsAreExactAndSeeded() {
        // Three pairs: 2^3 sign patterns; only all-positive and all-negative reach |mean| 1.
        let exact = PairedRandomizationTest([1, 1, 1], [0, 0, 0], permutations: 20_000, seed: 1)
        #expect(abs(exact.pValue - 0.25) < 0.02)
        #expect(PairedRandomizationTest([0.5, 0.5], [0.5, 0.5], seed: 1).pValue == 1)
        #expect(PairedRandomizationTest([0.9, 0.2, 0.4], [0.1, 0.6, 0.3], seed: 7) == PairedRandomizationTest([0.9, 0.2, 0.4], [0.1, 0.6, 0.3], seed: 7))
        let cv = CrossValidation(count: 10, folds: 3, seed: 4)
        #expect((0..<3).map { cv.members(of: $0).count }.sorted() == [3, 3, 4])
        // Chosen on the other folds: a candidate best everywhere but on one fold's queries.
        // Candidate 1 is best on every training set, and its held-out score on fold 0 shows what it
        // does there (0.3), where the in-sample mean would hide it.
        let scores: [[Double]] = [Array(repeating: 0.5, count: 10), (0..<10).map { cv.foldOf[$0] == 0 ? 0.3 : 0.9 }]
        let held = cv.heldOut(scores, candidates: [0, 1])
        #expect(held.chosen == [1, 1, 1])
        #expect(held.perQuery.enumerated().allSatisfy { $1 == (cv.foldOf[$0] == 0 ? 0.3 : 0.9) })
        let frontier = ParetoFrontier(points: [(0, 0.6), (10, 0.5), (20, 0.7), (30, 0.7), (40, 0.8)])
        #expect(frontier.indices == [0, 2, 4])
    }
}

/// `llmrank tune` from the command line: bad input is one line and exit 2; --dry-run prints the
/// plan and makes no call.
@Suite struct TuneCommandTests {
    func files(qrels: String) throws -> (run: String, qrels: String, dir: URL) {
        let dir = try RerankCommandTests.tempDir()
        return (try RerankCommandTests.write(EvalAndProfilesCommandTests.run, "run.json", in: dir),
                try RerankCommandTests.write(qrels, "qrels.txt", in: dir), dir)
    }

    func tune(_ qrels: String, _ extra: [String]) throws -> CLIRunner.Outcome {
        let f = try files(qrels: qrels)
        return try CLIRunner().run(["tune", "--run", f.run, "--qrels", f.qrels, "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                                    "--methods", "yesno", "--folds", "2", "--cache", f.dir.appendingPathComponent("j.sqlite").path,
                                    "--output", f.dir.appendingPathComponent("t.yaml").path] + extra)
    }

    @Test func emptyQrelsNoOverlapAndAnImpossibleBudgetAreOneLineAndExit2() throws {
        let cases: [(String, [String], String)] = [
            ("", [], "the qrels have no judgments"),
            ("7 0 7a 2\n", [], "none of its 2 queries is in"),
            (EvalAndProfilesCommandTests.qrels, ["--max-calls-per-query", "1", "--prefilter", "2,3"], "budget: no LLM candidate fits 1 calls a query"),
        ]
        for (qrels, extra, message) in cases {
            let outcome = try tune(qrels, extra)
            #expect(outcome.status == 2, "\(outcome.stderr)")
            let lines = outcome.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("llmrank: ") && lines[0].contains(message), "\(outcome.stderr)")
        }
    }

    @Test func dryRunPrintsThePlanAndCallsNothing() throws {
        let server = try StubLLMServer { _ in StubLLMServer.reply("Yes") }
        defer { server.stop() }
        let f = try files(qrels: EvalAndProfilesCommandTests.qrels)
        let outcome = try CLIRunner().run(["tune", "--run", f.run, "--qrels", f.qrels, "--base-url", server.baseURL, "--model", "m",
                                           "--methods", "yesno,listwise", "--prefilter", "2,3", "--folds", "2", "--dry-run"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("yesno (per-document) at depths 3, 2: about 3.0 calls"))
        #expect(outcome.stderr.contains("listwise (windows) at depths 3, 2: about 2.0 calls"))
        #expect(server.requestCount == 0)
    }
}
