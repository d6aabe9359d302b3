import Foundation
import Testing
@testable import LLMRank

@Suite struct CacheKeyTests {
    static let endpoint = "api.example.com/v1/chat/completions"
    static let base = ChatRequest(
        model: "gpt-judge", messages: [.system("sys"), .user("Query: q\nPassage: p")], temperature: 0, topP: 1,
        maxTokens: 1, seed: 3, stop: ["\n"], responseFormat: .text, logprobs: true, topLogprobs: 10,
        logitBias: [9642: 5, 2822: 5])

    static func key(_ request: ChatRequest = base, endpoint: String = endpoint, version: String = "yesno/yesno/1") throws -> String {
        try CacheKey.make(endpoint: endpoint, request: request, methodVersion: version)
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(CacheKey.sha256Hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(CacheKey.sha256Hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func keyIsSHA256OfTheDocumentedEncoding() throws {
        let body = String(decoding: try Self.base.jsonBody(), as: UTF8.self)
        let endpoint = Self.endpoint, version = "yesno/yesno/1"
        let encoding = "llmrank-cache-key/1\n\(endpoint.utf8.count):\(endpoint)\n\(version.utf8.count):\(version)\n\(body.utf8.count):\(body)\n"
        #expect(try Self.key() == CacheKey.sha256Hex(Data(encoding.utf8)))
    }

    @Test func keyIsStableAcrossRunsAndEqualRequests() throws {
        // Pinned: changing the encoding orphans every user's cache, so it must be deliberate
        // (bump the tag in CacheKey and this value together).
        let request = ChatRequest(model: "m", messages: [.user("hello")], temperature: 0)
        #expect(try Self.key(request, endpoint: "h/p", version: "v")
            == CacheKey.sha256Hex(Data("llmrank-cache-key/1\n3:h/p\n1:v\n76:{\"messages\":[{\"content\":\"hello\",\"role\":\"user\"}],\"model\":\"m\",\"temperature\":0}\n".utf8)))
        // Equal requests built separately (dictionary order of logit_bias differs) give one key.
        var rebuilt = Self.base
        rebuilt.logitBias = [2822: 5, 9642: 5]
        #expect(try Self.key(rebuilt) == Self.key())
        #expect(try Self.key().count == 64)
    }

    @Test func everyInputChangesTheKey() throws {
        let original = try Self.key()
        var variants: [String: ChatRequest] = [:]
        func variant(_ name: String, _ change: (inout ChatRequest) -> Void) {
            var r = Self.base
            change(&r)
            variants[name] = r
        }
        variant("model") { $0.model = "gpt-judge-2" }
        variant("message text") { $0.messages[1].content += " " }
        variant("message role") { $0.messages[0].role = .user }
        variant("message added") { $0.messages.append(.assistant("[1]")) }
        variant("temperature") { $0.temperature = 0.7 }
        variant("temperature unset") { $0.temperature = nil }
        variant("top_p") { $0.topP = 0.9 }
        variant("max_tokens") { $0.maxTokens = 2 }
        variant("seed") { $0.seed = 4 }
        variant("stop") { $0.stop = nil }
        variant("response_format") { $0.responseFormat = .jsonObject }
        variant("logprobs") { $0.logprobs = false }
        variant("top_logprobs") { $0.topLogprobs = 20 }
        variant("logit_bias") { $0.logitBias = [9642: 5] }
        var keys: Set<String> = [original]
        for (name, request) in variants.sorted(by: { $0.key < $1.key }) {
            let key = try Self.key(request)
            #expect(key != original, "changing \(name) must change the key")
            keys.insert(key)
        }
        #expect(keys.count == variants.count + 1)
        #expect(try Self.key(version: "yesno/yesno/2") != original)
        #expect(try Self.key(endpoint: "localhost:8080/v1/chat/completions") != original)
    }

    @Test func fieldBoundariesAreUnambiguous() throws {
        let request = ChatRequest(model: "m", messages: [.user("x")])
        #expect(try Self.key(request, endpoint: "ab", version: "c") != Self.key(request, endpoint: "a", version: "bc"))
        #expect(try Self.key(request, endpoint: "a\n1:b", version: "c") != Self.key(request, endpoint: "a", version: "b\n1:c"))
    }

    @Test func endpointIdentityDropsCredentialsQueryAndDefaults() throws {
        let identity = EndpointIdentity.of(
            try #require(URL(string: "https://user:sk-SECRET@API.Example.com:443/v1/chat/completions/?api-key=sk-SECRET#x")))
        #expect(identity == "api.example.com/v1/chat/completions")
        #expect(!identity.contains("SECRET"))
        #expect(EndpointIdentity.of(try #require(URL(string: "http://127.0.0.1:8080/v1/chat/completions")))
            == "127.0.0.1:8080/v1/chat/completions")
        #expect(EndpointIdentity.of(try #require(URL(string: "http://localhost:80/")))
            == "localhost")
        // Same endpoint, different credentials: one key.
        let a = EndpointIdentity.of(try #require(URL(string: "https://k1@api.example.com/v1/chat/completions?key=one")))
        let b = EndpointIdentity.of(try #require(URL(string: "https://api.example.com/v1/chat/completions?key=two")))
        #expect(try Self.key(endpoint: a) == Self.key(endpoint: b))
    }
}
