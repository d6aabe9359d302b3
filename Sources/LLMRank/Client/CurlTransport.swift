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

/// A fixed set of threads, each owning one libcurl easy handle that it reuses, so connections stay
/// open between requests (curl_easy_reset keeps live connections). Blocking curl work runs only on
/// these threads, never on Swift's cooperative pool. The number of threads bounds the requests in
/// flight.
final class CurlWorkerPool: Sendable {
    private struct State {
        var queue: [CurlJob] = []
        var head = 0
        var shuttingDown = false
        mutating func pop() -> CurlJob? {
            guard head < queue.count else { return nil }
            let job = queue[head]
            head += 1
            if head > 64, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)
    let size: Int

    private static let globalInit: Void = {
        _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    init(size: Int) {
        _ = Self.globalInit
        self.size = max(1, size)
        for i in 0..<self.size {
            let thread = Thread { [self] in self.workerLoop() }
            thread.name = "llmrank-curl-\(i)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    func submit(_ job: CurlJob) {
        let accepted = state.withLock { s -> Bool in
            guard !s.shuttingDown else { return false }
            s.queue.append(job)
            return true
        }
        if accepted {
            wakeup.signal()
        } else {
            job.finish(.failure(CancellationError()))
        }
    }

    /// Lets the threads finish the job they hold and exit; queued jobs fail with cancellation.
    func shutdown() {
        let pending = state.withLock { s -> [CurlJob] in
            s.shuttingDown = true
            let rest = Array(s.queue[s.head...])
            s.queue = []
            s.head = 0
            return rest
        }
        for job in pending { job.finish(.failure(CancellationError())) }
        for _ in 0..<size { wakeup.signal() }
    }

    private func workerLoop() {
        guard let handle = curl_easy_init() else { return }
        defer { curl_easy_cleanup(handle) }
        while true {
            wakeup.wait()
            let next = state.withLock { s -> (CurlJob?, Bool) in (s.pop(), s.shuttingDown) }
            if let job = next.0 {
                if job.cancelled.load(ordering: .relaxed) {
                    job.finish(.failure(CancellationError()))
                } else {
                    job.finish(Self.perform(job, on: handle))
                }
            } else if next.1 {
                return
            }
        }
    }

    /// Accumulates what libcurl hands the callbacks.
    private final class TransferBox {
        var body = Data()
        var headers: [String: String] = [:]
        let job: CurlJob
        init(job: CurlJob) { self.job = job }
    }

    private static func perform(_ job: CurlJob, on handle: UnsafeMutableRawPointer) -> Result<HTTPReply, any Error> {
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

extension CurlWorkerPool {
    /// Runs one HTTP request on a worker thread. Cancelling the calling task aborts the transfer.
    func perform(url: String, headers: [String], body: Data?, timeout: Duration, connectTimeout: Duration) async throws -> HTTPReply {
        let box = Mutex<CurlJob?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let job = CurlJob(url: url, headers: headers, body: body,
                                  timeoutMilliseconds: timeout.milliseconds,
                                  connectTimeoutMilliseconds: connectTimeout.milliseconds,
                                  continuation: continuation)
                box.withLock { $0 = job }
                if Task.isCancelled { job.cancelled.store(true, ordering: .relaxed) }
                submit(job)
            }
        } onCancel: {
            // Flag the transfer (the progress callback aborts it, a queued job is skipped) and
            // resume the caller now rather than when a worker gets to it.
            if let job = box.withLock({ $0 }) {
                job.cancelled.store(true, ordering: .relaxed)
                job.finish(.failure(CancellationError()))
            }
        }
    }
}

extension Duration {
    package var milliseconds: Int {
        let (s, atto) = components
        return Int(s) * 1000 + Int(atto / 1_000_000_000_000_000)
    }

    package var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
