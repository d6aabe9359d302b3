/// The one bounded-concurrency loop: documents judged at once, queries reranked at once.
enum BoundedConcurrency {
    /// `body` for every index of `0..<count`, at most `limit` running at once (at least one),
    /// the results in index order. `progress` is called after each one with the number done. The
    /// first error cancels the rest and is thrown.
    static func map<T: Sendable>(count: Int, limit: Int, progress: (@Sendable (_ done: Int) -> Void)? = nil,
                                 _ body: @escaping @Sendable (Int) async throws -> T) async throws -> [T]
    {
        var results = [T?](repeating: nil, count: count)
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var next = 0
            func launch() {
                let i = next
                next += 1
                group.addTask { (i, try await body(i)) }
            }
            while next < min(max(1, limit), count) { launch() }
            var done = 0
            while let (i, result) = try await group.next() {
                results[i] = result
                done += 1
                progress?(done)
                if next < count { launch() }
            }
        }
        return results.map { $0! }
    }
}
