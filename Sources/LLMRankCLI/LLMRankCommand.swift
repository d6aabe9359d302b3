import ArgumentParser
import Foundation
import LLMRank

@main
struct LLMRankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmrank",
        abstract: "Rerank search results with a local encoder and an LLM as the judge.",
        version: "0.1.0",
        subcommands: [RerankCommand.self, EvalCommand.self, TuneCommand.self, ServeCommand.self, MCPCommand.self, DoctorCommand.self, PromptsCommand.self, ProfilesCommand.self, CacheCommand.self]
    )

    /// Parses, runs, and maps library errors to one readable line and an exit code.
    static func main() async {
        Output.installSignalPolicy()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            if let why = Output.stdoutFailure {
                printError("llmrank: cannot write the output: \(why)")
                Foundation.exit(1)
            }
        } catch let error as LLMRankError {
            printError("llmrank: \(error.message)")
            if let hint = hint(for: error) { printError("llmrank: \(hint)") }
            Foundation.exit(ExitCodes.code(for: error))
        } catch is CancellationError {
            printError("llmrank: cancelled")
            Foundation.exit(130)
        } catch {
            // Bad flags exit 2, like every other bad input (ArgumentParser's own code is 64).
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            printError(fullMessage(for: error))
            Foundation.exit(2)
        }
    }
}
