import ArgumentParser
import Foundation
import LLMRank
import LLMRankServer

/// `llmrank mcp`: the `rerank` and `profiles` tools over MCP's stdio transport, for agents.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the rerank and profiles tools to an agent over MCP (stdin/stdout).",
        discussion: """
            Profiles as for `llmrank serve`: each --profile under its name, the first the default; without one,
            the pipeline flags define "default". Logs go to stderr; stdout carries the protocol.
            """
    )

    @Option(name: .customLong("max-documents"), help: "Most documents in one call (default 1000).")
    var maxDocuments = 1000

    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup var endpoint: EndpointOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let (profiles, order) = try ServeCommand.servedProfiles(pipeline: pipeline, endpoint: endpoint)
        let settings = ServerSettings(profiles: profiles, defaultProfile: order[0], maxDocuments: maxDocuments)
        try await RerankMCPServer.run(settings, logger: logging.makeLogger())
    }
}
