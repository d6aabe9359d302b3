import LLMRank

extension RerankRequest {
    /// `POST /llmrank/v1/rerank`: `profile` (or `model`), `query` (a string or `{"id", "text"}`),
    /// `documents` (strings, or objects with `text`, an optional `id` and any other fields, which are
    /// kept as metadata and returned), `top_n`, `with_text`. A document without an id gets its
    /// index; ids may repeat (`index` tells them apart).
    static func native(_ body: JSONValue, maxDocuments: Int) throws(APIError) -> RerankRequest {
        let fields = try JSONFields(body: body)
        var profileField = "profile"
        var profile = try fields.string("profile")
        let model = try fields.string("model")
        if profile == nil, let model {
            profile = model
            profileField = "model"
        }
        let query = try query(fields, idKey: "id")
        let list = try fields.required("documents", fields.array)
        try checkCount(list.count, field: "documents", max: maxDocuments)
        var documents: [Document] = []
        var ids: [String] = []
        for (i, value) in list.enumerated() {
            let field = "documents[\(i)]"
            let text = try documentText(value, field: field)
            var id = String(i)
            var metadata: [String: JSONValue] = [:]
            if case .object(var object) = value {
                switch object["id"] {
                case nil, .null?: break
                case .string(let s)?: id = s
                case .number(let n)? where n.rounded() == n && n.magnitude < 1e15: id = String(Int(n))
                case let other?: throw APIError.invalid("\(field).id", "expected a string or an integer, got \(JSONFields.kind(other))")
                }
                object["id"] = nil
                object["text"] = nil
                metadata = object
            }
            // The pipeline sees positions as ids (so repeated ids stay apart); the reply gives the
            // caller's ids back.
            ids.append(id)
            documents.append(Document(id: String(i), text: text, metadata: metadata))
        }
        return RerankRequest(shape: .native, profile: profile, profileField: profileField, query: query, documents: documents,
                             topN: try fields.int("top_n", in: 1...1_000_000), returnDocuments: try fields.bool("with_text") ?? false,
                             callerIDs: ids)
    }
}
