import Foundation

extension LLMRankError.Kind {
    /// The judgment store's server cannot be used: unreachable, a refused login, a missing
    /// database, or down for longer than the reconnection deadline.
    public static let storeUnavailable = LLMRankError.Kind(rawValue: "store-unavailable")
}

/// A PostgreSQL judgment store's address: `postgres://user:password@host:port/database` (or
/// `postgresql://`), with optional query parameters `sslmode` (`disable`, `prefer`, the default,
/// or `require`), `schema` (the PostgreSQL schema holding the tables, default `public`) and
/// `lease` (seconds a claim on a request lasts without renewal, default 30) and `reconnect`
/// (seconds the server may stay unreachable before a call fails, default 60).
///
/// `description` is the address without its password: the only form used in messages and logs.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    /// How the connection uses TLS, as libpq's `sslmode` names it.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// Never TLS.
        case disable
        /// TLS when the server offers it, else plain.
        case prefer
        /// TLS or no connection (the certificate is not verified, as in libpq's `require`).
        case require
    }

    /// The login role.
    public var user: String
    /// The role's password; never printed.
    public var password: String?
    /// Host name or address.
    public var host: String
    /// TCP port (5432 when the URL gives none).
    public var port: Int
    /// The database.
    public var database: String
    /// TLS use.
    public var sslMode: SSLMode
    /// The PostgreSQL schema holding the store's tables.
    public var schema: String
    /// How long the connection may stay down before a call fails with `.storeUnavailable`.
    public var reconnectDeadline: Duration = .seconds(60)
    /// How long a claim lasts without renewal.
    public var lease: Duration

    /// Whether `text` looks like a PostgreSQL address (and so is not a file path).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads an address; a malformed one is `.invalidInput`, whose message repeats the address
    /// without its password.
    public init(_ text: String) throws {
        let shown = Self.redact(text)
        func bad(_ why: String) -> LLMRankError {
            LLMRankError(.invalidInput, "judgment cache URL \(shown): \(why)")
        }
        guard Self.isPostgres(text), let parts = URLComponents(string: text) else {
            throw bad("not a postgres://user:password@host:port/database address")
        }
        guard let host = parts.host, !host.isEmpty else { throw bad("no host") }
        guard let user = parts.user, !user.isEmpty else { throw bad("no user") }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw bad("no database (the path after the port)") }
        if parts.port == nil, text.range(of: #"@[^/]*:[^/]*/"#, options: .regularExpression) != nil {
            throw bad("the port is not a number")
        }
        var sslMode = SSLMode.prefer, schema = "public", lease = Duration.seconds(30), reconnect = Duration.seconds(60)
        for item in parts.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw bad("sslmode \(value) is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "schema":
                guard value.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                    throw bad("schema \(value) is not a lower-case identifier")
                }
                schema = value
            case "lease":
                guard let seconds = Double(value), seconds >= 0.2, seconds <= 86_400 else {
                    throw bad("lease \(value) is not a number of seconds from 0.2 to 86400")
                }
                lease = .milliseconds(Int64(seconds * 1000))
            case "reconnect":
                guard let seconds = Double(value), seconds >= 0, seconds <= 86_400 else {
                    throw bad("reconnect \(value) is not a number of seconds from 0 to 86400")
                }
                reconnect = .milliseconds(Int64(seconds * 1000))
            default:
                throw bad("unknown parameter \(item.name) (known: sslmode, schema, lease, reconnect)")
            }
        }
        self.user = parts.user?.removingPercentEncoding ?? user
        password = parts.password?.removingPercentEncoding
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = parts.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
        self.sslMode = sslMode
        self.schema = schema
        self.lease = lease
        reconnectDeadline = reconnect
    }

    /// `postgres://user@host:port/database?sslmode=…&schema=…`: no password.
    public var description: String {
        var text = "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
        if schema != "public" { text += "&schema=\(schema)" }
        return text
    }

    /// `text` with any password between `://user:` and `@` replaced by `***`.
    public static func redact(_ text: String) -> String {
        text.replacingOccurrences(of: #"(://[^:/@]*):[^@/]*@"#, with: "$1:***@", options: .regularExpression)
    }
}
