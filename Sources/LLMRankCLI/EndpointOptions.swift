import ArgumentParser
import Foundation
import LLMRank
import Logging

/// Flags every command that talks to an LLM shares.
struct EndpointOptions: ParsableArguments {
    @Option(name: .customLong("base-url"),
            help: "OpenAI-compatible API root, or 'local' for the embedded llama-server. Default: OPENAI_BASE_URL, else the local server when no OPENAI_API_KEY is set, else OpenAI.")
    var baseURL: String?

    @Option(help: "Model name sent to the endpoint. Default: LLMRANK_MODEL, else gpt-4o-mini (OpenAI) or the local model.")
    var model: String?

    @Option(name: .customLong("api-key-env"), help: "Environment variable that holds the API key.")
    var apiKeyEnv: String = "OPENAI_API_KEY"

    @Option(help: "LLM requests in flight at most.")
    var concurrency: Int = 8

    @Option(name: .customLong("max-attempts"), help: "Attempts per request, the first included.")
    var maxAttempts: Int = 6

    @Option(help: "Seconds allowed for one attempt.")
    var timeout: Double = 120

    @Option(help: "Client-side limit: requests per minute.")
    var rpm: Double?

    @Option(help: "Client-side limit: tokens per minute.")
    var tpm: Double?

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    /// Whether this run uses the embedded local server.
    func wantsLocal(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if let baseURL { return baseURL == "local" }
        let envBase = environment["OPENAI_BASE_URL"] ?? ""
        let envKey = environment[apiKeyEnv] ?? ""
        return envBase.isEmpty && envKey.isEmpty
    }

    /// The flags' limits applied to `base` (by default the environment's endpoint and key).
    func configuration(_ base: ChatClientConfiguration? = nil,
                       environment: [String: String] = ProcessInfo.processInfo.environment) -> ChatClientConfiguration
    {
        var config = base ?? ChatClientConfiguration.fromEnvironment(baseURL: baseURL, apiKeyVariable: apiKeyEnv,
                                                                     environment: environment)
        config.maxConcurrency = concurrency
        config.maxAttempts = maxAttempts
        config.requestTimeout = .milliseconds(Int(timeout * 1000))
        config.requestsPerMinute = rpm
        config.tokensPerMinute = tpm
        return config
    }

    /// Runs `body` with a client for the chosen endpoint and the model to name. For the embedded
    /// default it starts the local server first and always stops it afterwards.
    func withClient<T: Sendable>(logger: Logger,
                                 _ body: @Sendable (ChatClient, String) async throws -> T) async throws -> T
    {
        let environment = ProcessInfo.processInfo.environment
        if wantsLocal(environment: environment) {
            return try await LocalEndpoint.with(logger: logger) { local, localModel in
                let client = ChatClient(configuration: configuration(local), logger: logger)
                return try await body(client, model ?? localModel)
            }
        }
        let client = ChatClient(configuration: configuration(environment: environment), logger: logger)
        let name = model ?? environment["LLMRANK_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? "gpt-4o-mini"
        return try await body(client, name)
    }
}

/// Flags for logging.
struct LoggingOptions: ParsableArguments {
    @ArgumentParser.Flag(name: .shortAndLong, help: "Log each call and retry to stderr (the API key is never logged).")
    var verbose = false

    func makeLogger() -> Logger {
        var logger = Logger(label: "llmrank") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }
}
