import Foundation
import LLMRank
import LLMRankServer
import Testing

/// The clients people really point at a rerank server (the cohere SDK's `Client` and `ClientV2`,
/// LangChain's `CohereRerank`, LlamaIndex's `CohereRerank` postprocessor, Open WebUI's and Dify's request shapes) against a running server:
/// each gets the order `Reranker` gives for the same profile. They run from the venv that
/// `scripts/setup-client-tests` makes (`.ci/run` runs it); without it the test is skipped with the
/// reason shown, and under CI=true it runs and fails.
@Suite(.needsEncoderModel, .needsClientVenv) struct RealClientTests {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func sdkLangChainOpenWebUIAndDifyGetTheLibrarysOrder() async throws {
        let key = "client-test-key-42"
        let expected = try await ServerShapeTests.libraryOrder()
        var settings = try ServerShapeTests.settings()
        settings.serverKeys = [key]
        let docs = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-client-docs-\(UUID().uuidString).json")
        try JSONEncoder().encode(ServerShapeTests.texts).write(to: docs)
        defer { try? FileManager.default.removeItem(at: docs) }
        let output = try await ServerHarness.with(settings) { server in
            try await OnThread.run {
                try ClientVenv.run(["\(Self.repository.path)/scripts/client-tests/check_clients.py",
                                    "--base-url", "http://127.0.0.1:\(server.port)", "--model", "encoder", "--key", key,
                                    "--query", ServerShapeTests.query, "--docs", docs.path])
            }
        }
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(output.utf8))
        for client in ["cohere_v1", "cohere_v2", "langchain", "llamaindex", "open_webui", "dify"] {
            let order = report[client]?["order"]?.arrayValue?.compactMap { $0.doubleValue.map { Int($0) } }
            #expect(order == (client == "dify" ? Array(expected.prefix(2)) : expected), "\(client): \(report[client] ?? .null)")
            let scores = report[client]?["scores"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 > $1 } && scores.allSatisfy { (0...1).contains($0) }, "\(client)")
        }
        #expect(report["cohere_v1"]?["texts_match"] == true && report["dify"]?["texts_match"] == true)
    }
}

/// schemathesis fuzzes the running server from its own `openapi.yaml`: no 5xx, every response
/// matches the spec, valid requests are accepted and invalid ones refused (a fixed seed, so a
/// failure reproduces).
@Suite(.needsEncoderModel, .needsClientVenv) struct SchemathesisTests {
    @Test func theServerKeepsItsSpec() async throws {
        let output = try await ServerHarness.with(try ServerShapeTests.settings()) { server in
            try await OnThread.run {
                try ClientVenv.run(["-m", "schemathesis.cli", "--no-color", "run", "http://127.0.0.1:\(server.port)/openapi.yaml", "--checks", "all",
                                    "--max-examples", "40", "--seed", "20261203", "--workers", "1"])
            }
        }
        #expect(output.contains(" passed"), "\(output.suffix(3000))")
    }
}

/// The venv of `scripts/setup-client-tests`, beside the models.
enum ClientVenv {
    static var python: URL {
        LLMRankPaths.home(environment: ProcessInfo.processInfo.environment).appendingPathComponent("client-venv/bin/python")
    }

    static var isPresent: Bool { FileManager.default.isExecutableFile(atPath: python.path) }

    static var testsRun: Bool { isPresent || ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Runs the venv's python with `arguments`; its stdout, or an error with its stderr. Killed
    /// after 300 s.
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = python
        process.arguments = arguments
        // Out of the repository: schemathesis keeps a cache folder where it runs.
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 300, execute: killer)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        guard process.terminationStatus == 0 else {
            throw ServerTestError("python \(arguments.first ?? "") exited \(process.terminationStatus): \(String(decoding: stderr, as: UTF8.self).suffix(2000))")
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where the client venv exists, or under CI (where its absence fails).
    static var needsClientVenv: Self {
        .enabled(if: ClientVenv.testsRun, "needs the client venv at \(ClientVenv.python.path) (scripts/setup-client-tests; under CI=true this test runs and fails)")
    }
}
