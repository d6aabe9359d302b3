import Foundation

/// A condition a test waited for that did not come in time.
struct WaitTimedOut: Error, CustomStringConvertible {
    let what: String
    let timeout: Duration
    var description: String { "gave up after \(timeout) waiting for \(what)" }
}

/// Waits until `condition` holds, looking every few milliseconds, and throws `WaitTimedOut` (which
/// fails the test) when `timeout` passes first. For conditions only observable from outside (a
/// server's request count); what a test controls itself uses a `Gate`.
func waitUntil(_ what: String, timeout: Duration = .seconds(20),
               _ condition: () async throws -> Bool) async throws
{
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(what: what, timeout: timeout) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// A gate that callers wait at until it opens: a hold without polling. Open by default. A waiting
/// caller that is cancelled leaves with `CancellationError`.
actor Gate {
    private var isOpen = true
    private var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    private var nextID: UInt64 = 0

    /// Callers waiting now.
    var waiting: Int { waiters.count }

    /// Makes later callers wait.
    func close() { isOpen = false }

    /// Lets every waiting and later caller through.
    func open() {
        isOpen = true
        let all = waiters.values
        waiters = [:]
        for waiter in all { waiter.resume() }
    }

    /// Returns when the gate is open; throws `CancellationError` if the task is cancelled first.
    func pass() async throws {
        guard !isOpen else { return }
        nextID += 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    private func cancel(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume(throwing: CancellationError())
    }
}
