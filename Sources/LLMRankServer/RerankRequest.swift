import LLMRank

/// One rerank request, whatever shape it came in: the profile, the query, the documents (their
/// positions in the request are their indexes in the reply), how many to return, and what the
/// reply should carry. Each route only translates its shape into this and the result back.
struct RerankRequest: Sendable {
    /// The request shapes, each answered in its own shape.
    enum Shape: String, Sendable {
        /// Cohere v1, Jina, llama.cpp and vLLM (and rank_llm's body): `/v1/rerank`, `/rerank`.
        case cohereV1 = "v1"
        /// Cohere v2: `/v2/rerank`.
        case cohereV2 = "v2"
        /// Hugging Face text-embeddings-inference: `/rerank` with `texts`.
        case tei
        /// llmrank's own: `/llmrank/v1/rerank`.
        case native
    }

    var shape: Shape
    /// The served profile's name, or nil for the default one.
    var profile: String?
    /// Which field named the profile (`model`, `profile`), for the 404's message.
    var profileField = "model"
    var query: Query
    var documents: [Document]
    var topN: Int?
    /// Cohere/Jina `return_documents`, TEI `return_text`, native `with_text`.
    var returnDocuments = false
    /// TEI `raw_scores`: the pipeline's own score instead of the [0, 1] relevance.
    var rawScores = false
    /// The native route's document ids, by position (the documents themselves carry their
    /// positions as ids, in every shape); nil: the positions are the ids.
    var callerIDs: [String]? = nil
    /// The native route's per-request overrides of the profile (method, budget).
    var overrides = RerankOverrides()

    /// The limits every shape shares: at least one document is not required (an empty list gives an
    /// empty result), but more than the server's maximum is a 413.
    static func checkCount(_ count: Int, field: String, max: Int) throws(APIError) {
        if count > max {
            throw APIError.tooLarge(field, "\(count) documents, more than the limit of \(max) (--max-documents)")
        }
    }

    /// A query's text: a non-empty string.
    static func queryText(_ fields: JSONFields, key: String = "query") throws(APIError) -> String {
        let text = try fields.required(key, fields.string)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw APIError.invalid(fields.name(key), "must not be empty")
        }
        return text
    }

    /// `query`: a non-empty string, or an object with `text` and an id under `idKey` (rank_llm's
    /// `qid`, the native route's `id`).
    static func query(_ fields: JSONFields, idKey: String) throws(APIError) -> Query {
        guard case .object(let object)? = fields.object["query"] else { return Query(text: try queryText(fields)) }
        let nested = JSONFields(object, path: "query")
        return Query(id: try nested.string(idKey) ?? "q", text: try queryText(nested, key: "text"))
    }

    /// Document `i` of a list that allows a string or an object with a text field (`text`, or one of
    /// `alternatives`); `rankFields` (Cohere v1) joins those fields instead.
    static func documentText(_ value: JSONValue, field: String, alternatives: [String] = [],
                             rankFields: [String]? = nil) throws(APIError) -> String
    {
        switch value {
        case .string(let s):
            return s
        case .object(let object):
            // Every text field present must be a string; the first one present is the text.
            var found: String?
            for key in ["text"] + alternatives {
                guard let v = object[key], v != .null else { continue }
                guard case .string(let s) = v else { throw APIError.invalid("\(field).\(key)", "expected a string, got \(JSONFields.kind(v))") }
                found = found ?? s
            }
            if let rankFields {
                // Cohere's rank_fields: the fields a document has, as name: value lines (a value that is
                // not a string as its JSON text).
                var lines: [String] = []
                for key in rankFields {
                    guard let v = object[key], v != .null else { continue }
                    // Strings as they are, other values as their JSON text.
                    let text = if case .string(let s) = v { s } else { String(decoding: JSONBody.encode(v), as: UTF8.self) }
                    lines.append("\(key): \(text)")
                }
                if !lines.isEmpty { return lines.joined(separator: "\n") }
            }
            if let found { return found }
            let names = (["text"] + alternatives).map { "\"\($0)\"" }.joined(separator: " or ")
            throw APIError.invalid(field, "expected a string or an object with \(names)")
        default:
            let names = (["text"] + alternatives).map { "\"\($0)\"" }.joined(separator: " or ")
            throw APIError.invalid(field, "expected a string or an object with \(names), got \(JSONFields.kind(value))")
        }
    }
}
