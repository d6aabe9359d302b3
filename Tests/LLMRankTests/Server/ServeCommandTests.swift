import Foundation
import LLMRank
import LLMRankTestSupport
import Synchronization
import Testing

/// The `llmrank serve` binary as a user runs it: flags to profiles, the port on stderr, and SIGTERM
/// draining the request in flight before a clean exit.
@Suite(.serialized) struct ServeCommandTests {
    /// A running `llmrank serve`, its stderr collected as it comes.
    final class ServeProcess: Sendable {
        let process: Process
        private let stderr = Collected()

        final class Collected: Sendable {
            let text = Mutex("")
        }

        init(_ arguments: [String]) throws {
            let runner = try CLIRunner()
            process = Process()
            process.executableURL = runner.executable
            process.arguments = ["serve", "--port", "0"] + arguments
            var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
            env["HOME"] = ProcessInfo.processInfo.environment["HOME"]
            env["LLMRANK_HOME"] = ProcessInfo.processInfo.environment["LLMRANK_HOME"]
            process.environment = env
            let pipe = Pipe()
            process.standardError = pipe
            process.standardOutput = FileHandle.nullDevice
            let stderr = self.stderr
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                stderr.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
            try process.run()
        }

        var output: String { stderr.text.withLock { $0 } }

        /// The port from the "serving ... on http://127.0.0.1:PORT" line, within 60 s.
        func port() async throws -> Int {
            guard try await eventually(within: .seconds(60), { self.output.contains(" on http://") || !self.process.isRunning }) else {
                throw ServerTestError("no 'serving' line within 60 s: \(output)")
            }
            guard let range = output.range(of: #"on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression),
                  let port = Int(output[range].split(separator: ":").last ?? "")
            else { throw ServerTestError("serve did not start: \(output)") }
            return port
        }

        func waitForExit(within timeout: Duration) async throws -> Int32? {
            guard try await eventually(within: timeout, { !self.process.isRunning }) else {
                process.terminate()
                return nil
            }
            return process.terminationStatus
        }
    }

    @Test func sigtermFinishesTheRequestInFlightThenExitsZero() async throws {
        let stub = try StubLLMServer { req in
            StubLLMServer.reply((req.lastUserMessage ?? "").contains("zebra") ? "Score: 5" : "Score: 1", delay: .milliseconds(2000))
        }
        let serve = try ServeProcess(["--base-url", stub.baseURL, "--model", "m", "--method", "pointwise", "--json-mode", "off",
                                      "--no-cache", "--max-attempts", "1", "--grace", "20"])
        let port = try await serve.port()
        let server = ServerHarness(port: port)
        async let inFlight = server.post("/v1/rerank", ["query": "q", "documents": ["plain", "a zebra"]])
        #expect(try await eventually { stub.requestCount >= 2 })
        kill(serve.process.processIdentifier, SIGTERM)
        // It stops accepting at once, while the request is still being judged.
        #expect(try await eventually(within: .seconds(1.5)) { !LoopbackHTTP.isListening(port: port) })
        let reply = try await inFlight
        #expect(reply.status == 200)
        #expect(reply.body["results"]?.arrayValue?.first?["index"] == 1)
        #expect(try await serve.waitForExit(within: .seconds(20)) == 0, "\(serve.output)")
        #expect(serve.output.contains("stopped"))
    }

    /// Several --profile flags are served under their names, the first the default; bad settings
    /// fail before binding with one line and exit code 2.
    @Test func profilesAndRefusals() async throws {
        let stub = try StubLLMServer { _ in StubLLMServer.reply("Score: 3") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mine.yaml")
        try "judge:\n  method: pointwise\n  json_mode: off\ncache: none\n".write(to: file, atomically: true, encoding: .utf8)
        let serve = try ServeProcess(["--profile", file.path, "--base-url", stub.baseURL, "--model", "m", "--max-attempts", "1"])
        let port = try await serve.port()
        let models = try await ServerHarness(port: port).request("GET", "/v1/models").json()
        #expect(models["data"]?.arrayValue?.map { $0["id"] } == ["mine"])
        let (status, body) = try await ServerHarness(port: port).post("/v2/rerank", ["query": "q", "documents": ["a", "b"]])
        #expect(status == 200 && body["model"] == "mine")
        kill(serve.process.processIdentifier, SIGINT)
        #expect(try await serve.waitForExit(within: .seconds(20)) == 0)

        let open = try CLIRunner().run(["serve", "--host", "0.0.0.0", "--port", "0", "--base-url", stub.baseURL, "--model", "m"])
        #expect(open.status == 2)
        #expect(open.stderr.contains("--server-keys"))
        let twice = try CLIRunner().run(["rerank", "--profile", "encoder", "--profile", "local", "--query", "q", "--docs", "-"], stdin: "")
        #expect(twice.status == 2 && twice.stderr.contains("--profile is given once"))
    }

    /// Two replicas on one PostgreSQL store: what one paid for, the other answers with no call.
    @Test(.needsPostgres) func replicasShareOnePostgresStore() async throws {
        let stub = try StubLLMServer { req in
            StubLLMServer.reply((req.lastUserMessage ?? "").contains("zebra") ? "Score: 5" : "Score: 1")
        }
        let cache = try TestPostgres.freshURL()
        let flags = ["--base-url", stub.baseURL, "--model", "m", "--method", "pointwise", "--json-mode", "off", "--cache", cache]
        let replicas = try [ServeProcess(flags), ServeProcess(flags)]
        defer { for r in replicas { r.process.terminate() } }
        let ports = try await [replicas[0].port(), replicas[1].port()]
        let body: JSONValue = ["query": "q", "documents": ["plain", "a zebra", "other"]]
        let first = try await ServerHarness(port: ports[0]).post("/v1/rerank", body)
        #expect(first.status == 200 && first.body["results"]?.arrayValue?.first?["index"] == 1)
        #expect(stub.requestCount == 3)
        let second = try await ServerHarness(port: ports[1]).post("/v1/rerank", body)
        #expect(second.status == 200)
        #expect(second.body["results"] == first.body["results"])
        #expect(stub.requestCount == 3)
        for r in replicas { kill(r.process.processIdentifier, SIGTERM) }
        for r in replicas { #expect(try await r.waitForExit(within: .seconds(20)) == 0, "\(r.output)") }
        // The PostgreSQL password, if the URL has one, is in no line either replica printed.
        if let password = URLComponents(string: cache)?.password, !password.isEmpty {
            for r in replicas { #expect(!r.output.contains(password)) }
        }
    }
}
