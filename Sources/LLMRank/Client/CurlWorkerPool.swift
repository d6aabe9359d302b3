import CCurl
import Foundation
import Synchronization

/// A fixed set of threads, each owning one libcurl easy handle that it reuses, so connections stay
/// open between requests (curl_easy_reset keeps live connections). Blocking curl work runs only on
/// these threads, never on Swift's cooperative pool. The number of threads bounds the requests in
/// flight.
///
/// Lifetime: nothing starts in `init`; the threads start with the first job. `shutdown()` fails
/// the queued jobs, aborts the transfers in progress and returns once every thread has exited.
final class CurlWorkerPool: Sendable {
    private struct State {
        var queue: [CurlJob] = []
        var head = 0
        var started = false
        var shuttingDown = false
        /// Threads alive.
        var running = 0
        /// The job each worker holds, by worker index.
        var active: [Int: CurlJob] = [:]
        /// Callers of `shutdown()` waiting for the last thread to exit.
        var exitWaiters: [CheckedContinuation<Void, Never>] = []

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
    /// Threads once started (at least 1).
    let size: Int

    /// A pool of `size` threads, none started yet.
    init(size: Int) {
        self.size = max(1, size)
    }

    /// Threads alive now: 0 before the first job and after shutdown.
    var runningThreads: Int { state.withLock { $0.running } }

    /// True once `shutdown()` (or `beginShutdown()`) was called.
    var isShutDown: Bool { state.withLock { $0.shuttingDown } }

    /// Queues `job`, starting the threads with the first one. After shutdown the job fails with
    /// cancellation at once.
    func submit(_ job: CurlJob) {
        let (accepted, startThreads) = state.withLock { s -> (Bool, Bool) in
            guard !s.shuttingDown else { return (false, false) }
            s.queue.append(job)
            guard !s.started else { return (true, false) }
            s.started = true
            s.running = size
            return (true, true)
        }
        guard accepted else {
            job.finish(.failure(CancellationError()))
            return
        }
        if startThreads { start() }
        wakeup.signal()
    }

    /// Stops the pool and returns once every thread has exited (at once when none started).
    /// Queued jobs fail with cancellation; transfers in progress are aborted. Safe to call more
    /// than once and from several tasks.
    func shutdown() async {
        beginShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                guard s.running > 0 else { return true }
                s.exitWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Stops the pool without waiting for the threads (they exit on their own).
    func beginShutdown() {
        let (queued, active, signals) = state.withLock { s -> ([CurlJob], [CurlJob], Int) in
            guard !s.shuttingDown else { return ([], [], 0) }
            s.shuttingDown = true
            let rest = Array(s.queue[s.head...])
            s.queue = []
            s.head = 0
            return (rest, Array(s.active.values), s.started ? size : 0)
        }
        for job in queued { job.finish(.failure(CancellationError())) }
        // The progress callback sees the flag and aborts the transfer.
        for job in active { job.cancelled.store(true, ordering: .relaxed) }
        for _ in 0..<signals { wakeup.signal() }
    }

    private func start() {
        _ = CurlTransfer.globalInit
        for i in 0..<size {
            let thread = Thread { [self] in self.workerLoop(index: i) }
            thread.name = "llmrank-curl-\(i)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func workerLoop(index: Int) {
        defer { exited() }
        guard let handle = curl_easy_init() else { return }
        defer { curl_easy_cleanup(handle) }
        while true {
            wakeup.wait()
            let (job, stopping) = state.withLock { s -> (CurlJob?, Bool) in
                let job = s.pop()
                s.active[index] = job
                return (job, s.shuttingDown)
            }
            if let job {
                if job.cancelled.load(ordering: .relaxed) {
                    job.finish(.failure(CancellationError()))
                } else {
                    job.finish(CurlTransfer.perform(job, on: handle))
                }
                state.withLock { $0.active[index] = nil }
            } else if stopping {
                return
            }
        }
    }

    private func exited() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.running -= 1
            guard s.running == 0 else { return [] }
            defer { s.exitWaiters = [] }
            return s.exitWaiters
        }
        for waiter in waiters { waiter.resume() }
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
