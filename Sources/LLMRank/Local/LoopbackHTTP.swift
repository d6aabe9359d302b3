#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A minimal blocking HTTP/1.1 client for 127.0.0.1 only, and a free-port finder. It exists so the
/// local server's lifecycle (health polls, tests) does not depend on the full chat client: one
/// request per connection, `Connection: close`, the reply read to EOF. Not for general use.
package enum LoopbackHTTP {
    package struct Response: Sendable {
        package var status: Int
        package var headers: [String: String]
        package var body: Data

        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// A port that was free on 127.0.0.1 a moment ago: binds port 0, reads the port back, closes.
    /// Another process may take it before our child binds it; the caller retries on a bind failure.
    package static func freePort() throws -> Int {
        let fd = socket(AF_INET, socketStreamType, 0)
        guard fd >= 0 else { throw LLMRankError(.setup, "socket() failed: \(errnoText())") }
        defer { close(fd) }
        var addr = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw LLMRankError(.setup, "bind(127.0.0.1:0) failed: \(errnoText())") }
        var out = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &out) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { throw LLMRankError(.setup, "getsockname failed: \(errnoText())") }
        return Int(UInt16(bigEndian: out.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    package static func isListening(port: Int) -> Bool {
        guard let fd = try? connect(port: port, timeoutSeconds: 1) else { return false }
        close(fd)
        return true
    }

    /// One blocking request. Returns nil when the connection is refused or times out (the server is
    /// not up yet); a malformed reply throws `.badReply`.
    package static func request(port: Int, method: String = "GET", path: String, body: Data? = nil,
                                contentType: String = "application/json", headers: [String: String] = [:],
                                timeoutSeconds: Int = 2) throws -> Response?
    {
        guard let fd = try connect(port: port, timeoutSeconds: timeoutSeconds) else { return nil }
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            head += "\(name): \(value)\r\n"
        }
        if let body {
            head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        var bytes = Data(head.utf8)
        if let body { bytes.append(body) }
        guard sendAll(fd, bytes) else { return nil }
        var reply = Data()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                reply.append(contentsOf: buffer[0..<n])
            } else if n == 0 {
                break
            } else if errno == EINTR {
                continue
            } else {
                return nil // timeout or reset: treat as "not up yet"
            }
        }
        return try parse(reply, path: path)
    }

    /// Parses a full HTTP/1.1 reply; handles Content-Length and chunked bodies.
    static func parse(_ reply: Data, path: String) throws -> Response {
        let separator = Data("\r\n\r\n".utf8)
        guard let split = reply.range(of: separator) else {
            throw LLMRankError(.badReply, "127.0.0.1 \(path): reply has no header end (\(reply.count) bytes)")
        }
        let headText = String(decoding: reply[reply.startIndex..<split.lowerBound], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw LLMRankError(.badReply, "127.0.0.1 \(path): bad status line '\(statusLine.prefix(80))'")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(reply[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            body = try dechunk(body, path: path)
        } else if let length = headers["content-length"].flatMap(Int.init), length < body.count {
            body = body.prefix(length)
        }
        return Response(status: status, headers: headers, body: body)
    }

    static func dechunk(_ data: Data, path: String) throws -> Data {
        var out = Data()
        var index = data.startIndex
        let crlf = Data("\r\n".utf8)
        while index < data.endIndex {
            guard let lineEnd = data.range(of: crlf, in: index..<data.endIndex) else { break }
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                throw LLMRankError(.badReply, "127.0.0.1 \(path): bad chunk size '\(sizeText.prefix(20))'")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard start + size <= data.endIndex else {
                throw LLMRankError(.badReply, "127.0.0.1 \(path): truncated chunk")
            }
            out.append(data[start..<(start + size)])
            index = start + size + crlf.count
        }
        return out
    }

    // MARK: sockets

    #if canImport(Glibc) || canImport(Musl)
    private static let socketStreamType = Int32(SOCK_STREAM.rawValue)
    #else
    private static let socketStreamType = SOCK_STREAM
    #endif

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return addr
    }

    /// A connected socket, or nil when nothing listens (refused) or the connect timed out.
    private static func connect(port: Int, timeoutSeconds: Int) throws -> Int32? {
        let fd = socket(AF_INET, socketStreamType, 0)
        guard fd >= 0 else { throw LLMRankError(.transport, "socket() failed: \(errnoText())") }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = loopbackAddress(port: port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Darwin)
                Darwin.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #elseif canImport(Musl)
                Musl.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #else
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #endif
            }
        }
        guard rc == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    private static func sendAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(noSignalFlag))
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }

    #if canImport(Darwin)
    private static let noSignalFlag = 0 // Darwin: SO_NOSIGPIPE would be the per-socket form.
    #else
    private static let noSignalFlag = Int(MSG_NOSIGNAL)
    #endif

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
