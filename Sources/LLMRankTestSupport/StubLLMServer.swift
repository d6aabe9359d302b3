#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LLMRank
import Synchronization

/// A real HTTP/1.1 server on loopback that plays an OpenAI-compatible endpoint, scripted per test:
/// it answers each request with whatever the handler returns, including faults (slow replies,
/// connection resets, closes without a reply). It records every request and the most requests it
/// ever held at once, so tests can check what the client really sent.
///
/// This is a test double at the network boundary; the client under test talks to it over TCP
/// exactly as it would to a remote server.
public final class StubLLMServer: Sendable {
    /// One HTTP request as the stub received it.
    public struct Request: Sendable {
        /// 0-based arrival order.
        public var index: Int
        /// The HTTP method (`POST`, `GET`).
        public var method: String
        /// The request path (`/v1/chat/completions`).
        public var path: String
        /// Header names lower-cased.
        public var headers: [String: String]
        /// The raw body.
        public var body: Data

        /// The body decoded as JSON, if it is JSON.
        public var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: body) }
        /// The text of the last user message of a chat request.
        public var lastUserMessage: String? {
            json?["messages"]?.arrayValue?.last(where: { $0["role"]?.stringValue == "user" })?["content"]?.stringValue
        }
        /// The body as UTF-8 text.
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    /// What the stub does with a request.
    public enum Action: Sendable {
        /// Reply after `delay`; if the client hangs up during the delay, the request counts as abandoned.
        case respond(status: Int, headers: [String: String] = [:], body: Data, delay: Duration = .zero)
        /// Reset the connection (RST) without replying.
        case reset
        /// Close the connection without replying.
        case close
    }

    /// Decides the action for each request; called on the stub's connection threads.
    public typealias Handler = @Sendable (Request) -> Action

    private struct State {
        var requests: [Request] = []
        var inFlight = 0
        var maxInFlight = 0
        var abandoned = 0
        var connections = 0
        var stopped = false
    }

    private let state = Mutex(State())
    private let listenFD: Int32
    /// The loopback port it listens on.
    public let port: Int
    private let handler: Handler

    /// Listens on loopback `port` (0, the default: an ephemeral port) and answers each request as
    /// `handler` says.
    public init(port requestedPort: Int = 0, handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LLMRankError(.transport, "stub server: socket() failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(clamping: requestedPort).bigEndian
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw LLMRankError(.transport, "stub server: bind/listen on 127.0.0.1 failed")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listenFD = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "stub-accept"
        thread.start()
    }

    deinit { stop() }

    /// `http://127.0.0.1:PORT/v1`
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Every request received so far, in arrival order.
    public var requests: [Request] { state.withLock { $0.requests } }
    /// How many requests arrived so far.
    public var requestCount: Int { state.withLock { $0.requests.count } }
    /// The most requests held at once (received, reply not yet written).
    public var maxInFlight: Int { state.withLock { $0.maxInFlight } }
    /// Requests whose client hung up before the reply was due.
    public var abandoned: Int { state.withLock { $0.abandoned } }
    /// TCP connections accepted (fewer than requests when the client reuses connections).
    public var connections: Int { state.withLock { $0.connections } }

    /// Stops listening; safe to call more than once.
    public func stop() {
        let first = state.withLock { s -> Bool in
            defer { s.stopped = true }
            return !s.stopped
        }
        // Only shut the socket down: that wakes the accept loop, which closes the descriptor when it
        // has left `accept`. Closing it here could let a new socket (another stub's) take the same
        // descriptor number while the loop is about to call `accept` on it again.
        if first { shutdown(listenFD, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        defer { close(listenFD) }
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if state.withLock({ $0.stopped }) { return }
                if errno == EINTR { continue }
                return
            }
            if state.withLock({ $0.stopped }) {
                close(client)
                return
            }
            state.withLock { $0.connections += 1 }
            let thread = Thread { [self] in serve(client) }
            thread.name = "stub-conn"
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var buffer = Data()
        defer { close(fd) }
        while true {
            guard let request = readRequest(fd, buffer: &buffer) else { return }
            let index = state.withLock { s -> Int in
                s.inFlight += 1
                s.maxInFlight = max(s.maxInFlight, s.inFlight)
                return s.requests.count
            }
            var req = request
            req.index = index
            state.withLock { $0.requests.append(req) }
            let action = handler(req)
            defer { state.withLock { $0.inFlight -= 1 } }
            switch action {
            case .close:
                return
            case .reset:
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                return
            case .respond(let status, let headers, let body, let delay):
                if delay > .zero, !waitWhileConnected(fd, for: delay) {
                    state.withLock { $0.abandoned += 1 }
                    return
                }
                var head = "HTTP/1.1 \(status) \(status < 400 ? "OK" : "Error")\r\n"
                head += "Content-Length: \(body.count)\r\n"
                if headers["Content-Type"] == nil { head += "Content-Type: application/json\r\n" }
                for (k, v) in headers { head += "\(k): \(v)\r\n" }
                head += "\r\n"
                guard writeAll(fd, Data(head.utf8) + body) else { return }
            }
        }
    }

    /// Sleeps for `duration` unless the peer closes first; returns whether it is still connected.
    private func waitWhileConnected(_ fd: Int32, for duration: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        while clock.now < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = max(1, min(50, (deadline - clock.now).milliseconds))
            if poll(&p, 1, Int32(left)) > 0 {
                var byte: UInt8 = 0
                let n = recv(fd, &byte, 1, Int32(MSG_PEEK))
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) { return false }
                if p.revents & Int16(POLLHUP | POLLERR) != 0 { return false }
            }
        }
        return true
    }

    private func readRequest(_ fd: Int32, buffer: inout Data) -> Request? {
        let separator = Data("\r\n\r\n".utf8)
        var headerEnd: Range<Data.Index>?
        while true {
            headerEnd = buffer.range(of: separator)
            if headerEnd != nil { break }
            guard readMore(fd, into: &buffer) else { return nil }
        }
        let head = String(decoding: buffer[..<headerEnd!.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headerEnd!.upperBound
        while buffer.count - (bodyStart - buffer.startIndex) < length {
            guard readMore(fd, into: &buffer) else { return nil }
        }
        let body = Data(buffer[bodyStart..<(bodyStart + length)])
        buffer = Data(buffer[(bodyStart + length)...])
        return Request(index: 0, method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func readMore(_ fd: Int32, into buffer: inout Data) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }
}

// MARK: - Replies in the OpenAI format

extension StubLLMServer {
    /// A token the stub reports with its log probability and alternatives.
    public struct StubToken: Sendable {
        /// The token text.
        public var token: String
        /// Its natural-log probability.
        public var logprob: Double
        /// The alternatives at this position, with their log probabilities.
        public var top: [(String, Double)]
        /// A token with its log probability and alternatives.
        public init(_ token: String, _ logprob: Double, top: [(String, Double)] = []) {
            self.token = token
            self.logprob = logprob
            self.top = top
        }
    }

    /// A `chat.completion` body with one choice.
    public static func completionBody(_ content: String, logprobs: [StubToken]? = nil,
                                      usage: (prompt: Int, completion: Int)? = (10, 5),
                                      finishReason: String = "stop", model: String = "stub-model") -> Data
    {
        var choice: [String: JSONValue] = [
            "index": 0,
            "message": ["role": "assistant", "content": .string(content)],
            "finish_reason": .string(finishReason),
        ]
        if let logprobs {
            choice["logprobs"] = ["content": .array(logprobs.map { t in
                ["token": .string(t.token), "logprob": .number(t.logprob),
                 "top_logprobs": .array(t.top.map { ["token": .string($0.0), "logprob": .number($0.1)] })]
            })]
        }
        var object: [String: JSONValue] = [
            "id": "chatcmpl-stub", "object": "chat.completion", "model": .string(model),
            "choices": [.object(choice)],
        ]
        if let usage {
            object["usage"] = ["prompt_tokens": .number(Double(usage.prompt)),
                               "completion_tokens": .number(Double(usage.completion)),
                               "total_tokens": .number(Double(usage.prompt + usage.completion))]
        }
        return (try? JSONEncoder().encode(JSONValue.object(object))) ?? Data()
    }

    /// A 200 reply carrying `content`.
    public static func reply(_ content: String, logprobs: [StubToken]? = nil, delay: Duration = .zero) -> Action {
        .respond(status: 200, body: completionBody(content, logprobs: logprobs), delay: delay)
    }

    /// An OpenAI-style error reply.
    public static func error(_ status: Int, _ message: String, headers: [String: String] = [:]) -> Action {
        let body: JSONValue = ["error": ["message": .string(message), "type": "invalid_request_error"]]
        return .respond(status: status, headers: headers, body: (try? JSONEncoder().encode(body)) ?? Data())
    }
}
