// The Swift API in one screen: a local encoder prefilters, an LLM orders the head with a listwise
// prompt, replies are cached, and each query has a budget. Run: swift run llmrank-example
// (it uses OPENAI_BASE_URL / OPENAI_API_KEY when set, else starts the local llama-server).
import Foundation
import LLMRank
import Logging

let logger = Logger(label: "example")
let query = Query(text: "What causes the northern lights?")
let documents = [
    Document(id: "cause", text: "Auroras happen when charged particles from the solar wind are guided by Earth's magnetic field toward the poles and make atoms in the upper atmosphere glow."),
    Document(id: "tour", text: "Our five-night Northern Lights package includes hotel stays in Tromso and a husky ride."),
    Document(id: "colors", text: "The green colour of most auroras comes from oxygen atoms about 100 to 300 km up."),
    Document(id: "led", text: "LED bulbs produce light when electrons recombine with holes in a semiconductor."),
]

func rerank(_ config: ChatClientConfiguration, model: String) async throws -> RerankResult {
    let client = ChatClient(configuration: config, logger: logger)
    let judge = Judge(prompt: try PromptLibrary.named("listwise"), client: client,
                      cache: try JudgmentCache.open(), options: JudgeOptions(model: model))
    let pipeline = Pipeline(
        stages: [try EncoderStage(nameOrPath: "all-MiniLM-L6-v2", keep: 3), JudgeStage(judge: judge)],
        budget: BudgetLimits(maxCalls: 10, deadline: .seconds(60)))
    return try await pipeline.rerank(query: query, documents: documents)
}

let environment = ProcessInfo.processInfo.environment
let result: RerankResult
if let base = environment["OPENAI_BASE_URL"] ?? (environment["OPENAI_API_KEY"] != nil ? ChatClientConfiguration.openAIBaseURL : nil) {
    result = try await rerank(.fromEnvironment(baseURL: base), model: environment["LLMRANK_MODEL"] ?? "gpt-4o-mini")
} else {
    result = try await LocalLLMServer.withLocalServer(logger: logger) { server in
        try await rerank(server.clientConfiguration(), model: server.modelName)
    }
}
for c in result.list.candidates {
    print(c.rank, c.id, c.score.map { String(format: "%.3f", $0) } ?? "-", c.flags.map(\.description))
}
for stage in result.trace.stages {
    print("\(stage.stage): \(stage.calls.count) calls, \(stage.duration)")
}
print("paid calls \(result.trace.paidCalls), tokens \(result.trace.usage.totalTokens)")
