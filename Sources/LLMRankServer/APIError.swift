import Foundation
import LLMRank

/// A request the server refuses or could not serve, with the HTTP status and one line that names
/// the field at fault (`documents[3]: expected a string or an object with "text"`). Encoded as
/// `{"message", "error", "error_type", "field"}`: Cohere's clients read `message`, TEI's read
/// `error` and `error_type`.
struct APIError: Error, Sendable, Equatable {
    var status: Int
    var type: String
    var message: String
    var field: String?
    var headers: [String: String] = [:]

    init(_ status: Int, _ type: String, _ message: String, field: String? = nil, headers: [String: String] = [:]) {
        self.status = status
        self.type = type
        self.message = message
        self.field = field
        self.headers = headers
    }

    /// 422: a field has the wrong type or value; the message starts with the field's path.
    static func invalid(_ field: String, _ problem: String) -> APIError {
        APIError(422, "validation", "\(field): \(problem)", field: field)
    }

    /// 400: the body is not JSON.
    static func malformed(_ detail: String) -> APIError {
        APIError(400, "malformed_json", "body: not valid JSON (\(detail))", field: "body")
    }

    /// 413: the body or the document list is over a limit.
    static func tooLarge(_ field: String, _ problem: String) -> APIError {
        APIError(413, "too_large", "\(field): \(problem)", field: field)
    }

    /// 404 for a model name that is not a served profile, naming the ones that are.
    static func unknownProfile(_ name: String, field: String, known: [String]) -> APIError {
        APIError(404, "unknown_model", "\(field): no profile named '\(name)' is served (served: \(known.joined(separator: ", ")))", field: field)
    }

    /// The status a library error maps to. Input the client sent (an empty query) is theirs (422);
    /// an endpoint that failed is a bad gateway (502) or unavailable (503); anything else is ours.
    static func from(_ error: LLMRankError) -> APIError {
        switch error.kind {
        case .invalidInput: APIError(422, "validation", error.message)
        case .http, .transport, .badReply, .endpointUnavailable: APIError(502, "upstream", "the LLM endpoint failed: \(error.message)")
        case .timeout: APIError(504, "timeout", error.message)
        case .setup: APIError(503, "setup", error.message)
        case .cancelled: APIError(503, "cancelled", "the request was cancelled (the server is shutting down)")
        default: APIError(500, "internal", "\(error.kind): \(error.message)")
        }
    }

    /// The JSON body.
    var body: Data {
        var object: [String: JSONValue] = ["message": .string(message), "error": .string(message), "error_type": .string(type)]
        if let field { object["field"] = .string(field) }
        return JSONBody.encode(JSONValue.object(object))
    }
}
