#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import LLMRank

/// The embedded llama-server with the real model. These tests need `scripts/setup-local-llm` to have
/// run; without it they fail with the setup error, which names that script.
@Suite(.serialized) struct LocalLLMServerTests {
    @Test func realServerAnswersHealthAndChatThenStops() async throws {
        // A long grace, so a loaded machine's slow shutdown is not mistaken for an ignored SIGTERM.
        var configuration = LocalLLMConfiguration()
        configuration.stopGrace = 30
        let server = try await LocalLLMServer.start(configuration: configuration)
        let port = server.port
        let pid = server.processIdentifier
        #expect(server.baseURL == "http://127.0.0.1:\(port)/v1")
        // The file setup-local-llm wrote for the build chosen (BF16, F16 or the published Q4_1).
        #expect(server.modelName == "SmolLM2-135M-Instruct-\(configuration.modelChoice.weights)")

        #expect(livePids(withArguments: ["--port", String(port)]) == [pid])
        let health = try #require(try LoopbackHTTP.request(port: port, path: "/health"))
        #expect(health.status == 200)

        let body = Data("""
            {"model": "\(server.modelName)", "temperature": 0, "max_tokens": 8,
             "messages": [{"role": "user", "content": "Answer with one word: is the sky blue?"}]}
            """.utf8)
        let key = try #require(server.apiKey)
        #expect(key.count == 64)
        let unauthorized = try #require(try LoopbackHTTP.request(port: port, method: "POST", path: "/v1/chat/completions",
                                                                 body: body, timeoutSeconds: 60))
        #expect(unauthorized.status == 401, "the run's API key must be required")
        let reply = try #require(try LoopbackHTTP.request(port: port, method: "POST", path: "/v1/chat/completions",
                                                          body: body, headers: ["Authorization": "Bearer \(key)"],
                                                          timeoutSeconds: 60))
        #expect(reply.status == 200, "reply: \(reply.text)")
        let json = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [String: Any])
        let choices = try #require(json["choices"] as? [[String: Any]])
        let message = try #require(choices.first?["message"] as? [String: Any])
        let content = try #require(message["content"] as? String)
        #expect(!content.isEmpty)
        let usage = try #require(json["usage"] as? [String: Any])
        #expect((usage["completion_tokens"] as? Int ?? 0) >= 1)

        await server.stop()
        // SIGTERM must be enough: the SIGKILL fallback (after the grace) would show as signal 9.
        let ended = try #require(server.exitDescription)
        #expect(ended != "killed by signal \(SIGKILL)", "stop() needed the SIGKILL fallback: \(ended)")
        #expect(!server.isRunning)
        #expect(!LoopbackHTTP.isListening(port: port), "port \(port) still open after stop()")
        #expect(processIsGone(pid), "llama-server pid \(pid) still exists after stop()")
        #expect(livePids(withArguments: ["--port", String(port)]).isEmpty)
        await server.stop() // idempotent
    }

    @Test func withLocalServerStopsTheServerWhenTheBodyThrows() async throws {
        struct BodyFailed: Error {}
        var seen: (port: Int, pid: Int32)?
        await #expect(throws: BodyFailed.self) {
            try await LocalLLMServer.withLocalServer { server in
                seen = (server.port, server.processIdentifier)
                #expect(LoopbackHTTP.isListening(port: server.port))
                throw BodyFailed()
            }
        }
        let (port, pid) = try #require(seen)
        #expect(!LoopbackHTTP.isListening(port: port))
        #expect(processIsGone(pid))
    }

    @Test func cancellingDuringStartupStopsTheChild() async throws {
        var config = LocalLLMConfiguration()
        config.logDirectory = try temporaryDirectory()
        let logs = config.logDirectory
        let task = Task { try await LocalLLMServer.start(configuration: config) }
        // Wait until the child exists (its log file appears), then cancel while it loads or polls.
        var log: String?
        for _ in 0..<200 where log == nil {
            try await Task.sleep(for: .milliseconds(10))
            log = try FileManager.default.contentsOfDirectory(atPath: logs.path).first { $0.hasSuffix(".log") }
        }
        task.cancel()
        let port = try #require(log.flatMap { Int($0.dropFirst("llama-server-".count).dropLast(".log".count)) })
        switch await task.result {
        case .success(let server):
            // It became healthy before the cancel landed: then stopping must work as usual.
            await server.stop()
        case .failure(let error):
            #expect((error as? LLMRankError)?.kind == .cancelled, "\(error)")
        }
        #expect(!LoopbackHTTP.isListening(port: port))
        #expect(livePids(withArguments: ["--port", String(port)]).isEmpty, "a llama-server for port \(port) survived")
    }

    @Test func missingBinaryNamesTheSetupScript() async throws {
        let config = LocalLLMConfiguration(environment: [
            "LLMRANK_HOME": NSTemporaryDirectory() + "llmrank-missing-\(UUID().uuidString)",
            "LLMRANK_LLAMA_SERVER": "/nonexistent/llama-server",
        ])
        let error = await #expect(throws: LLMRankError.self) { try await LocalLLMServer.start(configuration: config) }
        #expect(error?.kind == .setup)
        #expect(error?.message == "llama-server not found at /nonexistent/llama-server (from LLMRANK_LLAMA_SERVER): "
            + "run scripts/setup-local-llm")
    }

    @Test func defaultPathsUnderAnEmptyHomeNameTheSetupScript() async throws {
        let home = NSTemporaryDirectory() + "llmrank-empty-\(UUID().uuidString)"
        let config = LocalLLMConfiguration(environment: ["LLMRANK_HOME": home])
        #expect(config.serverPath.path == home + "/bin/llama-server")
        #expect(config.modelPath.path == home + "/models/SmolLM2-135M-Instruct-Q4_1.gguf")
        let error = await #expect(throws: LLMRankError.self) { try await LocalLLMServer.start(configuration: config) }
        #expect(error?.message == "llama-server not found at \(home)/bin/llama-server: run scripts/setup-local-llm")
    }

    @Test func missingModelNamesTheSetupScript() async throws {
        let config = LocalLLMConfiguration(environment: [
            "LLMRANK_LLAMA_SERVER": "/bin/sh",
            "LLMRANK_LOCAL_MODEL": "/nonexistent/model.gguf",
        ])
        let error = await #expect(throws: LLMRankError.self) { try await LocalLLMServer.start(configuration: config) }
        #expect(error?.kind == .setup)
        #expect(error?.message == "local model not found at /nonexistent/model.gguf (from LLMRANK_LOCAL_MODEL): "
            + "run scripts/setup-local-llm")
    }

    @Test func nonExecutableBinaryIsASetupError() async throws {
        let dir = try temporaryDirectory()
        let fake = dir.appendingPathComponent("llama-server")
        try Data("not a program".utf8).write(to: fake)
        let config = LocalLLMConfiguration(environment: ["LLMRANK_LLAMA_SERVER": fake.path, "LLMRANK_HOME": dir.path])
        let error = await #expect(throws: LLMRankError.self) { try await LocalLLMServer.start(configuration: config) }
        #expect(error?.kind == .setup)
        #expect(error?.message.contains("is not executable: run scripts/setup-local-llm") == true)
    }

    @Test func serverThatExitsAtStartupReportsStatusAndLogTail() async throws {
        let dir = try temporaryDirectory()
        let fake = dir.appendingPathComponent("llama-server")
        try Data("#!/bin/sh\necho 'error: model is broken' >&2\nexit 3\n".utf8).write(to: fake)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let model = dir.appendingPathComponent("m.gguf")
        try Data("GGUF".utf8).write(to: model)
        let config = LocalLLMConfiguration(environment: [
            "LLMRANK_LLAMA_SERVER": fake.path, "LLMRANK_LOCAL_MODEL": model.path, "LLMRANK_HOME": dir.path,
        ])
        let error = await #expect(throws: LLMRankError.self) { try await LocalLLMServer.start(configuration: config) }
        #expect(error?.kind == .setup)
        #expect(error?.message.contains("exited during startup with exit status 3") == true, "\(String(describing: error))")
        #expect(error?.message.contains("error: model is broken") == true, "\(String(describing: error))")
    }

    @Test func commandLineCarriesTheChosenFlags() throws {
        var config = LocalLLMConfiguration(environment: ["LLMRANK_HOME": "/h"])
        config.threads = 2
        let args = config.arguments(port: 4321)
        #expect(args.starts(with: ["--model", "/h/models/SmolLM2-135M-Instruct-Q4_1.gguf",
                                   "--alias", "SmolLM2-135M-Instruct-Q4_1", "--host", "127.0.0.1", "--port", "4321"]))
        #expect(args.contains("--jinja"))
        #expect(args.contains("--offline"))
        let threads = try #require(args.firstIndex(of: "--threads"))
        #expect(args[threads + 1] == "2")
    }
}

/// True once nothing listens on 127.0.0.1:`port`. A killed multi-threaded process can show as a
/// zombie (its leader thread) a moment before its last thread exits and its sockets close.
func portCloses(_ port: Int, within seconds: Double) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    repeat {
        if !LoopbackHTTP.isListening(port: port) { return true }
        usleep(50_000)
    } while Date() < deadline
    return false
}

/// True once `pid` no longer exists (reaped) or is a zombie nobody waits for.
func processIsGone(_ pid: Int32, within seconds: Double = 5) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    repeat {
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")"),
           stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
        {
            return true
        }
        usleep(50_000)
    } while Date() < deadline
    return false
}

/// Live (not zombie) processes whose command line contains `arguments` in a row, from /proc.
func livePids(withArguments arguments: [String]) -> [Int32] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return names.compactMap(Int32.init).filter { pid in
        guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let argv = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard argv.count >= arguments.count,
              (0...(argv.count - arguments.count)).contains(where: { Array(argv[$0..<($0 + arguments.count)]) == arguments })
        else { return false }
        return !processIsGone(pid, within: 0)
    }
}

func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-local-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
