import Foundation

/// The rerank APIs a `RemoteStage` speaks: the request body each expects and where each puts its
/// scores.
///
/// | api | request | scores |
/// |---|---|---|
/// | `cohere` | `{"model", "query", "documents": [strings]}` (v1 and v2) | `results[].index`, `results[].relevance_score` |
/// | `jina` | as cohere, plus `"return_documents": false` | as cohere |
/// | `vllm` | as cohere (vLLM's and llama.cpp's `/v1/rerank`) | as cohere |
/// | `tei` | `{"query", "texts", "raw_scores": false, "truncate": true}` | a bare array of `{"index", "score"}` |
public enum RemoteAPI: String, Sendable, Hashable, Codable, CaseIterable {
    /// Cohere's `/v1/rerank` and `/v2/rerank`.
    case cohere
    /// Jina AI's `/v1/rerank`.
    case jina
    /// Hugging Face text-embeddings-inference's `/rerank`.
    case tei
    /// vLLM's (and llama.cpp's) `/v1/rerank`, Cohere-shaped.
    case vllm
}

/// A hosted or self-run rerank service as a pipeline stage: it sends the head's texts to `url` in
/// the shape `api` expects, through a `ChatClient` (its retries, Retry-After, timeouts and limits),
/// and orders the head by the scores it returns (each candidate's `remote` stage score). A reply
/// that is not the API's JSON, or whose indexes do not cover every document exactly once, is an
/// error (`.badReply`) naming the URL: a remote that answers for other documents must not reorder
/// these.
public struct RemoteStage: RerankStage {
    /// The full URL of the rerank endpoint (e.g. `https://api.cohere.com/v2/rerank`).
    public let url: String
    /// The API's shape.
    public let api: RemoteAPI
    /// The `model` field sent (cohere, jina, vllm); nil sends none.
    public let model: String?
    /// The client that carries the calls (its key, if any, goes in the Authorization header).
    public let client: ChatClient
    /// Candidates kept for the next stage; nil keeps them all.
    public var keep: Int?
    /// `remote`, in stage scores, flags and traces.
    public var name: String { "remote" }

    /// A stage posting to `url` in `api`'s shape through `client`.
    public init(url: String, api: RemoteAPI, model: String? = nil, client: ChatClient, keep: Int? = nil) {
        self.url = url
        self.api = api
        self.model = model
        self.client = client
        self.keep = keep
    }

    /// Posts the head to the remote, orders it by the remote's scores (ties keep their incoming
    /// order) and records the call.
    public func rerank(query: Query, list: RankedList, context: StageContext) async throws -> RankedList {
        let body = try JSONEncoder().encode(requestBody(query: query.text, documents: list.candidates.map(\.text)))
        let (reply, record) = try await client.postJSON(url: url, body: body)
        context.record([record])
        let scores = try Self.scores(reply, api: api, count: list.count, url: url)
        var scored = list.candidates
        for i in scored.indices {
            scored[i].score = scores[i]
            scored[i].stageScores.append(StageScore(stage: name, score: scores[i]))
        }
        let order = scored.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        return RankedList(candidates: order.map { scored[$0] })
    }

    /// The request body for `api`.
    func requestBody(query: String, documents: [String]) -> JSONValue {
        var fields: [String: JSONValue] = ["query": .string(query)]
        switch api {
        case .tei:
            fields["texts"] = .array(documents.map(JSONValue.string))
            fields["raw_scores"] = .bool(false)
            fields["truncate"] = .bool(true)
        case .cohere, .jina, .vllm:
            fields["documents"] = .array(documents.map(JSONValue.string))
            if let model { fields["model"] = .string(model) }
            if api == .jina { fields["return_documents"] = .bool(false) }
        }
        return .object(fields)
    }

    /// The score of each of `count` documents, in request order, from a reply in `api`'s shape.
    static func scores(_ reply: Data, api: RemoteAPI, count: Int, url: String) throws -> [Double] {
        func bad(_ what: String) -> LLMRankError {
            LLMRankError(.badReply, "remote rerank at \(url) (\(api.rawValue)): \(what)")
        }
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: reply) else {
            let excerpt = String(decoding: reply.prefix(200), as: UTF8.self)
            throw bad("the reply is not JSON: \(excerpt)")
        }
        let results: [JSONValue]
        let scoreField: String
        switch api {
        case .tei:
            guard let array = json.arrayValue else { throw bad("expected an array of {\"index\", \"score\"}") }
            (results, scoreField) = (array, "score")
        case .cohere, .jina, .vllm:
            guard let array = json["results"]?.arrayValue else { throw bad("no \"results\" array in the reply") }
            (results, scoreField) = (array, "relevance_score")
        }
        var scores = [Double?](repeating: nil, count: count)
        for (i, r) in results.enumerated() {
            guard let i64 = r["index"]?.doubleValue, i64 == i64.rounded(), abs(i64) < 1e9, let score = r[scoreField]?.doubleValue, score.isFinite else {
                throw bad("results[\(i)]: expected an integer \"index\" and a number \"\(scoreField)\"")
            }
            let index = Int(i64)
            guard (0..<count).contains(index) else { throw bad("results[\(i)]: index \(index) is outside the \(count) documents sent") }
            guard scores[index] == nil else { throw bad("results[\(i)]: index \(index) appears twice") }
            scores[index] = score
        }
        let missing = scores.indices.filter { scores[$0] == nil }
        if !missing.isEmpty {
            throw bad("no score for \(missing.count) of the \(count) documents sent (first: index \(missing[0]))")
        }
        return scores.map { $0! }
    }
}
