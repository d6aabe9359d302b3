import CLLMRankShims
import Foundation

/// The judgment cache key: hex SHA-256 over a canonical encoding of what determines a reply.
///
/// Encoding (version `llmrank-cache-key/1`): the tag, then four length-prefixed fields in a fixed
/// order, each as `<UTF-8 byte count>:<bytes>\n`:
/// 1. the endpoint identity (scheme-less host[:port] and path, see `EndpointIdentity`),
/// 2. the method version of the prompt that asks (a prompt file's name, method and version),
/// 3. the request body exactly as sent (`ChatRequest.jsonBody()`: sorted-key JSON holding the model,
///    the messages and every sampling parameter: temperature, top_p, max_tokens, seed, stop,
///    response_format, logprobs, top_logprobs, logit_bias).
/// Length prefixes make the encoding unambiguous whatever the fields contain. The API key is sent
/// in a header, never in the body, and is not an input here.
public enum CacheKey {
    static let tag = "llmrank-cache-key/1"

    /// The key of `request` sent to `endpoint` on behalf of a prompt of `methodVersion`.
    public static func make(endpoint: String, request: ChatRequest, methodVersion: String) throws -> String {
        let body: Data
        do {
            body = try request.jsonBody()
        } catch {
            throw LLMRankError(.invalidInput, "cannot encode the request for model \(request.model): \(error)")
        }
        var bytes = Data(tag.utf8)
        bytes.append(0x0A)
        for field in [Data(endpoint.utf8), Data(methodVersion.utf8), body] {
            bytes.append(contentsOf: Array("\(field.count):".utf8))
            bytes.append(field)
            bytes.append(0x0A)
        }
        return sha256Hex(bytes)
    }

    /// Lowercase hex SHA-256 of `data`.
    public static func sha256Hex(_ data: Data) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let ok = data.withUnsafeBytes { raw in
            llmrank_sha256(raw.baseAddress, raw.count, &digest)
        }
        precondition(ok == 1, "SHA-256 failed in OpenSSL")
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
