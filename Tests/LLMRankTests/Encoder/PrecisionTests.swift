import CLLMRankEncoderKernels
import Foundation
import Testing
@testable import LLMRank

@Suite struct EncoderPrecisionTests {
    /// The BF16 kernel equals an F32 product of the BF16-rounded operands (up to summation order),
    /// for shapes with row and column tails.
    @Test(arguments: [(1, 2, 32), (13, 70, 48), (29, 384, 64), (40, 258, 160)])
    func bf16KernelMatchesRoundedF32Product(shape: (Int, Int, Int)) throws {
        let (m, k, n) = shape
        guard EncoderPrecision.bfloat16Available else {
            // Without AVX512-BF16 the encoder must fall back to F32.
            let encoder = try LocalEncoder.load(nameOrPath: EncoderFixtures.folder.appendingPathComponent("tiny-cross-1").path, precision: .bfloat16)
            #expect(encoder.precision == .float32)
            return
        }
        var seed: UInt64 = 42
        func random() -> Float {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: seed >> 11) % 2000) / 1000 - 1
        }
        let a = (0..<(m * k)).map { _ in random() }
        let w = (0..<(n * k)).map { _ in random() }
        let round = { (x: Float) in Float(bitPattern: UInt32(floatToBF16(x)) << 16) }
        let weight = WeightMatrix(rows: n, columns: k, values: w, bfloat16: true)
        #expect(!weight.bf16.isEmpty)
        var got = [Float](repeating: .nan, count: m * n)
        let scratch = UnsafeMutablePointer<UInt16>.allocate(capacity: m * k)
        defer { scratch.deallocate() }
        a.withUnsafeBufferPointer { ap in
            got.withUnsafeMutableBufferPointer { out in
                GEMM.linear(ap.baseAddress!, rows: m, weight: weight, into: out.baseAddress!, precision: .bfloat16, scratch: scratch)
            }
        }
        var worst: Float = 0
        for i in 0..<m {
            for j in 0..<n {
                var want: Float = 0
                for p in 0..<k { want += round(a[i * k + p]) * round(w[j * k + p]) }
                worst = max(worst, abs(got[i * n + j] - want))
            }
        }
        #expect(worst < 1e-3 * Float(k).squareRoot(), "\(shape): worst difference \(worst)")
    }

    /// `auto` is the default everywhere (library, profiles) and runs BF16 exactly where the CPU has
    /// AVX512-BF16; `float32` is never changed.
    @Test func autoIsTheDefaultAndResolvesByCPU() throws {
        let tiny = EncoderFixtures.folder.appendingPathComponent("tiny-cross-1").path
        let expected: EncoderPrecision = EncoderPrecision.bfloat16Available ? .bfloat16 : .float32
        #expect(try LocalEncoder.load(nameOrPath: tiny).precision == expected)
        #expect(try LocalEncoder.load(nameOrPath: tiny, precision: .float32).precision == .float32)
        #expect(EncoderPrecision.auto.effective == expected && EncoderPrecision.bfloat16.effective == expected)
        #expect(EncoderSettings().precision == .auto)
        let profile = try ProfileLibrary.parse(yaml: "encoder:\n  keep: 5\n", file: "p.yaml")
        #expect(profile.encoder?.precision == .auto)
    }

    /// all-MiniLM-L6-v2 in BF16 stays close to sentence-transformers (F32): cosine > 0.999.
    @Test func bf16MiniLMEmbeddingsStayClose() async throws {
        let encoder = try LocalEncoder.load(nameOrPath: try EncoderFixtures.miniLM().path, precision: .bfloat16)
        #expect(encoder.precision == (EncoderPrecision.bfloat16Available ? .bfloat16 : .float32))
        let fixture = try EncoderFixtures.json("minilm-embeddings.json")
        let cases = try #require(fixture["cases"] as? [[String: Any]]).prefix(8)
        let embeddings = try await encoder.embed(cases.map { $0["text"] as? String ?? "" })
        for (c, got) in zip(cases, embeddings) {
            let want = EncoderFixtures.doubles(c["embedding"])
            let cosine = zip(got, want).reduce(0) { $0 + Double($1.0) * $1.1 }
            #expect(cosine > 0.999, "\((c["text"] as? String ?? "").prefix(30)): cosine \(cosine)")
        }
    }

    /// The tiny cross-encoder in BF16: logits near PyTorch's F32 ones.
    @Test func bf16CrossEncoderLogitsStayClose() async throws {
        let encoder = try LocalEncoder.load(nameOrPath: EncoderFixtures.folder.appendingPathComponent("tiny-cross-1").path, precision: .bfloat16)
        for c in try CrossEncoderTests.pairs("tiny-cross-1") {
            let score = try await encoder.score(query: c.query, documents: [c.document])[0]
            #expect(abs(score.logits[0] - c.logits[0]) < 0.05, "\(c.query): \(score.logits[0]) vs \(c.logits[0])")
        }
    }
}
