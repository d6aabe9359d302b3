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
            if let rankFields {
                var lines: [String] = []
                for key in rankFields {
                    guard let v = object[key] else { throw APIError.invalid("\(field).\(key)", "missing (named by rank_fields)") }
                    guard case .string(let s) = v else { throw APIError.invalid("\(field).\(key)", "expected a string, got \(JSONFields.kind(v))") }
                    lines.append("\(key): \(s)")
                }
                return lines.joined(separator: "\n")
            }
            for key in ["text"] + alternatives {
                guard let v = object[key] else { continue }
                guard case .string(let s) = v else { throw APIError.invalid("\(field).\(key)", "expected a string, got \(JSONFields.kind(v))") }
                return s
            }
            let names = (["text"] + alternatives).map { "\"\($0)\"" }.joined(separator: " or ")
            throw APIError.invalid(field, "expected a string or an object with \(names)")
        default:
            let names = (["text"] + alternatives).map { "\"\($0)\"" }.joined(separator: " or ")
            throw APIError.invalid(field, "expected a string or an object with \(names), got \(JSONFields.kind(value))")
        }
    }
}
