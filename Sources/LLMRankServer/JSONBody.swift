import Foundation
import LLMRank

/// JSON in and out of the server: one decoder that tells malformed JSON (400) from a body that is
/// JSON of the wrong shape (422, later), and one encoder with sorted keys.
enum JSONBody {
    /// Parses a request body into a JSON value; any failure is a 400 that says where.
    static func parse(_ data: Data) throws(APIError) -> JSONValue {
        guard !data.isEmpty else { throw APIError.malformed("the body is empty") }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw APIError.malformed(Self.describe(context.underlyingError) ?? context.debugDescription)
        } catch {
            throw APIError.malformed("unreadable")
        }
    }

    /// The parser's own words where it gives any ("Unexpected character 'x' around line 1, column 3").
    private static func describe(_ error: (any Error)?) -> String? {
        guard let error else { return nil }
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        return String(text.prefix(200))
    }

    /// Encodes a value with sorted keys and unescaped slashes.
    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every value we send is made of strings, finite numbers, arrays and objects.
        return (try? encoder.encode(value)) ?? Data(#"{"error":"unencodable response"}"#.utf8)
    }
}
