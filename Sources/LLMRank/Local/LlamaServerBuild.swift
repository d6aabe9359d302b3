import Foundation

/// Which llama-server binary runs. `scripts/setup-local-llm` installs the portable AVX2 build as
/// `bin/llama-server` and, on a CPU with AVX-512, a second build as `bin/llama-server-avx512` beside
/// a `bin/llama-server-avx512.features` file naming the CPU flags it was compiled for (one line,
/// space-separated). llmrank runs the AVX-512 build only when this CPU reports every one of those
/// flags, and the AVX2 build otherwise.
public struct LlamaServerBuild: Sendable, Hashable {
    /// The file name of the AVX-512 build under `bin/`.
    public static let avx512FileName = "llama-server-avx512"
    /// The file name, under `bin/`, of the AVX-512 build's required CPU flags.
    public static let avx512FeaturesFileName = "llama-server-avx512.features"
    /// The flags no AVX-512 build runs without (the `-mavx512{f,cd,bw,dq,vl}` that
    /// `GGML_AVX512` compiles with), required even when the features file omits them.
    public static let avx512BaseFlags: Set<String> = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    /// The binary to run.
    public var path: URL
    /// `avx512`, `avx2`, or `LLMRANK_LLAMA_SERVER` when that variable named the binary.
    public var variant: String
    /// Why this one, in a few words (shown by `-v` and `llmrank doctor`).
    public var reason: String
    /// The CPU flags the build was compiled for, as far as known (the AVX-512 build's features
    /// file and base flags; empty for the others).
    public var features: Set<String>

    /// A choice made elsewhere.
    public init(path: URL, variant: String, reason: String, features: Set<String> = []) {
        self.path = path
        self.variant = variant
        self.reason = reason
        self.features = features
    }

    /// Chooses between the builds in `bin` for a CPU with `cpu`: the AVX-512 build when it is
    /// installed (executable, with its features file) and the CPU has every flag it needs, else
    /// the AVX2 build `bin/llama-server` (whose absence `LocalLLMConfiguration.validate()` reports).
    public static func choose(bin: URL, cpu: CPUFeatures) -> LlamaServerBuild {
        let portable = bin.appendingPathComponent("llama-server")
        let fast = bin.appendingPathComponent(avx512FileName)
        let featuresFile = bin.appendingPathComponent(avx512FeaturesFileName)
        func fallback(_ why: String) -> LlamaServerBuild {
            LlamaServerBuild(path: portable, variant: "avx2", reason: why)
        }
        guard FileManager.default.isExecutableFile(atPath: fast.path) else {
            return fallback("no \(avx512FileName) installed")
        }
        guard let listed = try? String(contentsOf: featuresFile, encoding: .utf8) else {
            return fallback("\(avx512FileName) has no \(avx512FeaturesFileName)")
        }
        let required = avx512BaseFlags.union(listed.split(whereSeparator: \.isWhitespace).map(String.init))
        let missing = cpu.missing(required)
        guard missing.isEmpty else {
            return fallback("the CPU lacks \(missing.joined(separator: " ")) that \(avx512FileName) needs")
        }
        return LlamaServerBuild(path: fast, variant: "avx512",
                                reason: "the CPU has \(required.sorted().joined(separator: " "))", features: required)
    }
}
