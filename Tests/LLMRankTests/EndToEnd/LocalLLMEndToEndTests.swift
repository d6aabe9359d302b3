import Foundation
import Logging
import Testing
@testable import LLMRank
import LLMRankTestSupport

/// Every method and `doctor` against the real llama-server with the small local model (installed
/// by scripts/setup-local-llm). A 135M model judges poorly: these tests prove the protocol (JSON
/// schema really constrains the reply, yes/no reads real logprobs, listwise returns a full
/// permutation, flags are honest), not the quality.
@Suite(.serialized) struct LocalLLMEndToEndTests {
    static let logger = Logger(label: "e2e", factory: { _ in SwiftLogNoOpLogHandler() })

    static let documents: [Document] = [
        Document(id: "cause", text: "Auroras happen when charged particles from the Sun are guided by Earth's magnetic field toward the poles and make atoms in the upper atmosphere glow."),
        Document(id: "tour", text: "Our five-night Northern Lights package includes hotel stays in Tromso, a husky ride and a guided evening tour."),
        Document(id: "colors", text: "The green colour of most auroras comes from oxygen atoms about 100 to 300 km up."),
        Document(id: "led", text: "LED bulbs produce light when electrons recombine with holes in a semiconductor."),
        Document(id: "storms", text: "Coronal mass ejections can trigger geomagnetic storms and bright, widespread auroras."),
        Document(id: "lightning", text: "Lightning is an electrostatic discharge between clouds, or between a cloud and the ground."),
    ]
    static let query = Query(text: "What causes the northern lights?")

    static func withLocal<T: Sendable>(_ body: (ChatClient, String) async throws -> T) async throws -> T {
        try await LocalLLMServer.withLocalServer(logger: logger) { server in
            var config = server.clientConfiguration()
            config.maxConcurrency = 4
            config.requestTimeout = .seconds(120)
            return try await body(ChatClient(configuration: config, logger: logger), server.modelName)
        }
    }

    @Test func jsonSchemaModeConstrainsTheReply() async throws {
        try await Self.withLocal { client, model in
            let prompt = try PromptLibrary.named("pointwise-1to5")
            for doc in Self.documents.prefix(3) {
                let request = ChatRequest(model: model, messages: try prompt.render(query: Self.query.text, document: doc.text),
                                          temperature: 0, maxTokens: 64,
                                          responseFormat: .jsonSchema(name: "score", schema: prompt.jsonSchema!))
                let reply = try await client.complete(request).response
                let object = try #require(JSONExtractor.parse(reply.content)?.objectValue, "not JSON: \(reply.content)")
                #expect(Set(object.keys) == ["score"], "\(reply.content)")
                let score = try #require(object["score"]?.doubleValue)
                #expect((1...5).contains(score) && score == score.rounded())
            }
        }
    }

    @Test func pointwiseScoresEveryDocumentWithoutFallbacks() async throws {
        let outcome = try await Self.withLocal { client, model in
            try await Judge(prompt: PromptLibrary.named("pointwise-1to5"), chat: client, options: JudgeOptions(model: model))
                .rerank(query: Self.query, list: RankedList(documents: Self.documents))
        }
        #expect(Set(outcome.list.ids) == Set(Self.documents.map(\.id)))
        for c in outcome.list.candidates {
            let score = try #require(c.score, "\(c.id): \(c.flags)")
            #expect((1...5).contains(score))
            #expect(!c.flags.contains { $0.code == .fallback })
        }
        #expect(outcome.trace.calls.allSatisfy { $0.usage.promptTokens > 0 && $0.status == 200 })
    }

    @Test func aspectsGiveAWeightedTotalInRange() async throws {
        let outcome = try await Self.withLocal { client, model in
            try await Judge(prompt: PromptLibrary.named("aspects"), chat: client, options: JudgeOptions(model: model))
                .rerank(query: Self.query, list: RankedList(documents: Array(Self.documents.prefix(3))))
        }
        for c in outcome.list.candidates {
            let total = try #require(c.score, "\(c.id): \(c.flags)")
            #expect((0...10).contains(total))
        }
    }

    @Test func yesNoReadsRealLogprobs() async throws {
        let outcome = try await Self.withLocal { client, model in
            try await Judge(prompt: PromptLibrary.named("yesno"), chat: client, options: JudgeOptions(model: model))
                .rerank(query: Self.query, list: RankedList(documents: Self.documents))
        }
        for c in outcome.list.candidates {
            let p = try #require(c.score, "\(c.id): \(c.flags)")
            #expect(p > 0 && p < 1, "a probability from logprobs, not a generated 0/1: \(p)")
            #expect(!c.flags.contains { $0.code == .noLogprobs })
        }
        // Real probabilities differ between documents.
        #expect(Set(outcome.list.candidates.compactMap(\.score)).count > 1)
    }

    @Test func listwiseReturnsAFullPermutationWithHonestFlags() async throws {
        var options = JudgeOptions(model: "")
        options.window = 4
        options.step = 2
        let outcome = try await Self.withLocal { client, model in
            options.model = model
            return try await Judge(prompt: PromptLibrary.named("listwise"), chat: client, options: options)
                .rerank(query: Self.query, list: RankedList(documents: Self.documents))
        }
        #expect(outcome.list.count == Self.documents.count)
        #expect(Set(outcome.list.ids) == Set(Self.documents.map(\.id)))
        let windows = Judge.windows(count: Self.documents.count, window: 4, step: 2).count
        let repairs = outcome.trace.calls.map(\.repairs).reduce(0, +)
        #expect(outcome.trace.calls.count == windows + repairs)
        // Every window that needed a repair request is flagged as such or as a fallback.
        let flagged = outcome.list.candidates.filter { $0.flags.contains { $0.code == .repairRetry || $0.code == .fallback } }
        #expect(repairs == 0 || !flagged.isEmpty)
        let allowed: Set<Flag.Code> = [.permutationRepaired, .repairRetry, .fallback]
        #expect(outcome.list.candidates.allSatisfy { $0.flags.allSatisfy { allowed.contains($0.code) } })
    }

    @Test func doctorFindsSchemaAndLogprobs() async throws {
        let report = try await Self.withLocal { client, model in
            await EndpointProbe.run(client: client, model: model)
        }
        #expect(report.ok)
        #expect(report.capabilities.jsonSchema)
        #expect(report.capabilities.jsonObject)
        #expect(report.capabilities.logprobs)
        #expect(report.capabilities.topLogprobs >= 5)
    }

    @Test func theCLIStartsAndStopsTheLocalServerByItself() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples/northern-lights.jsonl")
        let env = ["LLMRANK_HOME": LLMRankPaths.home().path]
        let out = try CLIRunner().run(["rerank", "--query", "What causes the northern lights?", "--docs", example.path,
                                       "--method", "yesno", "--format", "jsonl", "--no-cache"], environment: env)
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.split(separator: "\n").count == 12)
        #expect(out.stderr.contains("12 calls"))
    }

    @Test func aSecondRunAgainstTheLocalServerIsAnsweredFromTheCache() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples/northern-lights.jsonl")
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-e2e-\(UUID().uuidString).sqlite").path
        let args = ["rerank", "--base-url", "local", "--query", "What causes the northern lights?", "--docs", example.path,
                    "--method", "yesno", "--format", "jsonl", "--cache", cache]
        let env = ["LLMRANK_HOME": LLMRankPaths.home().path]
        let first = try CLIRunner().run(args, environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("12 calls, 0 cache hits"))
        // A new server on a new port: the cache still answers every call.
        let second = try CLIRunner().run(args, environment: env)
        #expect(second.stderr.contains("0 calls, 12 cache hits"), "\(second.stderr)")
        #expect(second.stdout == first.stdout)
    }

    @Test func doctorAndVerboseSayWhichServerBinaryRuns() throws {
        // A home holding only the portable build (linked from the installed one): the AVX2 build runs.
        let installed = LLMRankPaths.home()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-e2e-home-\(UUID().uuidString)")
        let bin = home.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent("llama-server"),
                                                   withDestinationURL: installed.appendingPathComponent("bin/llama-server"))
        try FileManager.default.createSymbolicLink(at: home.appendingPathComponent("models"),
                                                   withDestinationURL: installed.appendingPathComponent("models"))
        let out = try CLIRunner().run(["doctor", "--base-url", "local", "-v"], environment: ["LLMRANK_HOME": home.path])
        #expect(out.status == 0, "\(out.stderr)")
        let binary = bin.appendingPathComponent("llama-server").path
        #expect(out.stdout.contains("\nserver    \(binary) (avx2: no llama-server-avx512 installed)\n"), "\(out.stdout)")
        #expect(out.stderr.contains("binary=\(binary)"), "\(out.stderr)")
        // The AVX2 build never runs the BF16 file: the F16 copy where there is one, else the Q4_1 file.
        let weights = try #require(out.stdout.split(separator: "\n").first { $0.hasPrefix("weights   ") })
        #expect(weights.contains(home.appendingPathComponent("models").path + "/SmolLM2-135M-Instruct-"), "\(weights)")
        #expect(weights.contains("-F16.gguf (F16: F16 suits the avx2 build)") || weights.contains("-Q4_1.gguf (Q4_1: no SmolLM2-135M-Instruct-F16.gguf"),
                "\(weights)")
    }

    @Test func theLocalClientSendsNoMoreRequestsThanTheServerHasSlots() async throws {
        let slots = LocalLLMConfiguration().parallel
        let settings = EndpointSettings(baseURL: EndpointSettings.local, concurrency: 8)
        let inFlight = try await settings.withClient(logger: Self.logger) { client, _ in client.configuration.maxConcurrency }
        #expect(inFlight == min(8, slots))
        let one = EndpointSettings(baseURL: EndpointSettings.local, concurrency: 1)
        #expect(try await one.withClient(logger: Self.logger) { client, _ in client.configuration.maxConcurrency } == 1)
    }
}
