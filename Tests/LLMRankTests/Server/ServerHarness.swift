#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LLMRank
import LLMRankServer
import Logging
import Testing

/// A `RerankServer` on an ephemeral loopback port for one test, talked to over real HTTP.
struct ServerHarness: Sendable {
    let port: Int

    /// Runs `body` against a server for `settings` (port 0, no signal handlers), then stops it
    /// gracefully and waits for it to finish. Fails when the server is not up within 60 s.
    static func with<T: Sendable>(_ settings: ServerSettings, logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                                  _ body: @Sendable (ServerHarness) async throws -> T) async throws -> T
    {
        var settings = settings
        settings.port = 0
        let server = RerankServer(settings: settings, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let running = Task {
            defer { continuation.finish() }
            try await server.run(signals: []) { port in continuation.yield(port) }
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(60))
            continuation.finish()
        }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next()
        timeout.cancel()
        guard let port else {
            await server.stop()
            try await running.value            // the start-up error, if any
            throw ServerTestError("the server did not start within 60 s")
        }
        let result: Result<T, any Error>
        do { result = .success(try await body(ServerHarness(port: port))) } catch { result = .failure(error) }
        await server.stop()
        try await running.value
        return try result.get()
    }

    /// One request with a JSON body (or raw `body` bytes), on a thread of its own so the server's
    /// tasks never wait behind the test's blocking socket.
    func request(_ method: String = "POST", _ path: String, json: JSONValue? = nil, body: Data? = nil,
                 headers: [String: String] = [:], timeoutSeconds: Int = 60) async throws -> HTTPReply
    {
        let payload = body ?? json.map { try! JSONEncoder().encode($0) }
        let port = self.port
        return try await OnThread.run {
            guard let response = try LoopbackHTTP.request(port: port, method: method, path: path, body: payload,
                                                          headers: headers, timeoutSeconds: timeoutSeconds)
            else { throw ServerTestError("\(method) \(path): no reply within \(timeoutSeconds) s") }
            return HTTPReply(status: response.status, headers: response.headers, body: response.body)
        }
    }

    /// POSTs `json` and returns the reply's body as JSON.
    func post(_ path: String, _ json: JSONValue, headers: [String: String] = [:]) async throws -> (status: Int, body: JSONValue) {
        let reply = try await request("POST", path, json: json, headers: headers)
        return (reply.status, try reply.json())
    }
}

/// A reply as the test client saw it.
struct HTTPReply: Sendable {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> JSONValue {
        do { return try JSONDecoder().decode(JSONValue.self, from: body) } catch { throw ServerTestError("not JSON (\(status)): \(text.prefix(300))") }
    }
}

struct ServerTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Blocking work on a thread of its own.
enum OnThread {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

/// Waits until `condition` holds, checking every 20 ms, for at most `timeout`; false when it never did.
func eventually(within timeout: Duration = .seconds(30), _ condition: @Sendable () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// The encoder model that `scripts/fetch-models` installs. Tests that need it are skipped (with the
/// reason shown) where it is missing, and run (and fail) under CI.
enum EncoderModel {
    static var isInstalled: Bool {
        let folder = LLMRankPaths.models(environment: ProcessInfo.processInfo.environment)
            .appendingPathComponent(EncoderSettings.defaultModel)
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path)
    }

    static var testsRun: Bool { isInstalled || ProcessInfo.processInfo.environment["CI"] == "true" }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where the encoder model is installed, or under CI (where its absence fails).
    static var needsEncoderModel: Self {
        .enabled(if: EncoderModel.testsRun, "needs \(EncoderSettings.defaultModel) under $LLMRANK_HOME/models (scripts/fetch-models; under CI=true this test runs and fails)")
    }
}
