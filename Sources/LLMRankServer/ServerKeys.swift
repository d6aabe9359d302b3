import Foundation
import LLMRank

/// The keys clients present as `Authorization: Bearer KEY`, read from a file (one a line; blank
/// lines and `#` comments skipped) or from `LLMRANK_SERVER_KEYS` (separated by commas or
/// whitespace). A key is compared in constant time, and never logged or echoed.
public enum ServerKeys {
    /// The keys in a file; a missing or empty file is an error naming it.
    public static func load(path: String) throws -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LLMRankError(.invalidInput, "--server-keys \(path): cannot read the file")
        }
        let keys = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !keys.isEmpty else { throw LLMRankError(.invalidInput, "--server-keys \(path): no key in the file") }
        return keys
    }

    /// The keys in an environment variable's value.
    public static func parse(environmentValue: String) -> [String] {
        environmentValue.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }

    /// Whether an `Authorization` header carries one of `keys`. Every key is compared in full, so
    /// the time taken does not tell how much of a guess was right.
    static func authorizes(_ header: String?, keys: [String]) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        let presented = Array(header.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8)
        var matched = false
        for key in keys {
            matched = constantTimeEqual(presented, Array(key.utf8)) || matched
        }
        return matched
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}
