import ArgumentParser
import LLMRank

@main
struct LLMRankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmrank",
        abstract: "Rerank search results with a local encoder and an LLM as the judge.",
        version: "0.1.0",
        subcommands: []
    )
}
