import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// One connection to the judgment store's PostgreSQL server, opened on first use and opened again
/// after it drops: a query that fails because the connection is gone waits (backoff from 50 ms,
/// doubling to 2 s) and runs again on a new one, until `reconnectDeadline` has passed since the
/// first failure; then it fails with `.storeUnavailable`. Every statement the store sends is
/// idempotent (an upsert, a conditional update, a read), so running one twice is harmless.
///
/// Queries from many tasks share the connection: postgres-nio queues them on it, so a caller only
/// suspends, never blocks a thread. Errors name the address without its password.
actor PostgresLink {
    let url: PostgresURL
    let reconnectDeadline: Duration
    private let logger: Logger
    private var connection: PostgresConnection?
    private var connecting: Task<PostgresConnection, any Error>?
    private var nextID = 0
    private var closed = false

    init(url: PostgresURL, reconnectDeadline: Duration, logger: Logger?) {
        self.url = url
        self.reconnectDeadline = reconnectDeadline
        self.logger = logger ?? Logger(label: "llmrank.cache.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Runs `body` on the connection, reconnecting as described above. `what` names the action
    /// in errors ("store a reply").
    @discardableResult
    func run<T: Sendable>(_ what: String, _ body: @Sendable (PostgresConnection, Logger) async throws -> T)
        async throws -> T
    {
        let clock = ContinuousClock()
        var firstFailure: ContinuousClock.Instant?
        var pause = Duration.milliseconds(50)
        while true {
            let attempt: PostgresConnection
            do {
                attempt = try await current()
                return try await body(attempt, logger)
            } catch {
                let failure = translate(error, what: what)
                guard isConnectionLoss(error), !closed else { throw failure }
                let started = firstFailure ?? clock.now
                firstFailure = started
                if clock.now - started >= reconnectDeadline {
                    throw LLMRankError(.storeUnavailable, "\(url): cannot \(what): no connection for \(reconnectDeadline) (\(failure.reason ?? failure.message))")
                }
                logger.warning("judgment cache: connection lost, reconnecting",
                               metadata: ["store": "\(url)", "pause": "\(pause)", "reason": "\(failure.reason ?? "")"])
                forget()
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(2))
            }
        }
    }

    /// Opens the connection now (so a wrong address, login or database fails at once), without
    /// retrying: `.storeUnavailable` when the server cannot be reached or refuses.
    func connect() async throws {
        do {
            _ = try await current()
        } catch {
            throw translate(error, what: "connect")
        }
    }

    /// Closes the connection; later calls fail.
    func close() async {
        closed = true
        connecting?.cancel()
        if let connection { try? await connection.close() }
        connection = nil
    }

    private func forget() {
        if let connection, !connection.isClosed { connection.close().whenComplete { _ in } }
        connection = nil
        connecting = nil
    }

    private func current() async throws -> PostgresConnection {
        if closed { throw LLMRankError(.cache, "\(url): the judgment store is closed") }
        if let connection, !connection.isClosed { return connection }
        if let connecting { return try await connecting.value }
        nextID += 1
        let configuration = try makeConfiguration()
        let id = nextID
        let logger = logger
        let task = Task { try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger) }
        connecting = task
        do {
            let made = try await task.value
            connection = made
            connecting = nil
            return made
        } catch {
            connecting = nil
            throw error
        }
    }

    private func makeConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch url.sslMode {
        case .disable:
            tls = .disable
        case .prefer, .require:
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = .none
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: settings)
            } catch {
                throw LLMRankError(.storeUnavailable, "\(url): cannot set up TLS: \(error)")
            }
            tls = url.sslMode == .require ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password,
            database: url.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// Whether `error` means the connection is gone (worth reconnecting), not that the server
    /// refused a statement.
    private func isConnectionLoss(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return error is ChannelError || error is IOError }
        switch error.code {
        case .serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection:
            return true
        case .server:
            // 57P01..57P03: the server is shutting down or starting; 08xxx: connection exceptions.
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("57P") || state.hasPrefix("08")
        default:
            return false
        }
    }

    /// An `LLMRankError` naming the address without its password. postgres-nio's own description
    /// hides everything; the server's message and SQL state are facts worth showing.
    func translate(_ error: any Error, what: String) -> LLMRankError {
        if let error = error as? LLMRankError { return error }
        if error is CancellationError { return LLMRankError(.cancelled, "\(url): cancelled while trying to \(what)") }
        guard let psql = error as? PSQLError else {
            let reason = PostgresURL.redact("\(error)")
            return LLMRankError(.storeUnavailable, "\(url): cannot \(what): \(reason)", reason: reason)
        }
        let state = psql.serverInfo?[.sqlState]
        let serverMessage = psql.serverInfo?[.message].map { PostgresURL.redact($0) }
        switch (psql.code, state) {
        case (.server, "28P01"?), (.server, "28000"?):
            return LLMRankError(.storeUnavailable, "\(url): login refused for role \(url.user)", reason: serverMessage)
        case (.server, "3D000"?):
            return LLMRankError(.storeUnavailable, "\(url): no database \(url.database) on the server", reason: serverMessage)
        case (.server, let state?) where state.hasPrefix("57P") || state.hasPrefix("08") || state.hasPrefix("53"):
            return LLMRankError(.storeUnavailable, "\(url): cannot \(what): \(serverMessage ?? state)", reason: serverMessage)
        case (.server, let state):
            return LLMRankError(.cache, "\(url): cannot \(what): \(serverMessage ?? "error") (SQLSTATE \(state ?? "?"))",
                                reason: serverMessage)
        case (.sslUnsupported, _):
            return LLMRankError(.storeUnavailable, "\(url): the server does not offer TLS, and sslmode is require")
        case (.authMechanismRequiresPassword, _):
            return LLMRankError(.storeUnavailable, "\(url): the server asks for a password and the URL gives none")
        default:
            let underlying = psql.underlying.map { PostgresURL.redact("\($0)") }
            let reason = underlying ?? psql.code.description
            return LLMRankError(.storeUnavailable, "\(url): cannot \(what): \(reason)", reason: reason)
        }
    }
}
