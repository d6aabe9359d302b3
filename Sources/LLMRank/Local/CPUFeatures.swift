import Foundation

/// The CPU's instruction-set extensions as the kernel reports them: the `flags` line of
/// `/proc/cpuinfo` (`avx2`, `avx512f`, `avx512_bf16`, ...). The kernel lists an AVX-512 or AMX
/// extension only when it also saves that register state, so a flag listed here is one a process
/// may use, which a bare CPUID bit does not promise (AMX tiles trapped that way on this project's
/// machines).
public struct CPUFeatures: Sendable, Hashable {
    /// The flag names, lower case.
    public var flags: Set<String>

    /// A feature set of exactly `flags`.
    public init(flags: Set<String>) {
        self.flags = Set(flags.map { $0.lowercased() })
    }

    /// Reads the first `flags` line of `cpuinfo` (the text of `/proc/cpuinfo`); no such line gives
    /// an empty set.
    public init(cpuinfo: String) {
        for line in cpuinfo.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "flags" else { continue }
            self.init(flags: Set(parts[1].split(separator: " ").map(String.init)))
            return
        }
        self.init(flags: [])
    }

    /// This machine's features from `/proc/cpuinfo`; empty where it cannot be read (not Linux), so
    /// nothing beyond the portable build is ever chosen there.
    public static func current() -> CPUFeatures {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return CPUFeatures(flags: []) }
        return CPUFeatures(cpuinfo: text)
    }

    /// The flags of `required` this CPU lacks, sorted.
    public func missing(_ required: Set<String>) -> [String] {
        required.map { $0.lowercased() }.filter { !flags.contains($0) }.sorted()
    }
}
