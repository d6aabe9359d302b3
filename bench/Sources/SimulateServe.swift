import Foundation
import LLMRank
import LLMRankTestSupport

/// `llmrank-bench simulate`: serves a `SimulatedJudge` that knows a collection's qrels on a loopback
/// port until killed, so `llmrank eval --base-url http://127.0.0.1:PORT/v1` can run any judging
/// method against it. Each query's candidates (from the run, rank_llm JSON or a TREC run with
/// corpus and topics) get their qrels grade under that query's text; unjudged ones get 0.
enum SimulateServe {
    static func run(arguments: [String]) throws {
        func value(_ name: String) -> String? {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
            return arguments[i + 1]
        }
        guard let qrelsPath = value("--qrels"), let runPath = value("--run") ?? value("--docs") else {
            throw LLMRankError(.invalidInput, "simulate needs --qrels FILE and --run FILE")
        }
        let noise = Double(value("--noise") ?? "0") ?? 0
        let seed = UInt64(value("--seed") ?? "0") ?? 0
        let port = Int(value("--port") ?? "0") ?? 0
        let qrels = try QrelsReader.read(path: qrelsPath)
        let queries: [EvalQuery]
        if let corpus = value("--corpus"), let topics = value("--topics") {
            queries = try RunReader.readTREC(run: runPath, corpus: corpus, topics: topics)
        } else {
            queries = try RunReader.readRankLLM(path: runPath)
        }
        var grades: [String: [String: Int]] = [:]
        for q in queries {
            let judged = qrels[q.query.id] ?? [:]
            for d in q.documents { grades[q.query.text, default: [:]][d.text] = judged[d.id] ?? 0 }
        }
        let judge = SimulatedJudge(gradesByQuery: grades, noise: noise, seed: seed)
        let server = try StubLLMServer(port: port, handler: judge.handler)
        print("simulated judge: \(queries.count) queries, noise \(noise), seed \(seed), max grade \(judge.maxGrade)")
        print(server.baseURL)
        fflush(nil)
        while true { sleep(3600) }
    }
}
