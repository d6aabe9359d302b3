// Many queries through one reranker: the encoder is loaded once, the endpoint (and the embedded
// server) started once, judgments shared through the cache; four queries run at once. This is how
// `llmrank eval` reranks a run. Run: swift run llmrank-example-many [PROFILE]
import Foundation
import LLMRank

let profile = CommandLine.arguments.dropFirst().first ?? "encoder"
let configuration = try ProfileLibrary.resolve(profile)

let passages = [
    ("p1", "Auroras are caused by charged solar-wind particles striking the upper atmosphere."),
    ("p2", "The Great Barrier Reef is the largest coral reef system in the world."),
    ("p3", "Coral bleaching happens when warm water makes corals expel their algae."),
    ("p4", "Earth's magnetic field funnels solar particles toward the polar regions."),
]
let queries = ["what causes auroras", "why do corals bleach"].enumerated().map { i, text in
    (query: Query(id: "q\(i + 1)", text: text),
     list: RankedList(documents: passages.map { Document(id: $0.0, text: $0.1) }))
}
let start = ContinuousClock.now
let results = try await Reranker.with(configuration) { reranker in
    try await reranker.rerank(queries, concurrency: 4) { done in print("\(done)/\(queries.count) queries") }
}
for (q, result) in zip(queries, results) {
    print(q.query.id, result.list.ids.joined(separator: " > "))
}
print(RunSummary(results: results, wall: ContinuousClock.now - start).line)
