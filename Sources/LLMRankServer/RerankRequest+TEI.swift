import LLMRank

extension RerankRequest {
    /// `POST /rerank` with `texts`: Hugging Face text-embeddings-inference's shape (`query`,
    /// `texts`, `raw_scores`, `return_text`, `truncate`, `truncation_direction`). Documents are never
    /// truncated by the server beyond what the profile's encoder does, so `truncate` is checked and
    /// otherwise has no effect.
    static func tei(_ body: JSONValue, maxDocuments: Int) throws(APIError) -> RerankRequest {
        let fields = try JSONFields(body: body)
        let query = try queryText(fields)
        let texts = try fields.required("texts", fields.array)
        try checkCount(texts.count, field: "texts", max: maxDocuments)
        var documents: [Document] = []
        documents.reserveCapacity(texts.count)
        for (i, value) in texts.enumerated() {
            guard case .string(let text) = value else {
                throw APIError.invalid("texts[\(i)]", "expected a string, got \(JSONFields.kind(value))")
            }
            documents.append(Document(id: String(i), text: text))
        }
        _ = try fields.bool("truncate")
        if let direction = try fields.string("truncation_direction"), !["left", "right"].contains(direction.lowercased()) {
            throw APIError.invalid("truncation_direction", "expected \"left\" or \"right\", got \"\(direction.prefix(20))\"")
        }
        return RerankRequest(shape: .tei, profile: try fields.string("model"), query: Query(text: query), documents: documents,
                             topN: nil, returnDocuments: try fields.bool("return_text") ?? false,
                             rawScores: try fields.bool("raw_scores") ?? false)
    }
}
