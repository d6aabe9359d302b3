import Foundation
import LLMRank
import Logging

/// The embedded default endpoint: llama.cpp's server with the local model, started for the run.
enum LocalEndpoint {
    static func with<T: Sendable>(logger: Logger, _ body: @Sendable (String, String) async throws -> T) async throws -> T {
        throw LLMRankError(.setup, "the embedded local LLM is not available yet: pass --base-url URL or set OPENAI_API_KEY")
    }
}
