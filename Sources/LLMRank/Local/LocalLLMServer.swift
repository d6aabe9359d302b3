import Foundation
import Logging

/// How to run the embedded llama-server. Every field has a default; `init(environment:)` resolves
/// the paths from `LLMRANK_LLAMA_SERVER`, `LLMRANK_LOCAL_MODEL` and `LLMRankPaths`.
public struct LocalLLMConfiguration: Sendable, Hashable {
    /// File name of the model as published, which `scripts/setup-local-llm` installs under
    /// `models/` (beside a BF16 or F16 copy that `LocalModelChoice` prefers).
    public static let defaultModelFileName = LocalModelChoice.publishedFileName

    /// The llama-server binary. Default: `LLMRANK_LLAMA_SERVER`, else the build `LlamaServerBuild`
    /// chooses for this CPU: `<home>/bin/llama-server-avx512` or `<home>/bin/llama-server`.
    public var serverPath: URL {
        didSet {
            if serverPath != serverBuild.path {
                serverBuild = LlamaServerBuild(path: serverPath, variant: "custom", reason: "set in the configuration")
            }
        }
    }
    /// Which build `serverPath` is and why it was chosen (`-v` and `llmrank doctor` print it).
    public private(set) var serverBuild: LlamaServerBuild
    /// The GGUF model. Default: `LLMRANK_LOCAL_MODEL`, else the file `LocalModelChoice` chooses
    /// under `<home>/models/` for the build: `SmolLM2-135M-Instruct-BF16.gguf`, `-F16.gguf` or
    /// `-Q4_1.gguf`. Setting it names the alias after the new file.
    public var modelPath: URL {
        didSet {
            if modelPath != modelChoice.path {
                modelChoice = LocalModelChoice(path: modelPath, weights: "custom", reason: "set in the configuration")
                modelName = modelPath.deletingPathExtension().lastPathComponent
            }
        }
    }
    /// Which model file `modelPath` is and why it was chosen (`-v` and `llmrank doctor` print it).
    public private(set) var modelChoice: LocalModelChoice
    /// Name the server answers to (`--alias`) and the client sends: the model file's stem.
    public var modelName: String
    /// Where `llama-server-<port>.log` goes. Default: `<home>/logs`.
    public var logDirectory: URL
    /// Total KV-cache size in tokens (`-c`), shared by the slots (unified KV cache). Each slot
    /// may hold SmolLM2's full 8192-token training context at once, so the pool never overflows:
    /// with a smaller pool, concurrent listwise prompts (about 2,000-8,000 tokens each) made
    /// llama-server fail decodes with "Context size has been exceeded".
    public var contextSize: Int = 16_384
    /// Requests decoded together (`-np`); more wait in the server's queue. Two slots keep both
    /// cores busy; more would only split the same cores.
    public var parallel: Int = 2
    /// CPU threads (`-t`).
    public var threads: Int = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    /// How long to wait for `GET /health` to answer 200.
    public var startupTimeout: Duration = .seconds(60)
    /// Seconds between SIGTERM and SIGKILL in `stop()`.
    public var stopGrace: Double = 5
    /// Give the server a random API key for this run (passed in its environment, `LLAMA_API_KEY`,
    /// not on the command line), so other local processes and web pages (llama-server allows
    /// every CORS origin) cannot use it. `/health` stays open. Send `LocalLLMServer.apiKey`.
    public var requireAPIKey: Bool = true
    /// Added to the server's environment. The default, `OMP_WAIT_POLICY=passive`, makes llama.cpp's
    /// OpenMP threads sleep at a barrier instead of spinning: on 2 cores shared with the encoder and
    /// other work, a spinning thread takes the core that the thread it waits for needs (see the
    /// README's embedded-judge benchmark). `OMP_WAIT_POLICY` or `GOMP_SPINCOUNT` in llmrank's
    /// environment win (see `environment(inheriting:apiKey:)`).
    public var serverEnvironment: [String: String] = ["OMP_WAIT_POLICY": "passive"]
    /// Appended to the command line (later flags win in llama.cpp's parser).
    public var extraArguments: [String] = []
    /// Where the values came from, for error messages: which variable set each path, if any.
    public var serverPathSource: String?
    /// The variable that set `modelPath`, if any.
    public var modelPathSource: String?

    /// Reads `LLMRANK_LLAMA_SERVER` and `LLMRANK_LOCAL_MODEL` from `environment`, defaulting to
    /// the paths `scripts/setup` installs under `LLMRANK_HOME` (the llama-server build that `cpu`
    /// can run, `LlamaServerBuild.choose`).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                cpu: CPUFeatures = .current()) {
        if let path = environment["LLMRANK_LLAMA_SERVER"], !path.isEmpty {
            serverBuild = LlamaServerBuild(path: URL(fileURLWithPath: path), variant: "LLMRANK_LLAMA_SERVER",
                                           reason: "named by LLMRANK_LLAMA_SERVER")
            serverPathSource = "LLMRANK_LLAMA_SERVER"
        } else {
            serverBuild = LlamaServerBuild.choose(bin: LLMRankPaths.bin(environment: environment), cpu: cpu)
        }
        serverPath = serverBuild.path
        if let path = environment["LLMRANK_LOCAL_MODEL"], !path.isEmpty {
            modelChoice = LocalModelChoice(path: URL(fileURLWithPath: path), weights: "custom", reason: "named by LLMRANK_LOCAL_MODEL")
            modelPathSource = "LLMRANK_LOCAL_MODEL"
        } else {
            modelChoice = LocalModelChoice.choose(models: LLMRankPaths.models(environment: environment), build: serverBuild)
        }
        modelPath = modelChoice.path
        modelName = modelPath.deletingPathExtension().lastPathComponent
        logDirectory = LLMRankPaths.home(environment: environment).appendingPathComponent("logs", isDirectory: true)
    }

    /// The llama-server command line for `port`, without the program itself.
    ///
    /// - `--jinja`: render the chat template stored in the GGUF (SmolLM2's ChatML) with the Jinja
    ///   engine, which also enables `response_format` json_schema/tools handling.
    /// - `-c` with `-np`: one unified KV pool (`--kv-unified`) so a long listwise prompt may use most
    ///   of it while short pointwise prompts run side by side.
    /// - `--no-webui`, `--offline`: no UI assets, never a network fetch.
    /// - `--log-colors off`: plain text in the log file.
    public func arguments(port: Int) -> [String] {
        [
            "--model", modelPath.path,
            "--alias", modelName,
            "--host", "127.0.0.1",
            "--port", String(port),
            "--ctx-size", String(contextSize),
            "--parallel", String(parallel),
            "--kv-unified",
            "--threads", String(threads),
            "--jinja",
            "--no-webui",
            "--offline",
            "--log-colors", "off",
        ] + extraArguments
    }

    /// The server's environment: `inherited` without `LLAMA_ARG_*` (the command line alone decides),
    /// plus each `serverEnvironment` variable that `inherited` does not set (`OMP_WAIT_POLICY` not
    /// either when `inherited` sets `GOMP_SPINCOUNT`: the user chose how the threads wait), and
    /// `LLAMA_API_KEY` set to `apiKey`.
    public func environment(inheriting inherited: [String: String], apiKey: String?) -> [String: String] {
        var environment = inherited.filter { !$0.key.hasPrefix("LLAMA_ARG_") }
        for (key, value) in serverEnvironment where inherited[key] == nil {
            if key == "OMP_WAIT_POLICY", inherited["GOMP_SPINCOUNT"] != nil { continue }
            environment[key] = value
        }
        environment["LLAMA_API_KEY"] = apiKey
        return environment
    }

    /// Checks that the binary and the model exist; the error names the path and the setup command.
    public func validate() throws {
        let fm = FileManager.default
        let via = serverPathSource.map { " (from \($0))" } ?? ""
        guard fm.fileExists(atPath: serverPath.path) else {
            throw LLMRankError(.setup, "llama-server not found at \(serverPath.path)\(via): run scripts/setup-local-llm")
        }
        guard fm.isExecutableFile(atPath: serverPath.path) else {
            throw LLMRankError(.setup, "llama-server at \(serverPath.path)\(via) is not executable: run scripts/setup-local-llm")
        }
        let modelVia = modelPathSource.map { " (from \($0))" } ?? ""
        guard fm.fileExists(atPath: modelPath.path) else {
            throw LLMRankError(.setup, "local model not found at \(modelPath.path)\(modelVia): run scripts/setup-local-llm")
        }
        guard contextSize > 0, parallel > 0, threads > 0 else {
            throw LLMRankError(.invalidInput, "local server: contextSize, parallel and threads must be positive")
        }
    }
}

/// The embedded local LLM: a llama-server child process on a free loopback port, serving the local
/// model through the OpenAI-compatible API at `baseURL`. Start it with `withLocalServer`, which
/// always stops it; `start`/`stop` are there for callers that manage the lifetime themselves.
/// The child also dies with llmrank (Ctrl-C, kill, crash): see `ChildProcess`.
public final class LocalLLMServer: Sendable {
    /// The binary, model and settings it runs with.
    public let configuration: LocalLLMConfiguration
    /// The loopback port it listens on.
    public let port: Int
    /// `http://127.0.0.1:<port>/v1`, the API root for the chat client.
    public let baseURL: String
    /// The server's log (stdout and stderr).
    public let logFile: URL
    /// The bearer token the server requires for this run, or nil (`requireAPIKey` off).
    public let apiKey: String?
    private let child: ChildProcess

    /// The model name to send in requests (the server's `--alias`).
    public var modelName: String { configuration.modelName }
    /// The child's pid.
    public var processIdentifier: Int32 { child.pid }
    /// Whether the child is still running.
    public var isRunning: Bool { child.isRunning }
    /// How the child ended ("exit status N", "killed by signal N"), once it has.
    var exitDescription: String? { child.exitDescription }

    private init(configuration: LocalLLMConfiguration, port: Int, logFile: URL, apiKey: String?, child: ChildProcess) {
        self.configuration = configuration
        self.port = port
        self.baseURL = "http://127.0.0.1:\(port)/v1"
        self.logFile = logFile
        self.apiKey = apiKey
        self.child = child
    }

    /// Starts the server with `configuration`, waits until `GET /health` answers 200 and returns it.
    /// Retries on another port when the chosen one was taken in the meantime.
    public static func start(configuration: LocalLLMConfiguration = LocalLLMConfiguration(),
                             logger: Logger = Logger(label: "llmrank.local")) async throws -> LocalLLMServer
    {
        try configuration.validate()
        try FileManager.default.createDirectory(at: configuration.logDirectory, withIntermediateDirectories: true)
        pruneOldLogs(in: configuration.logDirectory)
        let apiKey = configuration.requireAPIKey ? Self.randomKey() : nil
        let environment = configuration.environment(inheriting: ProcessInfo.processInfo.environment, apiKey: apiKey)
        let openMP = environment.filter { $0.key.hasPrefix("OMP_") || $0.key.hasPrefix("GOMP_") }
            .map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")

        let attempts = 3
        for attempt in 1...attempts {
            let port = try LoopbackHTTP.freePort()
            let log = configuration.logDirectory.appendingPathComponent("llama-server-\(port).log")
            let arguments = configuration.arguments(port: port)
            logger.debug("starting llama-server", metadata: [
                "port": "\(port)", "binary": "\(configuration.serverPath.path)",
                "build": "\(configuration.serverBuild.variant) (\(configuration.serverBuild.reason))",
                "model": "\(configuration.modelPath.path)",
                "weights": "\(configuration.modelChoice.weights) (\(configuration.modelChoice.reason))", "log": "\(log.path)",
                "arguments": "\(arguments.joined(separator: " "))",
                "openmp": "\(openMP)",
            ])
            let started = ContinuousClock.now
            let child = try await ChildProcess.launch(executable: configuration.serverPath, arguments: arguments,
                                                      environment: environment, log: log)
            let server = LocalLLMServer(configuration: configuration, port: port, logFile: log, apiKey: apiKey,
                                        child: child)
            do {
                try await server.waitUntilHealthy()
                logger.debug("llama-server ready", metadata: [
                    "port": "\(port)", "pid": "\(child.pid)", "startup": "\(ContinuousClock.now - started)",
                ])
                return server
            } catch let error as LLMRankError {
                await server.stop()
                if attempt < attempts, Self.portWasTaken(log: log) {
                    logger.debug("llama-server could not bind its port, retrying", metadata: ["port": "\(port)"])
                    continue
                }
                throw error
            } catch {
                await server.stop()
                throw error
            }
        }
        throw LLMRankError(.setup, "llama-server could not bind a loopback port in \(attempts) attempts")
    }

    /// Runs `body` with a started server and stops the server afterwards, also when `body` throws or
    /// the task is cancelled.
    public static func withLocalServer<T>(
        configuration: LocalLLMConfiguration = LocalLLMConfiguration(),
        logger: Logger = Logger(label: "llmrank.local"),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (LocalLLMServer) async throws -> T
    ) async throws -> T {
        let server = try await start(configuration: configuration, logger: logger)
        let result: T
        do {
            result = try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        return result
    }

    /// A client configuration for this server: its URL and per-run key, and a cache name that
    /// outlives the random port (`llmrank-local/<model>`), so a rerun against a new server is
    /// answered from the judgment cache.
    public func clientConfiguration() -> ChatClientConfiguration {
        var config = ChatClientConfiguration(baseURL: baseURL, apiKey: apiKey)
        config.apiKeyVariable = "the local server's per-run key"
        config.endpointIdentity = "llmrank-local/\(modelName)"
        return config
    }

    /// Stops the server: SIGTERM, then SIGKILL after `configuration.stopGrace` seconds. Returns once
    /// the process is gone. Safe to call more than once.
    public func stop() async {
        await child.terminate(grace: configuration.stopGrace)
    }

    /// Polls `GET /health` until 200. Fails when the child exits, when the timeout passes (with the
    /// log's tail in the message) or when the task is cancelled.
    private func waitUntilHealthy() async throws {
        let deadline = ContinuousClock.now + configuration.startupTimeout
        let port = self.port
        var lastStatus = "no answer"
        while true {
            if let exit = child.exitDescription {
                throw LLMRankError(.setup, "llama-server (\(configuration.serverPath.path)) exited during startup with "
                    + "\(exit); log \(logFile.path): \(Self.logTail(logFile))")
            }
            let response = try? await ChildProcess.offload {
                try LoopbackHTTP.request(port: port, path: "/health", timeoutSeconds: 2)
            }
            if let response = response.flatMap({ $0 }) {
                // 200 from our child only: if it died (say, on a bind failure) someone else answered.
                if response.status == 200, child.isRunning { return }
                lastStatus = "HTTP \(response.status)"
            }
            if ContinuousClock.now >= deadline {
                throw LLMRankError(.timeout, "llama-server on 127.0.0.1:\(port) not healthy after "
                    + "\(configuration.startupTimeout) (last: \(lastStatus)); log \(logFile.path): \(Self.logTail(logFile))")
            }
            do {
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                throw LLMRankError(.cancelled, "cancelled while llama-server was starting")
            }
        }
    }

    /// 32 random bytes as hex, from the system's CSPRNG.
    private static func randomKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The last lines of the log, joined on one line for an error message.
    static func logTail(_ url: URL, lines: Int = 8) -> String {
        guard let data = try? Data(contentsOf: url), !data.isEmpty else { return "(empty)" }
        let text = String(decoding: data.suffix(4096), as: UTF8.self)
        let tail = text.split(whereSeparator: \.isNewline).suffix(lines)
        return tail.joined(separator: " | ")
    }

    private static func portWasTaken(log: URL) -> Bool {
        guard let data = try? Data(contentsOf: log) else { return false }
        let text = String(decoding: data, as: UTF8.self).lowercased()
        return text.contains("couldn't bind") || text.contains("address already in use")
    }

    /// Removes server logs older than a day, so per-port log names do not pile up.
    private static func pruneOldLogs(in directory: URL) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else { return }
        let cutoff = Date(timeIntervalSinceNow: -86_400)
        for name in names where name.hasPrefix("llama-server-") && name.hasSuffix(".log") {
            let path = directory.appendingPathComponent(name).path
            if let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff {
                try? fm.removeItem(atPath: path)
            }
        }
    }
}
