import CCurl
import CLLMRankShims
import Foundation
import Synchronization

/// One HTTP exchange as libcurl saw it.
struct HTTPReply: Sendable {
    var status: Int
    /// Header names lower-cased; the last value wins.
    var headers: [String: String]
    var body: Data
}

/// A failure below HTTP: the connection, DNS, TLS, a timeout, or a cancelled transfer.
struct TransportFailure: Error, Sendable {
    var code: Int32
    var message: String
    var timedOut: Bool { code == Int32(CURLE_OPERATION_TIMEDOUT.rawValue) }
    var aborted: Bool { code == Int32(CURLE_ABORTED_BY_CALLBACK.rawValue) }
}

/// A request handed to a worker thread, with the continuation that receives its outcome.
final class CurlJob: Sendable {
    let url: String
    let headers: [String]
    let body: Data?
    let timeoutMilliseconds: Int
    let connectTimeoutMilliseconds: Int
    /// Set from any thread to abort the transfer; libcurl's progress callback reads it.
    let cancelled = Atomic<Bool>(false)
    private let continuation: Mutex<CheckedContinuation<HTTPReply, any Error>?>

    init(url: String, headers: [String], body: Data?, timeoutMilliseconds: Int, connectTimeoutMilliseconds: Int,
         continuation: CheckedContinuation<HTTPReply, any Error>)
    {
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.continuation = Mutex(continuation)
    }

    /// Resumes the waiting task exactly once.
    func finish(_ result: Result<HTTPReply, any Error>) {
        let c = continuation.withLock { c -> CheckedContinuation<HTTPReply, any Error>? in
            defer { c = nil }
            return c
        }
        c?.resume(with: result)
    }
}

/// One libcurl transfer on a worker thread's easy handle: the options, the callbacks that collect
/// the reply and abort a cancelled transfer, and the outcome.
enum CurlTransfer {
    /// Makes sure `curl_global_init` ran once in this process, before the first handle.
    static let globalInit: Void = {
        _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    /// Accumulates what libcurl hands the callbacks.
    private final class TransferBox {
        var body = Data()
        var headers: [String: String] = [:]
        let job: CurlJob
        init(job: CurlJob) { self.job = job }
    }

    /// Runs `job` on `handle` (reset first, so live connections are kept) and returns its outcome.
    static func perform(_ job: CurlJob, on handle: UnsafeMutableRawPointer) -> Result<HTTPReply, any Error> {
        curl_easy_reset(handle)
        let box = TransferBox(job: job)
        let boxPointer = Unmanaged.passUnretained(box).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        for h in job.headers + ["Expect:"] { headerList = curl_slist_append(headerList, h) }
        defer { curl_slist_free_all(headerList) }

        var rc = job.url.withCString { llmrank_curl_setopt_ptr(handle, CURLOPT_URL, $0) }
        func set(_ o: CURLoption, _ v: Int) { if rc == CURLE_OK { rc = llmrank_curl_setopt_long(handle, o, v) } }
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_TCP_KEEPALIVE, 1)
        set(CURLOPT_TIMEOUT_MS, job.timeoutMilliseconds)
        set(CURLOPT_CONNECTTIMEOUT_MS, job.connectTimeoutMilliseconds)
        if rc == CURLE_OK { rc = llmrank_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headerList) }
        if rc == CURLE_OK { rc = "".withCString { llmrank_curl_setopt_ptr(handle, CURLOPT_ACCEPT_ENCODING, $0) } }
        if let body = job.body {
            set(CURLOPT_POST, 1)
            if rc == CURLE_OK { rc = llmrank_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) }
            if rc == CURLE_OK {
                // COPYPOSTFIELDS copies the bytes, so the Data need not outlive this call.
                rc = body.withUnsafeBytes { llmrank_curl_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
            }
        } else {
            set(CURLOPT_HTTPGET, 1)
        }
        if rc == CURLE_OK { rc = llmrank_curl_setopt_write(handle, writeCallback, boxPointer) }
        if rc == CURLE_OK { rc = llmrank_curl_setopt_header(handle, headerCallback, boxPointer) }
        if rc == CURLE_OK { rc = llmrank_curl_setopt_xferinfo(handle, progressCallback, boxPointer) }
        if rc == CURLE_OK { rc = curl_easy_perform(handle) }
        withExtendedLifetime(box) {}

        if rc != CURLE_OK {
            if rc == CURLE_ABORTED_BY_CALLBACK, job.cancelled.load(ordering: .relaxed) {
                return .failure(CancellationError())
            }
            let message = String(cString: curl_easy_strerror(rc))
            return .failure(TransportFailure(code: Int32(rc.rawValue), message: message))
        }
        var status = 0
        _ = llmrank_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPReply(status: status, headers: box.headers, body: box.body))
    }

    private static let writeCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, user in
        guard let data, let user else { return 0 }
        let box = Unmanaged<TransferBox>.fromOpaque(user).takeUnretainedValue()
        box.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
        return size * count
    }

    private static let headerCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, user in
        guard let data, let user else { return 0 }
        let box = Unmanaged<TransferBox>.fromOpaque(user).takeUnretainedValue()
        let n = size * count
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            box.headers = [:]  // a new response (after 100-continue or a redirect) starts over
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            box.headers[name] = value
        }
        return n
    }

    private static let progressCallback: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = {
        user, _, _, _, _ in
        guard let user else { return 0 }
        let box = Unmanaged<TransferBox>.fromOpaque(user).takeUnretainedValue()
        return box.job.cancelled.load(ordering: .relaxed) ? 1 : 0
    }
}

extension Duration {
    /// The duration in whole milliseconds (rounded down).
    package var milliseconds: Int {
        let (s, atto) = components
        return Int(s) * 1000 + Int(atto / 1_000_000_000_000_000)
    }

    /// The duration in seconds.
    package var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
