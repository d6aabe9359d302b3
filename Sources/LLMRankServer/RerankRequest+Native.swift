import LLMRank

extension RerankRequest {
    /// `POST /llmrank/v1/rerank`: `profile` (or `model`), `query` (a string or `{"id", "text"}`),
    /// `documents` (strings, or objects with `text`, an optional `id` and any other fields, which are
    /// kept as metadata and returned), `top_n`, `with_text`. A document without an id gets its
    /// index; ids may repeat (`index` tells them apart). Per-request overrides: `method` (a judge
    /// method or `encoder`) and `budget` (`max_calls`, `max_tokens`, `deadline` in seconds).
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
        var request = RerankRequest(shape: .native, profile: profile, profileField: profileField, query: query, documents: documents,
                             topN: try fields.int("top_n", in: 1...1_000_000), returnDocuments: try fields.bool("with_text") ?? false,
                             callerIDs: ids)
        request.overrides = try overrides(fields)
        return request
    }

    /// `method` and `budget` of the native body; a wrong type, name or range is a 422 naming the
    /// field.
    static func overrides(_ fields: JSONFields) throws(APIError) -> RerankOverrides {
        var overrides = RerankOverrides(method: try fields.string("method"))
        let methods = JudgeMethod.allCases.map(\.rawValue) + ["encoder"]
        if let method = overrides.method, !methods.contains(method) {
            throw APIError.invalid("method", "'\(method.prefix(40))' is not one of \(methods.joined(separator: ", "))")
        }
        guard let value = fields.object["budget"], value != .null else { return overrides }
        guard case .object(let object) = value else { throw APIError.invalid("budget", "expected an object, got \(JSONFields.kind(value))") }
        let budget = JSONFields(object, path: "budget")
        for key in object.keys where !["max_calls", "max_tokens", "deadline"].contains(key) {
            throw APIError.invalid("budget.\(key)", "unknown field (known: max_calls, max_tokens, deadline)")
        }
        overrides.budget.maxCalls = try budget.int("max_calls", in: 1...1_000_000)
        overrides.budget.maxTokens = try budget.int("max_tokens", in: 1...1_000_000_000)
        if let deadline = object["deadline"], deadline != .null {
            guard case .number(let seconds) = deadline, seconds.isFinite, seconds > 0, seconds <= 86_400 else {
                throw APIError.invalid("budget.deadline", "expected a number of seconds in (0, 86400], got \(JSONFields.kind(deadline))")
            }
            overrides.budget.deadline = .milliseconds(Int((seconds * 1000).rounded(.up)))
        }
        return overrides
    }
}
