import Foundation
import HTTPTypes
import Hummingbird
import LLMRank
import Logging
import NIOCore

/// Every request to the server goes through here: route and method, the key, admission, the body
/// limit, the shape's parser, the profile's `Reranker`, and the reply in the request's shape. Any
/// failure becomes a JSON error with the right status (a client's mistake is a 4xx naming the
/// field, never a 5xx); every reply carries `X-Request-Id`, is counted in the metrics and logged
/// (sizes and timings only: no key, and no document text unless `logText`).
struct RerankResponder: HTTPResponder {
    typealias Context = ServerContext

    let settings: ServerSettings
    let profiles: ServedProfiles
    let admission: Admission
    let metrics: ServerMetrics
    let readiness: Readiness
    let logger: Logger

    func respond(to request: Request, context: ServerContext) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = Self.requestID(request.headers[Self.requestIDHeader])
        let route = Route(path: request.uri.path)
        var log = Logger.Metadata()
        var response: Response
        do {
            response = try await handle(request, route: route, requestID: requestID, channel: context.channel, log: &log)
        } catch let error as APIError {
            response = Self.error(error)
            log["error"] = "\(error.type)"
            if let field = error.field { log["field"] = "\(field)" }
        } catch {
            response = Self.error(APIError(500, "internal", "internal error"))
            log["error"] = "\(type(of: error))"
        }
        response.headers[Self.requestIDHeader] = requestID
        let elapsed = ContinuousClock.now - start
        let status = Int(response.status.code)
        metrics.request(route: route?.rawValue ?? "unknown", status: status, duration: elapsed)
        log["request_id"] = "\(requestID)"
        log["method"] = "\(request.method.rawValue)"
        log["route"] = "\(route?.rawValue ?? "unknown")"
        log["status"] = "\(status)"
        log["ms"] = "\(Int(RerankReply.seconds(elapsed) * 1000))"
        logger.log(level: status >= 500 ? .error : .info, "request", metadata: log)
        return response
    }

    private func handle(_ request: Request, route: Route?, requestID: String, channel: any Channel,
                        log: inout Logger.Metadata) async throws -> Response
    {
        guard let route else { throw APIError(404, "not_found", "no route \(request.uri.path.prefix(100)) (see GET /openapi.yaml)") }
        guard request.method.rawValue == route.method else {
            throw APIError(405, "method_not_allowed", "\(route.rawValue) answers \(route.method) only", headers: ["Allow": route.method])
        }
        if route.needsKey, !settings.serverKeys.isEmpty,
           !ServerKeys.authorizes(request.headers[.authorization], keys: settings.serverKeys)
        {
            throw APIError(401, "unauthorized", "a valid key is required: send Authorization: Bearer KEY",
                           headers: ["WWW-Authenticate": "Bearer"])
        }
        switch route {
        case .health: return Self.json(["status": "ok"])
        case .ready:
            let reasons = await readiness.reasons()
            let names = JSONValue.array(profiles.names.map(JSONValue.string))
            if reasons.isEmpty { return Self.json(["status": "ready", "profiles": names]) }
            return Self.json(["status": "not_ready", "profiles": names, "reasons": .array(reasons.map(JSONValue.string))],
                             status: .serviceUnavailable)
        case .models: return Self.json(models)
        case .metrics: return Self.text(metrics.text, contentType: "text/plain; version=0.0.4")
        case .openAPI: return Self.text(OpenAPIDocument.yaml, contentType: "application/yaml")
        case .v1Rerank, .rerank, .v1Reranking, .v2Rerank, .native:
            guard admission.enter() else {
                metrics.refused()
                throw APIError(429, "too_many_requests", "the server is busy (\(admission.limit) requests running, --max-inflight); retry shortly",
                               headers: ["Retry-After": "1"])
            }
            metrics.admitted()
            defer {
                admission.leave()
                metrics.finished()
            }
            return try await rerank(request, route: route, requestID: requestID, channel: channel, log: &log)
        }
    }

    private func rerank(_ request: Request, route: Route, requestID: String, channel: any Channel,
                        log: inout Logger.Metadata) async throws -> Response
    {
        let body = try await Self.readBody(request, limit: settings.maxBodyBytes)
        let json = try JSONBody.parse(body)
        let max = settings.maxDocuments
        let parsed: RerankRequest
        switch route {
        case .v2Rerank: parsed = try RerankRequest.cohere(json, version: .cohereV2, maxDocuments: max)
        case .native: parsed = try RerankRequest.native(json, maxDocuments: max)
        case .rerank where json["texts"] != nil && json["documents"] == nil,
             .v1Reranking where json["texts"] != nil && json["documents"] == nil:
            // TEI's body (llama.cpp answers `texts` in TEI's shape too).
            parsed = try RerankRequest.tei(json, maxDocuments: max)
        default: parsed = try RerankRequest.cohere(json, version: .cohereV1, maxDocuments: max)
        }
        let (name, entry) = try profiles.entry(parsed.profile, field: parsed.profileField)
        log["profile"] = "\(name)"
        log["documents"] = "\(parsed.documents.count)"
        if settings.logText { log["query"] = "\(parsed.query.text)" }
        let (overrides, scale) = try self.overrides(parsed, entry: entry)
        let result: RerankResult
        do {
            // A client that hangs up cancels its rerank, and with it the LLM calls still outstanding.
            let reranker = entry.reranker
            guard let finished = try await Disconnect.race(channel, {
                try await reranker.rerank(query: parsed.query, documents: parsed.documents, overrides: overrides)
            })
            else { throw APIError(499, "client_closed", "the client closed the connection; the rerank was cancelled") }
            result = finished
        } catch let error as LLMRankError {
            throw APIError.from(error)
        } catch is CancellationError {
            throw APIError.from(LLMRankError(.cancelled, "cancelled"))
        }
        metrics.rerank(profile: name, trace: result.trace, documents: parsed.documents.count)
        log["calls"] = "\(result.trace.paidCalls)"
        log["cache_hits"] = "\(result.trace.cacheHits)"
        let reply = RerankReply(request: parsed, result: result, profile: name, requestID: requestID, scale: scale)
        return Self.json(reply.body)
    }

    /// The request's overrides (the deadline held to --request-timeout) and the relevance mapping of
    /// the configuration they make; a method the profile cannot run (no encoder, no judge) is a 409
    /// naming the field: the request is valid, the profile is what lacks the stage.
    private func overrides(_ request: RerankRequest, entry: ServedProfiles.Entry) throws(APIError) -> (RerankOverrides, RelevanceScale) {
        var overrides = request.overrides
        if overrides.isEmpty { return (overrides, entry.scale) }
        if let limit = settings.requestTimeout, let asked = overrides.budget.deadline { overrides.budget.deadline = min(asked, limit) }
        do {
            let configuration = try entry.reranker.configuration(with: overrides)
            let scale = overrides.method == nil ? entry.scale : try RelevanceScale(configuration: configuration)
            return (overrides, scale)
        } catch let error as LLMRankError {
            let field = String(error.message.prefix { $0 != ":" })
            throw APIError(409, "conflict", error.message, field: field)
        } catch {
            throw APIError(409, "conflict", "method: \(error)", field: "method")
        }
    }

    /// The body, up to `limit` bytes: a declared or actual size over it is a 413.
    static func readBody(_ request: Request, limit: Int) async throws(APIError) -> Data {
        let tooLarge = APIError.tooLarge("body", "larger than the limit of \(limit) bytes (--max-body-bytes)")
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit { throw tooLarge }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch {
            if "\(type(of: error))".contains("TooManyBytes") { throw tooLarge }
            throw APIError(400, "bad_request", "body: could not be read")
        }
    }

    private var models: JSONValue {
        ["object": "list", "data": .array(profiles.names.map { name in
            ["id": .string(name), "object": "model", "owned_by": "llmrank", "default": .bool(name == profiles.defaultName),
             "description": profiles.entries[name]?.description.map(JSONValue.string) ?? .null]
        })]
    }

    static let requestIDHeader = HTTPField.Name("X-Request-Id")!

    /// The client's `X-Request-Id` when it is a sane token (letters, digits, `-_.:`, at most 128),
    /// else a new UUID.
    static func requestID(_ given: String?) -> String {
        if let given, !given.isEmpty, given.count <= 128,
           given.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.:".unicodeScalars.contains($0) })
        {
            return given
        }
        return UUID().uuidString.lowercased()
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        bytes(JSONBody.encode(value), status: status, contentType: "application/json")
    }

    static func text(_ text: String, contentType: String) -> Response {
        bytes(Data(text.utf8), status: .ok, contentType: contentType)
    }

    static func error(_ error: APIError) -> Response {
        var response = bytes(error.body, status: HTTPResponse.Status(code: error.status), contentType: "application/json")
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        return response
    }

    static func bytes(_ data: Data, status: HTTPResponse.Status, contentType: String) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
