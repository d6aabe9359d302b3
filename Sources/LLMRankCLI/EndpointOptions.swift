import ArgumentParser
import Foundation
import LLMRank
import Logging

/// Flags every command that talks to an LLM shares. Unset flags keep the profile's (or the
/// library's default) value.
struct EndpointOptions: ParsableArguments {
    @Option(name: .customLong("base-url"),
            help: "OpenAI-compatible API root, or 'local' for the embedded llama-server. Default: OPENAI_BASE_URL, else the local server when no OPENAI_API_KEY is set, else OpenAI.")
    var baseURL: String?

    @Option(help: "Model name sent to the endpoint. Default: LLMRANK_MODEL, else gpt-4o-mini (OpenAI) or the local model.")
    var model: String?

    @Option(name: .customLong("api-key-env"), help: "Environment variable that holds the API key (default OPENAI_API_KEY).")
    var apiKeyEnv: String?

    @Option(help: "LLM requests in flight at most (default 8, at most \(EndpointSettings.maxConcurrency)).")
    var concurrency: Int?

    @Option(name: .customLong("max-attempts"), help: "Attempts per request, the first included (default 6).")
    var maxAttempts: Int?

    @Option(help: "Seconds allowed for one attempt (default 30); at most 2 attempts of a request may time out.")
    var timeout: Double?

    @Option(help: "Client-side limit: requests per minute.")
    var rpm: Double?

    @Option(help: "Client-side limit: tokens per minute.")
    var tpm: Double?

    @Option(name: .customLong("max-rpm"), help: "Requests per minute for all processes sharing the PostgreSQL --cache together.")
    var maxRPM: Double?

    func validate() throws {
        if let concurrency, !(1...EndpointSettings.maxConcurrency).contains(concurrency) {
            throw ValidationError("--concurrency must be between 1 and \(EndpointSettings.maxConcurrency)")
        }
        if let maxAttempts, !(1...20).contains(maxAttempts) { throw ValidationError("--max-attempts must be between 1 and 20") }
        if let timeout, !(timeout.isFinite && timeout > 0 && timeout <= 86_400) {
            throw ValidationError("--timeout must be a positive number of seconds")
        }
        if let rpm, !(rpm.isFinite && rpm >= 0.001 && rpm <= 1e9) { throw ValidationError("--rpm must be between 0.001 and 1e9") }
        if let tpm, !(tpm.isFinite && tpm >= 0.001 && tpm <= 1e12) { throw ValidationError("--tpm must be between 0.001 and 1e12") }
        if let maxRPM, !(maxRPM.isFinite && maxRPM >= 0.001 && maxRPM <= 1e9) {
            throw ValidationError("--max-rpm must be between 0.001 and 1e9")
        }
    }

    /// Applies the given flags to `settings`.
    func apply(to settings: inout EndpointSettings) {
        if let baseURL { settings.baseURL = baseURL }
        if let model { settings.model = model }
        if let apiKeyEnv { settings.apiKeyVariable = apiKeyEnv }
        if let concurrency { settings.concurrency = concurrency }
        if let maxAttempts { settings.maxAttempts = maxAttempts }
        if let timeout { settings.timeout = timeout }
        if let rpm { settings.requestsPerMinute = rpm }
        if let tpm { settings.tokensPerMinute = tpm }
        if let maxRPM { settings.sharedRequestsPerMinute = maxRPM }
    }

    /// The endpoint settings these flags describe on their own (for `doctor`).
    var settings: EndpointSettings {
        var settings = EndpointSettings()
        apply(to: &settings)
        return settings
    }
}

/// Flags for logging.
struct LoggingOptions: ParsableArguments {
    @ArgumentParser.Flag(name: .shortAndLong, help: "Log each call and retry to stderr, and print the effective profile (the API key is never logged).")
    var verbose = false

    func makeLogger() -> Logger {
        var logger = Logger(label: "llmrank") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }

    /// With `-v`, prints the effective profile to stderr.
    func show(_ reranker: Reranker) {
        guard verbose else { return }
        let yaml = (try? ProfileLibrary.yaml(reranker.configuration)) ?? "(cannot print the profile)"
        printError("llmrank: effective profile (endpoint \(reranker.endpointLocation ?? "none")):\n" + yaml)
    }
}
