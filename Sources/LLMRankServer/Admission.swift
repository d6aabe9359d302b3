import Synchronization

/// At most `limit` rerank requests run at once; the next ones are refused at once (429 with
/// `Retry-After`) rather than queued behind work that may take seconds.
final class Admission: Sendable {
    let limit: Int
    private let running = Mutex(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a slot, or returns false when all are taken.
    func enter() -> Bool {
        running.withLock { n in
            guard n < limit else { return false }
            n += 1
            return true
        }
    }

    /// Gives a slot back.
    func leave() {
        running.withLock { $0 = max(0, $0 - 1) }
    }

    /// Requests running now.
    var inFlight: Int { running.withLock { $0 } }
}
