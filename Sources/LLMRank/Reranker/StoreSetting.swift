import Foundation
import Logging

/// Where judgments are cached: the default SQLite file, another file, or nowhere. In a profile it is
/// one string: `default`, `none`, a path, or a `postgres://` address.
public enum StoreSetting: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `$LLMRANK_HOME/judgments.sqlite`.
    case `default`
    /// No cache: every request goes to the endpoint and nothing is stored.
    case none
    /// A SQLite file at this path.
    case sqlite(path: String)
    /// A PostgreSQL server (`postgres://user:password@host:port/database`), shared by processes.
    case postgres(url: String)

    /// Reads `default`, `none`, or a path.
    public init(_ text: String) {
        switch text {
        case "default": self = .default
        case "none": self = .none
        case _ where PostgresURL.isPostgres(text): self = .postgres(url: text)
        default: self = .sqlite(path: text)
        }
    }

    /// The profile's spelling: `default`, `none`, or the path.
    public var description: String {
        switch self {
        case .default: "default"
        case .none: "none"
        case .sqlite(let path): path
        case .postgres(let url): PostgresURL.redact(url)
        }
    }

    /// Whether the store is on a PostgreSQL server (shared by processes).
    public var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }

    /// The SQLite file this setting names, or nil for `none`.
    public func fileURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        switch self {
        case .default: LLMRankPaths.defaultCache(environment: environment)
        case .none, .postgres: nil
        case .sqlite(let path): URL(fileURLWithPath: path)
        }
    }

    /// Reads the one string.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard !text.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "give default, none, or a file path"))
        }
        self.init(text)
    }

    /// Writes the one string (a PostgreSQL address whole, password included: it is the setting).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if case .postgres(let url) = self { try c.encode(url) } else { try c.encode(description) }
    }
}

extension StoreSetting {
    /// Opens the judgment store this setting names (creating the SQLite file and its folders
    /// where needed, off Swift's cooperative threads), or nil for `none`.
    public func open(environment: [String: String] = ProcessInfo.processInfo.environment,
                     logger: Logger? = nil) async throws -> (any JudgmentStore)?
    {
        if case .postgres(let text) = self {
            return try await PostgresJudgmentStore.open(
                url: try PostgresURL(text), spillDirectory: LLMRankPaths.home(environment: environment).appendingPathComponent("pending"),
                logger: logger)
        }
        guard let url = fileURL(environment: environment) else { return nil }
        return try await SQLiteJudgmentStore.open(path: url, logger: logger)
    }
}
