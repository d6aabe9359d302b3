import LLMRank

extension RerankRequest {
    /// `POST /v1/rerank` (Cohere v1, Jina, llama.cpp, vLLM; rank_llm's body when it has
    /// `candidates`) and `POST /v2/rerank` (Cohere v2). Unknown fields are ignored, as those APIs'
    /// own clients send extras; known ones are checked.
    static func cohere(_ body: JSONValue, version: Shape, maxDocuments: Int) throws(APIError) -> RerankRequest {
        let fields = try JSONFields(body: body)
        if version == .cohereV1, fields.has("candidates"), !fields.has("documents") {
            return try rankLLM(fields, maxDocuments: maxDocuments)
        }
        let profile = try fields.string("model")
        let query = try queryText(fields)
        let list = try fields.required("documents", fields.array)
        try checkCount(list.count, field: "documents", max: maxDocuments)
        let topN = try fields.int("top_n", in: 1...1_000_000)
        var rankFields: [String]?
        if version == .cohereV1, let names = try fields.array("rank_fields") {
            rankFields = []
            for (i, name) in names.enumerated() {
                guard case .string(let s) = name else { throw APIError.invalid("rank_fields[\(i)]", "expected a string, got \(JSONFields.kind(name))") }
                rankFields?.append(s)
            }
        }
        let maxTokensPerDoc = try fields.int("max_tokens_per_doc", in: 1...1_000_000)
        _ = try fields.int("max_chunks_per_doc", in: 1...1_000_000)
        var documents: [Document] = []
        documents.reserveCapacity(list.count)
        for (i, value) in list.enumerated() {
            var text = try documentText(value, field: "documents[\(i)]", rankFields: rankFields)
            if let maxTokensPerDoc { text = Self.firstWords(text, maxTokensPerDoc) }
            documents.append(Document(id: String(i), text: text))
        }
        return RerankRequest(shape: version, profile: profile, query: Query(text: query), documents: documents, topN: topN,
                             returnDocuments: version == .cohereV1 ? try fields.bool("return_documents") ?? false : false)
    }

    /// rank_llm's request: `query` a string or `{"text", "qid"}`, `candidates` strings or
    /// `{"docid", "score", "text" | "doc"}` (`doc` a string or an object with `text`, `contents`,
    /// `content` or `segment`). Answered in the Cohere v1 shape.
    static func rankLLM(_ fields: JSONFields, maxDocuments: Int) throws(APIError) -> RerankRequest {
        let query = try query(fields, idKey: "qid")
        let list = try fields.required("candidates", fields.array)
        try checkCount(list.count, field: "candidates", max: maxDocuments)
        var documents: [Document] = []
        for (i, value) in list.enumerated() {
            let field = "candidates[\(i)]"
            guard case .object(let object) = value else {
                documents.append(Document(id: String(i), text: try documentText(value, field: field)))
                continue
            }
            let text: String
            if let doc = object["doc"], object["text"] == nil {
                text = try documentText(doc, field: "\(field).doc", alternatives: ["contents", "content", "segment"])
            } else {
                text = try documentText(value, field: field)
            }
            var metadata: [String: JSONValue] = [:]
            if let docid = object["docid"] { metadata["docid"] = docid }
            documents.append(Document(id: String(i), text: text, metadata: metadata))
        }
        return RerankRequest(shape: .cohereV1, profile: try fields.string("model"), query: query, documents: documents,
                             topN: try fields.int("top_n", in: 1...1_000_000),
                             returnDocuments: try fields.bool("return_documents") ?? false)
    }

    /// Cohere's `max_tokens_per_doc`, approximated by words (a word is at least one token, so the
    /// cut never keeps more than asked).
    static func firstWords(_ text: String, _ n: Int) -> String {
        var count = 0
        var end = text.endIndex
        var inWord = false
        for i in text.indices {
            if text[i].isWhitespace {
                inWord = false
            } else if !inWord {
                inWord = true
                count += 1
                if count > n { end = i; break }
            }
        }
        return end == text.endIndex ? text : String(text[..<end]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
