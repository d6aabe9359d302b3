import Foundation

/// One of `count` deterministic parts of a query set, for evaluations split across processes or
/// machines (`llmrank eval --shard 2/3`).
///
/// A query belongs to shard `1 + h mod count`, where `h` is the first 64 bits (big-endian) of the
/// SHA-256 of its id's UTF-8 bytes. So the split depends only on the query id: the same on every
/// machine, whatever the order of the run file or the other queries in it, and every query is in
/// exactly one shard. Shards are near equal for many queries; for a few dozen they may differ by
/// several queries (DL19's 43 queries over 3 shards: 16, 12 and 15).
public struct QueryShard: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The shard, from 1 to `count`.
    public let index: Int
    /// How many shards the queries are split into.
    public let count: Int

    /// Shard `index` of `count`; `1 <= index <= count`.
    public init(index: Int, count: Int) throws {
        guard count >= 1, (1...count).contains(index) else {
            throw LLMRankError(.invalidInput, "shard \(index)/\(count): want I/N with 1 <= I <= N")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`, e.g. `2/3`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let n = Int(parts[1].trimmingCharacters(in: .whitespaces))
        else {
            throw LLMRankError(.invalidInput, "shard '\(text)': want I/N, e.g. 2/3")
        }
        try self.init(index: i, count: n)
    }

    /// Whether the query with this id belongs to the shard.
    public func contains(_ queryID: String) -> Bool {
        Self.index(of: queryID, count: count) == index
    }

    /// The shard (1 to `count`) that holds the query with this id.
    public static func index(of queryID: String, count: Int) -> Int {
        let hex = CacheKey.sha256Hex(Data(queryID.utf8)).prefix(16)
        let h = UInt64(hex, radix: 16) ?? 0
        return Int(h % UInt64(max(1, count))) + 1
    }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }
}
