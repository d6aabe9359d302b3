// The Swift API in one screen: a profile describes the pipeline (the local encoder keeps its top 3,
// an LLM orders them with one listwise window); `Reranker.with` owns the endpoint client, the
// judgment cache and, with no API key in the environment, the embedded llama-server, and tears them
// down at the end. Run: swift run llmrank-example
import LLMRank

var configuration = try ProfileLibrary.named("hybrid-listwise")   // or RerankerConfiguration(), or a file
configuration.encoder?.keep = 3
configuration.budget = BudgetLimits(maxCalls: 10, deadline: .seconds(60))

let documents = [
    Document(id: "cause", text: "Auroras happen when charged particles from the solar wind are guided by Earth's magnetic field toward the poles and make atoms in the upper atmosphere glow."),
    Document(id: "tour", text: "Our five-night Northern Lights package includes hotel stays in Tromso and a husky ride."),
    Document(id: "colors", text: "The green colour of most auroras comes from oxygen atoms about 100 to 300 km up."),
    Document(id: "led", text: "LED bulbs produce light when electrons recombine with holes in a semiconductor."),
]
let result = try await Reranker.with(configuration) { reranker in
    try await reranker.rerank(query: Query(text: "What causes the northern lights?"), documents: documents)
}
for c in result.list.candidates {                                     // every document comes back
    print(c.rank, c.id, c.score ?? .nan, c.flags.map(\.description))
}
print("paid calls \(result.trace.paidCalls), cache hits \(result.trace.cacheHits), tokens \(result.trace.usage.totalTokens)")
