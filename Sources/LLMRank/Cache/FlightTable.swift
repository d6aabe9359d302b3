/// What a shared call produced: a reply the store held after all, or upstream's result.
public enum FlightOutcome: Sendable {
    /// The store held a reply for the key (stored since, or by another process).
    case stored(CachedReply)
    /// Upstream answered; the result is the call that was paid for.
    case fetched(ChatResult)
}

/// A caller's view of a shared call: its outcome, and whether this caller joined a call another
/// caller started (and so did not pay for it).
public struct SharedFlight: Sendable {
    /// What the call produced.
    public var outcome: FlightOutcome
    /// True when another caller started the call.
    public var joined: Bool

    /// A caller's view of `outcome`.
    public init(outcome: FlightOutcome, joined: Bool) {
        self.outcome = outcome
        self.joined = joined
    }
}

/// Calls in flight by key, so identical requests in one process are sent once: the in-process part
/// of every store's `singleFlight`. A store shared by several processes adds its own claim (a lease
/// row) inside the operation it runs here.
///
/// Each caller waits on its own continuation: a caller that is cancelled leaves at once with
/// `CancellationError`, and the call itself is cancelled only when no caller is left waiting.
public actor FlightTable {
    private struct Flight {
        let id: UInt64
        var task: Task<Void, Never>?
        var waiters: [UInt64: CheckedContinuation<FlightOutcome, any Error>] = [:]
    }

    private var flights: [String: Flight] = [:]
    private var nextID: UInt64 = 0

    /// An empty table.
    public init() {}

    /// Calls in flight now.
    public var count: Int { flights.count }

    /// Callers waiting on the call for `key`.
    public func waiters(for key: String) -> Int { flights[key]?.waiters.count ?? 0 }

    /// Runs `operation` as the call for `key`, or joins the call already in flight for it, and
    /// returns its outcome. Errors reach every caller of the call; nothing is kept after it ends.
    public func run(key: String, _ operation: @escaping @Sendable () async throws -> FlightOutcome) async throws
        -> SharedFlight
    {
        nextID += 1
        let waiter = nextID
        let joined = flights[key] != nil
        if !joined {
            nextID += 1
            let id = nextID
            flights[key] = Flight(id: id)
            flights[key]?.task = Task {
                let result = await Result { try await operation() }
                self.finish(key: key, id: id, result)
            }
        }
        guard let flightID = flights[key]?.id else { throw CancellationError() }
        let outcome = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<FlightOutcome, any Error>) in
                flights[key]?.waiters[waiter] = continuation
                if Task.isCancelled { leave(key: key, flightID: flightID, waiter: waiter) }
            }
        } onCancel: {
            Task { await self.leave(key: key, flightID: flightID, waiter: waiter) }
        }
        return SharedFlight(outcome: outcome, joined: joined)
    }

    /// A cancelled caller stops waiting; the call is cancelled when it was the last one waiting.
    private func leave(key: String, flightID: UInt64, waiter: UInt64) {
        guard var flight = flights[key], flight.id == flightID,
              let continuation = flight.waiters.removeValue(forKey: waiter) else { return }
        continuation.resume(throwing: CancellationError())
        if flight.waiters.isEmpty {
            flight.task?.cancel()
            flights[key] = nil
        } else {
            flights[key] = flight
        }
    }

    /// Hands the call's result to everyone still waiting and forgets the call.
    private func finish(key: String, id: UInt64, _ result: Result<FlightOutcome, any Error>) {
        guard let flight = flights[key], flight.id == id else { return }
        flights[key] = nil
        for continuation in flight.waiters.values { continuation.resume(with: result) }
    }
}

/// A store whose single flight is this process's `FlightTable`: conforming gives `singleFlight`
/// (SQLite and memory stores use it; a store shared by processes adds its own claim instead).
public protocol InProcessSingleFlight: JudgmentStore {
    /// The calls in flight through this store value.
    var flights: FlightTable { get }
}

extension InProcessSingleFlight {
    /// Shares the call for `key` among this process's callers (see `FlightTable`).
    public func singleFlight(key: String, _ operation: @escaping @Sendable () async throws -> FlightOutcome) async throws
        -> SharedFlight
    {
        try await flights.run(key: key, operation)
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing body.
    fileprivate init(_ body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
