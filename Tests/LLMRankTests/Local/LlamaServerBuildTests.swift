import Foundation
import Testing
@testable import LLMRank

/// Which llama-server build runs: CPU feature sets and installed files in, a binary out.
struct LlamaServerBuildTests {
    /// The flags this project's AVX-512 build is compiled for (what setup-local-llm writes on an
    /// AVX512-BF16 CPU).
    static let builtFor = "avx512f avx512cd avx512bw avx512dq avx512vl avx512vbmi avx512_vnni avx512_bf16"
    static let avx512CPU = CPUFeatures(flags: Set(("fpu sse2 avx avx2 fma f16c bmi2 " + builtFor).split(separator: " ").map(String.init)))
    static let avx2CPU = CPUFeatures(flags: ["fpu", "sse2", "avx", "avx2", "fma", "f16c", "bmi2"])

    /// A `bin/` folder with the portable build and, optionally, the AVX-512 build and its features file.
    func bin(avx512: Bool = true, features: String? = builtFor, executable: Bool = true) throws -> URL {
        let bin = try temporaryDirectory().appendingPathComponent("bin", isDirectory: true)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        func install(_ name: String) throws {
            let path = bin.appendingPathComponent(name).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8)))
            try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
        }
        try install("llama-server")
        if avx512 { try install(LlamaServerBuild.avx512FileName) }
        if let features {
            try Data((features + "\n").utf8).write(to: bin.appendingPathComponent(LlamaServerBuild.avx512FeaturesFileName))
        }
        return bin
    }

    @Test func cpuinfoFlagsAreReadFromTheFlagsLine() {
        let text = """
            processor\t: 0
            model name\t: AMD EPYC
            flags\t\t: fpu avx2 avx512f AVX512_BF16
            bugs\t\t: sysret_ss_attrs
            processor\t: 1
            flags\t\t: fpu
            """
        #expect(CPUFeatures(cpuinfo: text).flags == ["fpu", "avx2", "avx512f", "avx512_bf16"])
        #expect(CPUFeatures(cpuinfo: "processor : 0\n").flags.isEmpty)
        #expect(CPUFeatures(flags: ["avx2"]).missing(["avx2", "avx512f", "avx512_bf16"]) == ["avx512_bf16", "avx512f"])
    }

    @Test func anAVX512CPUGetsTheAVX512Build() throws {
        let bin = try bin()
        let choice = LlamaServerBuild.choose(bin: bin, cpu: Self.avx512CPU)
        #expect(choice.path == bin.appendingPathComponent("llama-server-avx512"))
        #expect(choice.variant == "avx512")
        #expect(choice.reason.contains("avx512_bf16"))
    }

    @Test func aCPUWithoutAVX512GetsTheAVX2Build() throws {
        let bin = try bin()
        let choice = LlamaServerBuild.choose(bin: bin, cpu: Self.avx2CPU)
        #expect(choice.path == bin.appendingPathComponent("llama-server"))
        #expect(choice.variant == "avx2")
        #expect(choice.reason.contains("avx512f"), "the reason names a missing flag: \(choice.reason)")
    }

    @Test func oneMissingExtensionIsEnoughToFallBack() throws {
        let bin = try bin()
        var cpu = Self.avx512CPU
        cpu.flags.remove("avx512_bf16")
        let choice = LlamaServerBuild.choose(bin: bin, cpu: cpu)
        #expect(choice.variant == "avx2")
        #expect(choice.reason == "the CPU lacks avx512_bf16 that llama-server-avx512 needs")
        // A build made without BF16 (its features file does not list it) runs on that CPU.
        let withoutBF16 = try self.bin(features: "avx512f avx512cd avx512bw avx512dq avx512vl avx512_vnni")
        #expect(LlamaServerBuild.choose(bin: withoutBF16, cpu: cpu).variant == "avx512")
    }

    @Test func theBaseAVX512FlagsAreRequiredEvenWhenTheFeaturesFileOmitsThem() throws {
        let bin = try bin(features: "avx512_vnni")
        var cpu = Self.avx512CPU
        cpu.flags.remove("avx512bw")
        let choice = LlamaServerBuild.choose(bin: bin, cpu: cpu)
        #expect(choice.variant == "avx2")
        #expect(choice.reason.contains("avx512bw"))
    }

    @Test func aMissingOrIncompleteVariantFallsBackToAVX2() throws {
        let none = try bin(avx512: false, features: nil)
        #expect(LlamaServerBuild.choose(bin: none, cpu: Self.avx512CPU)
            == LlamaServerBuild(path: none.appendingPathComponent("llama-server"), variant: "avx2",
                                reason: "no llama-server-avx512 installed"))
        let noFeatures = try bin(features: nil)
        let unverified = LlamaServerBuild.choose(bin: noFeatures, cpu: Self.avx512CPU)
        #expect(unverified.variant == "avx2")
        #expect(unverified.reason == "llama-server-avx512 has no llama-server-avx512.features")
        let notExecutable = try bin(executable: false)
        #expect(LlamaServerBuild.choose(bin: notExecutable, cpu: Self.avx512CPU).variant == "avx2")
    }

    @Test func theConfigurationRunsTheChosenBuildUnlessTheEnvironmentNamesOne() throws {
        let bin = try bin()
        let home = bin.deletingLastPathComponent().path
        let fast = LocalLLMConfiguration(environment: ["LLMRANK_HOME": home], cpu: Self.avx512CPU)
        #expect(fast.serverPath == bin.appendingPathComponent("llama-server-avx512"))
        #expect(fast.serverBuild.variant == "avx512")
        #expect(fast.serverPathSource == nil)
        let portable = LocalLLMConfiguration(environment: ["LLMRANK_HOME": home], cpu: Self.avx2CPU)
        #expect(portable.serverPath == bin.appendingPathComponent("llama-server"))
        let named = LocalLLMConfiguration(environment: ["LLMRANK_HOME": home, "LLMRANK_LLAMA_SERVER": "/opt/llama-server"],
                                          cpu: Self.avx512CPU)
        #expect(named.serverPath.path == "/opt/llama-server")
        #expect(named.serverBuild.variant == "LLMRANK_LLAMA_SERVER")
        var changed = fast
        changed.serverPath = URL(fileURLWithPath: "/opt/other")
        #expect(changed.serverBuild.variant == "custom", "a path set later is not reported as the AVX-512 build")
    }

    @Test func theServerSleepsAtOpenMPBarriersUnlessTheUserChoseAPolicy() {
        let configuration = LocalLLMConfiguration(environment: ["LLMRANK_HOME": "/nonexistent"], cpu: Self.avx2CPU)
        let plain = configuration.environment(inheriting: ["PATH": "/bin", "LLAMA_ARG_THREADS": "7", "OMP_NUM_THREADS": "1"],
                                              apiKey: "k")
        #expect(plain == ["PATH": "/bin", "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "passive", "LLAMA_API_KEY": "k"])
        let active = configuration.environment(inheriting: ["OMP_WAIT_POLICY": "active"], apiKey: nil)
        #expect(active == ["OMP_WAIT_POLICY": "active"])
        let spinning = configuration.environment(inheriting: ["GOMP_SPINCOUNT": "300000"], apiKey: nil)
        #expect(spinning == ["GOMP_SPINCOUNT": "300000"], "a user's spin count is not overridden by the passive policy")
        var none = configuration
        none.serverEnvironment = [:]
        #expect(none.environment(inheriting: [:], apiKey: nil).isEmpty)
    }
}
