import Foundation
import LLMRank
import Logging
import MCP

/// `llmrank mcp`: a Model Context Protocol server on stdin/stdout with two tools, so agents can
/// rerank: `rerank` (query, documents, top_n, profile) and `profiles`. It serves the same profiles,
/// through the same `Reranker`s and request checks, as `llmrank serve`'s native route.
public enum RerankMCPServer {
    /// Serves `settings.profiles` until stdin closes. Logs go to `logger` (stderr: stdout is the
    /// protocol's).
    public static func run(_ settings: ServerSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                           logger: Logger) async throws
    {
        try settings.validate()
        let profiles = try await ServedProfiles.start(settings, environment: environment, logger: logger)
        let server = Server(name: "llmrank", version: "0.1.0", capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: tools(profiles)) }
        await server.withMethodHandler(CallTool.self) { params in
            await call(params.name, arguments: params.arguments ?? [:], profiles: profiles, maxDocuments: settings.maxDocuments)
        }
        do {
            try await server.start(transport: StdioTransport(logger: logger))
            await server.waitUntilCompleted()
        } catch {
            await profiles.shutdown()
            throw error
        }
        await profiles.shutdown()
    }

    static func tools(_ profiles: ServedProfiles) -> [Tool] {
        let names: [Value] = profiles.names.map { .string($0) }
        return [
            Tool(name: "rerank",
                 description: "Order documents by relevance to a query with an llmrank profile (a local encoder and/or an LLM judge). "
                     + "Returns every document best first (or the top_n) with its index, id, relevance_score in [0, 1], raw score and flags.",
                 inputSchema: .object([
                     "type": "object",
                     "required": .array(["query", "documents"]),
                     "properties": .object([
                         "query": .object(["type": "string", "description": "What the documents should answer"]),
                         "documents": .object([
                             "type": "array", "description": "Strings, or objects with text and an optional id",
                             "items": .object(["anyOf": .array([.object(["type": "string"]),
                                                                .object(["type": "object", "required": .array(["text"]),
                                                                         "properties": .object(["id": .object(["type": "string"]),
                                                                                                "text": .object(["type": "string"])])])])]),
                         ]),
                         "top_n": .object(["type": "integer", "minimum": 1, "description": "Return only the best N"]),
                         "profile": .object(["type": "string", "enum": .array(names), "description": "Default: \(profiles.defaultName)"]),
                     ]),
                 ])),
            Tool(name: "profiles", description: "The llmrank profiles this server can rerank with, and what each does.",
                 inputSchema: .object(["type": "object", "properties": .object([:])])),
        ]
    }

    /// One tool call: the result as JSON text (and structured content), or an error result whose
    /// text names the field at fault.
    static func call(_ name: String, arguments: [String: Value], profiles: ServedProfiles, maxDocuments: Int) async -> CallTool.Result {
        switch name {
        case "profiles":
            let list: JSONValue = .array(profiles.names.map { name in
                ["name": .string(name), "default": .bool(name == profiles.defaultName),
                 "description": profiles.entries[name]?.description.map(JSONValue.string) ?? .null]
            })
            return result(list)
        case "rerank":
            do {
                let body = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(arguments))
                let request = try RerankRequest.native(body, maxDocuments: maxDocuments)
                let (profile, entry) = try profiles.entry(request.profile, field: request.profileField)
                let ranked = try await entry.reranker.rerank(query: request.query, documents: request.documents)
                let reply = RerankReply(request: request, result: ranked, profile: profile, requestID: UUID().uuidString.lowercased(),
                                        scale: entry.scale)
                return result(reply.body)
            } catch let error as APIError {
                return .init(content: [.text(text: error.message, annotations: nil, _meta: nil)], isError: true)
            } catch let error as LLMRankError {
                return .init(content: [.text(text: APIError.from(error).message, annotations: nil, _meta: nil)], isError: true)
            } catch {
                return .init(content: [.text(text: "the arguments could not be read", annotations: nil, _meta: nil)], isError: true)
            }
        default:
            return .init(content: [.text(text: "unknown tool '\(name)' (tools: rerank, profiles)", annotations: nil, _meta: nil)], isError: true)
        }
    }

    private static func result(_ value: JSONValue) -> CallTool.Result {
        let data = JSONBody.encode(value)
        let structured = try? JSONDecoder().decode(Value.self, from: data)
        return .init(content: [.text(text: String(decoding: data, as: UTF8.self), annotations: nil, _meta: nil)],
                     structuredContent: structured.flatMap { if case .object = $0 { $0 } else { .object(["items": $0]) } })
    }
}
