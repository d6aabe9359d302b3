/// A small deterministic random number generator (SplitMix64, Steele et al. 2014), so the folds and
/// the significance test of `llmrank tune` give the same answer for the same `--seed`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that starts from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The paired randomization (sign-flip) test on per-query differences: under the null hypothesis
/// that two systems are exchangeable on every query, each difference is as likely negative as
/// positive. The p-value is the share of random sign assignments whose mean difference is at least
/// as far from 0 as the observed one (two-sided), counting the observed assignment (Smucker, Allan
/// and Carterette, CIKM 2007, compare it with the t-test and the bootstrap for IR).
public struct PairedRandomizationTest: Sendable, Hashable {
    /// The mean of the differences (a - b).
    public var meanDifference: Double
    /// The two-sided p-value: (1 + sign flips at least as extreme) / (1 + `permutations`).
    public var pValue: Double
    /// The number of random sign assignments drawn.
    public var permutations: Int
    /// The number of paired values.
    public var count: Int

    /// Tests the paired values `a` and `b` (the same length, one value per query) with
    /// `permutations` random sign flips drawn from `seed`. With no pairs, or all differences 0,
    /// the p-value is 1.
    public init(_ a: [Double], _ b: [Double], permutations: Int = 10_000, seed: UInt64) {
        precondition(a.count == b.count, "paired values of different lengths")
        let d = zip(a, b).map { $0 - $1 }
        let n = Double(max(1, d.count))
        let observed = d.reduce(0, +) / n
        self.meanDifference = d.isEmpty ? 0 : observed
        self.permutations = permutations
        self.count = d.count
        guard !d.isEmpty, d.contains(where: { $0 != 0 }), permutations > 0 else {
            pValue = 1
            return
        }
        var generator = SplitMix64(seed: seed)
        let threshold = abs(observed) - 1e-12   // float noise never makes an equal mean "less extreme"
        var extreme = 0
        for _ in 0..<permutations {
            var sum = 0.0
            for x in d { sum += generator.next() & 1 == 0 ? x : -x }
            if abs(sum / n) >= threshold { extreme += 1 }
        }
        pValue = Double(extreme + 1) / Double(permutations + 1)
    }
}
