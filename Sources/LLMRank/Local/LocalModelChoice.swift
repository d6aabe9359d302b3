import Foundation

/// Which file of the embedded model runs. `scripts/setup-local-llm` installs SmolLM2-135M-Instruct
/// as published (Q4_1) and, beside it, the same weights dequantized by llama.cpp's `llama-quantize`:
/// to BF16 where the AVX-512 build has AVX512-BF16, else to F16. A CPU multiplies those faster
/// than it unpacks 4-bit blocks (the README's embedded-judge benchmark: about 2.3x the prompt
/// tokens a second with BF16 on the AVX-512 build, 1.7x with F16 on the AVX2 one); the replies
/// may differ from the Q4_1 file's in rare near-ties, so each file has its own judgment-cache name
/// (the file's stem).
public struct LocalModelChoice: Sendable, Hashable {
    /// The stem shared by the model's files: `<stem>-Q4_1.gguf`, `<stem>-BF16.gguf`, `<stem>-F16.gguf`.
    public static let stem = "SmolLM2-135M-Instruct"
    /// The file as published: every build runs it.
    public static let publishedFileName = "\(stem)-Q4_1.gguf"

    /// The model file.
    public var path: URL
    /// `BF16`, `F16` or `Q4_1`; `custom` when `LLMRANK_LOCAL_MODEL` or the caller named the file.
    public var weights: String
    /// Why this one, in a few words (shown by `-v` and `llmrank doctor`).
    public var reason: String

    /// A choice made elsewhere.
    public init(path: URL, weights: String, reason: String) {
        self.path = path
        self.weights = weights
        self.reason = reason
    }

    /// Chooses among the files in `models` for `build`: BF16 when the build was compiled with
    /// AVX512-BF16 (llmrank ran it only after finding the flag on this CPU), else F16, else the
    /// published Q4_1 file (whose absence `LocalLLMConfiguration.validate()` reports).
    public static func choose(models: URL, build: LlamaServerBuild) -> LocalModelChoice {
        let fm = FileManager.default
        func file(_ weights: String) -> URL { models.appendingPathComponent("\(stem)-\(weights).gguf") }
        // What was looked for and not found, in the order of preference.
        var skipped: [String] = []
        if build.features.contains("avx512_bf16") {
            if fm.fileExists(atPath: file("BF16").path) {
                return LocalModelChoice(path: file("BF16"), weights: "BF16", reason: "the \(build.variant) build computes BF16 (AVX512-BF16)")
            }
            skipped.append("no \(stem)-BF16.gguf")
        }
        if fm.fileExists(atPath: file("F16").path) {
            let why = (skipped + ["F16 suits the \(build.variant) build"]).joined(separator: "; ")
            return LocalModelChoice(path: file("F16"), weights: "F16", reason: why)
        }
        skipped.append("no \(stem)-F16.gguf")
        return LocalModelChoice(path: models.appendingPathComponent(publishedFileName), weights: "Q4_1",
                                reason: "\(skipped.joined(separator: ", ")) (scripts/setup-local-llm writes it)")
    }
}
