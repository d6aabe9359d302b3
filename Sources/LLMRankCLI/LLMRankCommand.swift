import ArgumentParser
import Foundation
import LLMRank

@main
struct LLMRankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmrank",
        abstract: "Rerank search results with a local encoder and an LLM as the judge.",
        version: "0.1.0",
        subcommands: [RerankCommand.self, EvalCommand.self, DoctorCommand.self, PromptsCommand.self, CacheCommand.self]
    )

    /// Parses, runs, and maps library errors to one readable line and an exit code.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as LLMRankError {
            printError("llmrank: \(error.message)")
            Foundation.exit(ExitCodes.code(for: error))
        } catch is CancellationError {
            printError("llmrank: cancelled")
            Foundation.exit(130)
        } catch {
            exit(withError: error)
        }
    }
}
