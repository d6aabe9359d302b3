#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Raw bytes to the server and whatever comes back, for requests no HTTP client would send.
enum RawSocket {
    /// A connection that has sent its bytes and stays open until `close()`.
    final class Held: Sendable {
        let fd: Int32

        init(port: Int, _ bytes: Data) throws {
            fd = try RawSocket.connected(port: port)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        func close() { _ = Glibc.close(fd) }
    }

    static func connected(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerTestError("socket() failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw ServerTestError("connect to \(port) failed")
        }
        return fd
    }

    /// Sends `bytes`, then reads the reply until the server closes or 10 s pass. With `hangUp`,
    /// closes at once without reading.
    static func exchange(port: Int, _ bytes: Data, hangUp: Bool = false) async throws -> String {
        try await OnThread.run {
            let fd = try connected(port: port)
            defer { close(fd) }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if hangUp { return "" }
            var reply = Data()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { break }
                reply.append(contentsOf: buffer[0..<n])
                // One reply is enough: the server may keep the connection open.
                if let text = String(data: reply, encoding: .utf8), let end = text.range(of: "\r\n\r\n"),
                   let length = text[..<end.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") })
                       .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }),
                   reply.count >= text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound) + length
                {
                    break
                }
            }
            return String(decoding: reply, as: UTF8.self)
        }
    }
}
