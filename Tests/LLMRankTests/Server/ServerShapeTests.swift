import Foundation
import LLMRank
import LLMRankServer
import Testing

/// Each rerank shape over real HTTP against the encoder profile: the order is the one the library
/// gives for the same profile, `index` points into the request, relevance is in [0, 1] and strictly
/// decreasing, and each client's fields are where it reads them.
@Suite(.needsEncoderModel, .serialized) struct ServerShapeTests {
    static let query = "What causes the northern lights?"
    static let texts = [
        "Bananas are rich in potassium.",
        "The aurora borealis appears when charged particles from the sun strike gases in the upper atmosphere.",
        "Northern lights are best seen near the Arctic circle in winter.",
        "A recipe for lemon cake.",
    ]

    static func settings() throws -> ServerSettings {
        ServerSettings(profiles: ["encoder": try ProfileLibrary.named("encoder")], defaultProfile: "encoder")
    }

    /// The order `Reranker` gives for the same profile, as request indexes.
    static func libraryOrder() async throws -> [Int] {
        let documents = texts.enumerated().map { Document(id: String($0.offset), text: $0.element) }
        let result = try await Reranker.with(try ProfileLibrary.named("encoder")) {
            try await $0.rerank(query: Query(text: query), documents: documents)
        }
        return result.list.ids.map { Int($0)! }
    }

    static func indexes(_ results: JSONValue?) -> [Int] {
        (results?.arrayValue ?? []).compactMap { $0["index"]?.doubleValue.map { Int($0) } }
    }

    static func expectStrictlyDecreasingUnitScores(_ scores: [Double]) {
        #expect(scores.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 > $1 }, "\(scores)")
    }

    @Test func cohereV1AndJinaShape() async throws {
        let expected = try await Self.libraryOrder()
        try await ServerHarness.with(try Self.settings()) { server in
            let documents: [JSONValue] = Self.texts.enumerated().map { $0.offset == 1 ? ["text": .string($0.element)] : .string($0.element) }
            let (status, body) = try await server.post("/v1/rerank", ["model": "encoder", "query": .string(Self.query),
                                                                       "documents": .array(documents), "top_n": 3, "return_documents": true])
            #expect(status == 200)
            #expect(Self.indexes(body["results"]) == Array(expected.prefix(3)))
            let results = try #require(body["results"]?.arrayValue)
            Self.expectStrictlyDecreasingUnitScores(results.compactMap { $0["relevance_score"]?.doubleValue })
            for r in results {
                let i = try #require(r["index"]?.doubleValue).rounded()
                #expect(r["document"]?["text"] == .string(Self.texts[Int(i)]))
            }
            #expect(body["model"] == "encoder")
            #expect(body["meta"]?["api_version"]?["version"] == "1")
            #expect(body["meta"]?["billed_units"]?["search_units"] == 1)
            #expect(body["usage"]?["total_tokens"] == 0)
            #expect(body["id"]?.stringValue?.isEmpty == false)
            // Without return_documents there is no document; without top_n every document comes back.
            let (_, all) = try await server.post("/v1/rerank", ["query": .string(Self.query), "documents": .array(Self.texts.map(JSONValue.string))])
            #expect(Self.indexes(all["results"]) == expected)
            #expect(all["results"]?.arrayValue?.allSatisfy { $0["document"] == nil } == true)
        }
    }

    @Test func cohereV2Shape() async throws {
        let expected = try await Self.libraryOrder()
        try await ServerHarness.with(try Self.settings()) { server in
            let (status, body) = try await server.post("/v2/rerank", ["model": "encoder", "query": .string(Self.query),
                                                                       "documents": .array(Self.texts.map(JSONValue.string)), "top_n": 2,
                                                                       "max_tokens_per_doc": 512])
            #expect(status == 200)
            #expect(Self.indexes(body["results"]) == Array(expected.prefix(2)))
            #expect(body["meta"]?["api_version"]?["version"] == "2")
            #expect(body["results"]?.arrayValue?.allSatisfy { $0["document"] == nil } == true)
        }
    }

    @Test func teiShapeIsABareArray() async throws {
        let expected = try await Self.libraryOrder()
        try await ServerHarness.with(try Self.settings()) { server in
            let reply = try await server.request("POST", "/rerank", json: ["query": .string(Self.query),
                                                                           "texts": .array(Self.texts.map(JSONValue.string)),
                                                                           "return_text": true, "truncate": true])
            #expect(reply.status == 200)
            let array = try #require(try reply.json().arrayValue)
            #expect(Self.indexes(.array(array)) == expected)
            Self.expectStrictlyDecreasingUnitScores(array.compactMap { $0["score"]?.doubleValue })
            #expect(array.allSatisfy { $0["text"] == .string(Self.texts[Int($0["index"]!.doubleValue!)]) })
            // raw_scores: the encoder's own scores (cosines here), as the native route gives them.
            let raw = try await server.request("POST", "/rerank", json: ["query": .string(Self.query),
                                                                         "texts": .array(Self.texts.map(JSONValue.string)), "raw_scores": true])
            let native = try await server.post("/llmrank/v1/rerank", ["query": .string(Self.query), "documents": .array(Self.texts.map(JSONValue.string))])
            #expect(try raw.json().arrayValue?.map { $0["score"] } == native.body["candidates"]?.arrayValue?.map { $0["score"] })
            #expect(try raw.json().arrayValue?.first?["text"] == nil)
        }
    }

    /// llama.cpp's routes: `/v1/reranking` with `documents`, and `texts` answered in TEI's shape.
    @Test func llamaCppRoutes() async throws {
        let expected = try await Self.libraryOrder()
        try await ServerHarness.with(try Self.settings()) { server in
            let (status, body) = try await server.post("/v1/reranking", ["model": "encoder", "query": .string(Self.query),
                                                                          "documents": .array(Self.texts.map(JSONValue.string))])
            #expect(status == 200)
            #expect(Self.indexes(body["results"]) == expected)
            #expect(body["object"] == "list")
            let (_, tei) = try await server.post("/rerank", ["query": .string(Self.query), "texts": .array(Self.texts.map(JSONValue.string))])
            #expect(Self.indexes(tei) == expected)
            // /rerank with documents is the Cohere shape.
            let (_, cohere) = try await server.post("/rerank", ["query": .string(Self.query), "documents": .array(Self.texts.map(JSONValue.string))])
            #expect(Self.indexes(cohere["results"]) == expected)
        }
    }

    /// rank_llm's request body on /v1/rerank: a query object and candidates with docids.
    @Test func rankLLMBody() async throws {
        let expected = try await Self.libraryOrder()
        try await ServerHarness.with(try Self.settings()) { server in
            let candidates: [JSONValue] = Self.texts.enumerated().map { i, text in
                i == 2 ? ["docid": "d2", "score": 1.5, "doc": ["contents": .string(text)]] : ["docid": .string("d\(i)"), "score": 1, "text": .string(text)]
            }
            let (status, body) = try await server.post("/v1/rerank", ["query": ["text": .string(Self.query), "qid": "q7"],
                                                                       "candidates": .array(candidates)])
            #expect(status == 200)
            #expect(Self.indexes(body["results"]) == expected)
        }
    }

    @Test func nativeShapeKeepsIdsMetadataAndStageScores() async throws {
        let expected = try await Self.libraryOrder()
        try await ServerHarness.with(try Self.settings()) { server in
            let documents: [JSONValue] = Self.texts.enumerated().map { i, text in
                ["id": .string("doc-\(i)"), "text": .string(text), "source": .string("s\(i)")]
            }
            let (status, body) = try await server.post("/llmrank/v1/rerank", ["profile": "encoder", "query": ["id": "q1", "text": .string(Self.query)],
                                                                               "documents": .array(documents), "with_text": true])
            #expect(status == 200)
            let candidates = try #require(body["candidates"]?.arrayValue)
            #expect(candidates.map { $0["id"]?.stringValue } == expected.map { "doc-\($0)" })
            #expect(candidates.map { $0["rank"] } == [1, 2, 3, 4])
            #expect(candidates.allSatisfy { $0["metadata"]?["source"] == .string("s\(Int($0["index"]!.doubleValue!))") })
            #expect(candidates.allSatisfy { $0["stage_scores"]?["encoder"] == $0["score"] && $0["text"] != nil })
            #expect(body["query_id"] == "q1")
            #expect(body["trace"]?["stages"]?.arrayValue?.first?["stage"] == "encoder")
        }
    }

    @Test func modelsHealthReadyOpenAPI() async throws {
        var settings = try Self.settings()
        settings.profiles["second"] = try ProfileLibrary.named("encoder")
        try await ServerHarness.with(settings) { server in
            let (_, models) = try await server.post("/v1/models", [:])   // POST on a GET route
            #expect(models["error_type"] == "method_not_allowed")
            let list = try await server.request("GET", "/v1/models").json()
            #expect(list["data"]?.arrayValue?.map { $0["id"] } == ["encoder", "second"])
            #expect(list["data"]?.arrayValue?.map { $0["default"] } == [true, false])
            #expect(try await server.request("GET", "/health").json()["status"] == "ok")
            #expect(try await server.request("GET", "/ready").json()["profiles"] == ["encoder", "second"])
            let spec = try await server.request("GET", "/openapi.yaml")
            #expect(spec.status == 200 && spec.text.hasPrefix("openapi: 3.1.0"))
            // "default" names the default profile when no profile has that name.
            let (status, body) = try await server.post("/v1/rerank", ["model": "default", "query": "q", "documents": ["a"]])
            #expect(status == 200 && body["model"] == "encoder")
        }
    }
}
