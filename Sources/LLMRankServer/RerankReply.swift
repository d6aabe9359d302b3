import Foundation
import LLMRank

/// A rerank result in the shape its request came in. `index` always refers to the request's
/// documents; results are best first; `top_n` keeps the head.
struct RerankReply {
    let request: RerankRequest
    let result: RerankResult
    let profile: String
    let requestID: String
    let relevance: [Double]

    init(request: RerankRequest, result: RerankResult, profile: String, requestID: String, scale: RelevanceScale) {
        self.request = request
        self.result = result
        self.profile = profile
        self.requestID = requestID
        self.relevance = scale.relevance(result.list)
    }

    /// The candidates to return, with their relevance: the head of `top_n`.
    private var returned: [(candidate: Candidate, relevance: Double)] {
        let all = zip(result.list.candidates, relevance).map { (candidate: $0, relevance: $1) }
        return request.topN.map { Array(all.prefix($0)) } ?? all
    }

    /// The request's position of a candidate: its id.
    private func index(_ c: Candidate) -> Int { Int(c.id) ?? -1 }

    /// The caller's id of a candidate (the native route's), else its position.
    private func callerID(_ c: Candidate) -> String {
        let i = index(c)
        guard let ids = request.callerIDs, ids.indices.contains(i) else { return c.id }
        return ids[i]
    }

    private var usage: JSONValue {
        let u = result.trace.usage
        return ["prompt_tokens": .number(Double(u.promptTokens)), "completion_tokens": .number(Double(u.completionTokens)),
                "total_tokens": .number(Double(u.totalTokens))]
    }

    /// The body.
    var body: JSONValue {
        switch request.shape {
        case .cohereV1, .cohereV2: cohere
        case .tei: tei
        case .native: native
        }
    }

    /// Cohere v1/v2, Jina, llama.cpp and vLLM in one object: each reads the fields it knows.
    private var cohere: JSONValue {
        let results: [JSONValue] = returned.map { c, r in
            var object: [String: JSONValue] = ["index": .number(Double(index(c))), "relevance_score": .number(r)]
            if request.returnDocuments { object["document"] = ["text": .string(c.text)] }
            return .object(object)
        }
        return [
            "id": .string(requestID), "model": .string(profile), "object": "list", "results": .array(results), "usage": usage,
            "meta": ["api_version": ["version": .string(request.shape == .cohereV2 ? "2" : "1")], "billed_units": ["search_units": 1]],
        ]
    }

    /// TEI: a bare array of `{index, score, text?}`, best first.
    private var tei: JSONValue {
        .array(returned.map { c, r in
            var object: [String: JSONValue] = ["index": .number(Double(index(c)))]
            object["score"] = request.rawScores ? (c.score.map(JSONValue.number) ?? .null) : .number(r)
            if request.returnDocuments { object["text"] = .string(c.text) }
            return .object(object)
        })
    }

    /// Every candidate with rank, raw score, relevance, stage scores, flags and metadata; usage; a
    /// summary of the trace.
    private var native: JSONValue {
        let candidates: [JSONValue] = returned.map { c, r in
            var object: [String: JSONValue] = [
                "id": .string(callerID(c)), "index": .number(Double(index(c))), "rank": .number(Double(c.rank)),
                "score": c.score.map(JSONValue.number) ?? .null, "relevance_score": .number(r),
                "stage_scores": .object(Dictionary(c.stageScores.map { ($0.stage, $0.score.map(JSONValue.number) ?? .null) },
                                                   uniquingKeysWith: { _, last in last })),
                "flags": .array(c.flags.map { f in
                    ["code": .string(f.code.rawValue), "stage": f.stage.map(JSONValue.string) ?? .null, "detail": .string(f.detail)]
                }),
                "metadata": .object(c.metadata),
            ]
            if request.returnDocuments { object["text"] = .string(c.text) }
            return .object(object)
        }
        let trace = result.trace
        let stages: [JSONValue] = trace.stages.map { s in
            ["stage": .string(s.stage), "seconds": .number(Self.seconds(s.duration)), "calls": .number(Double(s.calls.count)),
             "cache_hits": .number(Double(s.calls.filter(\.cacheHit).count))]
        }
        return [
            "id": .string(requestID), "profile": .string(profile), "query_id": .string(request.query.id),
            "candidates": .array(candidates), "usage": usage,
            "trace": [
                "calls": .number(Double(trace.paidCalls)), "cache_hits": .number(Double(trace.cacheHits)),
                "retries": .number(Double(trace.calls.map(\.retries).reduce(0, +))),
                "repairs": .number(Double(trace.calls.map(\.repairs).reduce(0, +))),
                "fallbacks": .number(Double(trace.calls.filter(\.fallback).count)), "stages": .array(stages),
            ],
        ]
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
