import Foundation

/// Moving judgments between stores as JSON Lines (`llmrank cache export | import`): a laptop's
/// SQLite cache into a team's PostgreSQL store, or a backup.
///
/// One entry a line, with the columns every store keeps and the reply as a JSON object:
/// `{"v": 1, "key": "<64 hex>", "endpoint", "model", "method_version", "response": {...},
/// "request": "<sorted-key JSON>" or null, "prompt_tokens", "completion_tokens", "latency_ms",
/// "created_at" (seconds since 1970), "hits"}`. Keys are hashes of the requests, so an entry
/// imported anywhere answers the same request there; no API key is in any line.
public enum JudgmentTransfer {
    /// The version written in each line's `v`.
    public static let version = 1

    /// What an export or import did.
    public struct Counts: Sendable, Hashable {
        /// Entries written to the file (export) or stored (import).
        public var transferred = 0
        /// Entries the store already held (import: kept as they were).
        public var alreadyPresent = 0
        /// Entries that could not be used and were left out (export).
        public var unreadable = 0
    }

    /// Writes every usable entry of `store` to `handle`, in key order, `pageSize` entries a read.
    public static func export(from store: any JudgmentStore, to handle: FileHandle, pageSize: Int = 500) async throws -> Counts {
        var counts = Counts()
        var after: String?
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        while true {
            let page = try await store.entries(after: after, limit: pageSize)
            guard let last = page.last else { break }
            after = last.key
            var chunk = Data()
            for entry in page {
                guard let reply = entry.reply else {
                    counts.unreadable += 1
                    continue
                }
                chunk.append(try encoder.encode(try Line(key: entry.key, reply: reply, location: store.location)))
                chunk.append(0x0A)
                counts.transferred += 1
            }
            try handle.write(contentsOf: chunk)
        }
        return counts
    }

    /// The entries of the export at `path`; a malformed line is an error naming the file, the line
    /// and what is wrong.
    public static func read(path: String) throws -> [(key: String, reply: CachedReply)] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LLMRankError(.invalidInput, "\(path): cannot read: \(error.localizedDescription)")
        }
        var entries: [(key: String, reply: CachedReply)] = []
        for (index, text) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let lineText = text.last == 0x0D ? text.dropLast() : text
            if lineText.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            entries.append(try parse(Data(lineText), at: "\(path):\(index + 1)"))
        }
        return entries
    }

    /// Stores each of `entries` that `store` does not hold yet; the entries it holds are kept.
    public static func importEntries(_ entries: [(key: String, reply: CachedReply)], into store: any JudgmentStore) async throws
        -> Counts
    {
        var counts = Counts()
        for entry in entries {
            if try await store.get(key: entry.key) != nil {
                counts.alreadyPresent += 1
            } else {
                try await store.put(key: entry.key, reply: entry.reply)
                counts.transferred += 1
            }
        }
        return counts
    }

    /// One line's entry, or an error at `place` (`file:line`).
    static func parse(_ data: Data, at place: String) throws -> (key: String, reply: CachedReply) {
        let line: Line
        do {
            line = try JSONDecoder().decode(Line.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw LLMRankError(.invalidInput, "\(place): no field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw LLMRankError(.invalidInput, "\(place): field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw LLMRankError(.invalidInput, "\(place): not a JSON object of an exported judgment")
        }
        guard line.v == version else {
            throw LLMRankError(.invalidInput, "\(place): version \(line.v); this llmrank reads \(version)")
        }
        guard line.key.utf8.count == 64, line.key.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw LLMRankError(.invalidInput, "\(place): field 'key' is not 64 lowercase hex digits")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let stored = StoredReply(
            response: String(decoding: try encoder.encode(line.response), as: UTF8.self), model: line.model,
            endpoint: line.endpoint, methodVersion: line.methodVersion, requestBody: line.request,
            promptTokens: line.promptTokens, completionTokens: line.completionTokens, latencyMilliseconds: line.latencyMilliseconds,
            createdAt: line.createdAt, hits: line.hits)
        switch stored.decoded() {
        case .success(let reply): return (line.key, reply)
        case .failure(let unreadable): throw LLMRankError(.invalidInput, "\(place): unusable judgment: \(unreadable.reason)")
        }
    }

    /// A line of the file.
    struct Line: Codable {
        var v: Int
        var key: String
        var endpoint: String
        var model: String
        var methodVersion: String
        var response: JSONValue
        var request: String?
        var promptTokens: Int
        var completionTokens: Int
        var latencyMilliseconds: Double
        var createdAt: Double
        var hits: Int

        enum CodingKeys: String, CodingKey {
            case v, key, endpoint, model, methodVersion = "method_version", response, request, promptTokens = "prompt_tokens",
                 completionTokens = "completion_tokens", latencyMilliseconds = "latency_ms", createdAt = "created_at", hits
        }

        init(key: String, reply: CachedReply, location: String) throws {
            let stored = try StoredReply(reply, key: key, location: location)
            v = JudgmentTransfer.version
            self.key = key
            endpoint = stored.endpoint
            model = stored.model
            methodVersion = stored.methodVersion
            response = try JSONDecoder().decode(JSONValue.self, from: Data(stored.response.utf8))
            request = stored.requestBody
            promptTokens = stored.promptTokens
            completionTokens = stored.completionTokens
            latencyMilliseconds = stored.latencyMilliseconds
            createdAt = stored.createdAt
            hits = stored.hits
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(v, forKey: .v)
            try c.encode(key, forKey: .key)
            try c.encode(endpoint, forKey: .endpoint)
            try c.encode(model, forKey: .model)
            try c.encode(methodVersion, forKey: .methodVersion)
            try c.encode(response, forKey: .response)
            try c.encode(request, forKey: .request)
            try c.encode(promptTokens, forKey: .promptTokens)
            try c.encode(completionTokens, forKey: .completionTokens)
            try c.encode(latencyMilliseconds, forKey: .latencyMilliseconds)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(hits, forKey: .hits)
        }
    }
}
