import Foundation
import LLMRank
import Logging

/// The embedded default endpoint: llama.cpp's server with the local model, started for the run on
/// a free loopback port with a per-run key, and stopped afterwards (also on errors and Ctrl-C).
enum LocalEndpoint {
    static func with<T: Sendable>(logger: Logger,
                                  _ body: @Sendable (_ config: ChatClientConfiguration, _ model: String) async throws -> T)
        async throws -> T
    {
        try await LocalLLMServer.withLocalServer(logger: logger) { server in
            try await body(server.clientConfiguration(), server.modelName)
        }
    }
}
