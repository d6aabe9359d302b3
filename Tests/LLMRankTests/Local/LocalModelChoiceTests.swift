import Foundation
import Testing
@testable import LLMRank

/// Which model file the embedded server runs: the build chosen and the files installed in, a file out.
struct LocalModelChoiceTests {
    /// A home whose `models/` holds the named weights (`BF16`, `F16`, `Q4_1`) and whose `bin/` holds
    /// both builds, the AVX-512 one compiled for `features`.
    func home(_ weights: [String], features: String = LlamaServerBuildTests.builtFor) throws -> URL {
        let home = try temporaryDirectory()
        let models = home.appendingPathComponent("models"), bin = home.appendingPathComponent("bin")
        for dir in [models, bin] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        for w in weights {
            #expect(FileManager.default.createFile(atPath: models.appendingPathComponent("SmolLM2-135M-Instruct-\(w).gguf").path,
                                                   contents: Data("GGUF".utf8)))
        }
        for name in ["llama-server", LlamaServerBuild.avx512FileName] {
            let path = bin.appendingPathComponent(name).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8)))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        try Data((features + "\n").utf8).write(to: bin.appendingPathComponent(LlamaServerBuild.avx512FeaturesFileName))
        return home
    }

    func configuration(_ home: URL, cpu: CPUFeatures = LlamaServerBuildTests.avx512CPU,
                       _ extra: [String: String] = [:]) -> LocalLLMConfiguration {
        LocalLLMConfiguration(environment: ["LLMRANK_HOME": home.path].merging(extra) { $1 }, cpu: cpu)
    }

    @Test func theAVX512BF16BuildRunsTheBF16File() throws {
        let home = try home(["Q4_1", "F16", "BF16"])
        let c = configuration(home)
        #expect(c.serverBuild.variant == "avx512")
        #expect(c.modelChoice.weights == "BF16")
        #expect(c.modelPath == home.appendingPathComponent("models/SmolLM2-135M-Instruct-BF16.gguf"))
        #expect(c.modelName == "SmolLM2-135M-Instruct-BF16", "the alias, and so the judgment cache's name, is the file's")
        #expect(c.arguments(port: 1).contains(c.modelPath.path))
    }

    @Test func otherBuildsRunF16AndAMissingCopyFallsBackToThePublishedFile() throws {
        // The AVX2 build: BF16 has no fast path there.
        let portable = configuration(try home(["Q4_1", "F16", "BF16"]), cpu: LlamaServerBuildTests.avx2CPU)
        #expect(portable.serverBuild.variant == "avx2")
        #expect(portable.modelChoice.weights == "F16")
        #expect(portable.modelChoice.reason == "F16 suits the avx2 build")
        // An AVX-512 build compiled without BF16.
        let noBF16 = configuration(try home(["Q4_1", "F16", "BF16"], features: "avx512f avx512cd avx512bw avx512dq avx512vl avx512_vnni"))
        #expect(noBF16.serverBuild.variant == "avx512")
        #expect(noBF16.modelChoice.weights == "F16")
        // The BF16 build without its file: F16, saying why.
        let missing = configuration(try home(["Q4_1", "F16"]))
        #expect(missing.modelChoice.weights == "F16")
        #expect(missing.modelChoice.reason == "no SmolLM2-135M-Instruct-BF16.gguf; F16 suits the avx512 build")
        // Only the published file (LLMRANK_SETUP_FAST_WEIGHTS=0).
        let published = configuration(try home(["Q4_1"]))
        #expect(published.modelChoice.weights == "Q4_1")
        #expect(published.modelName == "SmolLM2-135M-Instruct-Q4_1")
        #expect(published.modelChoice.reason.contains("no SmolLM2-135M-Instruct-BF16.gguf, no SmolLM2-135M-Instruct-F16.gguf"))
        // Nothing installed: the published path, which validate() reports as missing.
        let none = configuration(try home([]))
        #expect(none.modelPath.lastPathComponent == LocalLLMConfiguration.defaultModelFileName)
        #expect(throws: LLMRankError.self) { try none.validate() }
    }

    @Test func aNamedModelWinsAndIsReportedAsSuch() throws {
        let home = try home(["Q4_1", "BF16"])
        let named = configuration(home, ["LLMRANK_LOCAL_MODEL": "/opt/models/other.gguf"])
        #expect(named.modelPath.path == "/opt/models/other.gguf")
        #expect(named.modelChoice.weights == "custom")
        #expect(named.modelName == "other")
        var changed = configuration(home)
        changed.modelPath = URL(fileURLWithPath: "/opt/models/mine.gguf")
        #expect(changed.modelChoice.weights == "custom")
        #expect(changed.modelName == "mine", "the alias follows the file")
    }
}
