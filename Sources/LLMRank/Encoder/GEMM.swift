import CBLAS
import CLLMRankEncoderKernels

/// Which arithmetic the weight matrix products (the linear layers) use.
public enum EncoderPrecision: String, Sendable, CaseIterable {
    /// bfloat16 where the CPU has AVX512-BF16, float32 elsewhere: the default. On DL19 the two
    /// give the same NDCG@10 within 0.002 (a test keeps it so), and bfloat16 runs about twice as
    /// fast (README, Benchmarks).
    case auto
    /// F32 everywhere (OpenBLAS sgemm).
    case float32
    /// Linear layers take weights and activations rounded to bfloat16 and accumulate in F32, on
    /// AVX512-BF16 (`vdpbf16ps`). Attention, LayerNorm, GELU, softmax and pooling stay F32.
    /// Needs a CPU with AVX512-BF16; elsewhere the encoder runs in F32.
    case bfloat16

    /// True when this machine runs the bfloat16 kernel.
    public static var bfloat16Available: Bool { llmrank_has_avx512bf16() != 0 }

    /// The arithmetic that runs on this machine: `auto` and `bfloat16` are bfloat16 where the CPU
    /// has AVX512-BF16 and float32 elsewhere; `float32` is float32. Never `auto`.
    public var effective: EncoderPrecision {
        switch self {
        case .float32: .float32
        case .auto, .bfloat16: Self.bfloat16Available ? .bfloat16 : .float32
        }
    }
}

/// A weight matrix `W[out, in]` (PyTorch's Linear layout): F32, and packed BF16 on request.
struct WeightMatrix: Sendable {
    let rows: Int      // out
    let columns: Int   // in
    let f32: [Float]
    /// Packed for llmrank_bf16_gemm; empty when not prepared (or the shape does not suit it).
    let bf16: [UInt16]

    init(rows: Int, columns: Int, values: [Float], bfloat16: Bool) {
        precondition(values.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.f32 = values
        if bfloat16 && rows % 16 == 0 && columns % 2 == 0 {
            let count = llmrank_bf16_packed_size(rows, columns) / 2
            bf16 = [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
                llmrank_bf16_pack(values, rows, columns, buffer.baseAddress!)
                initialized = count
            }
        } else {
            bf16 = []
        }
    }
}

/// Round-to-nearest-even F32 -> BF16 bits (NaN kept a NaN).
@inline(__always)
func floatToBF16(_ f: Float) -> UInt16 {
    let bits = f.bitPattern
    if f.isNaN { return UInt16(bits >> 16) | 0x40 }
    let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
    return UInt16((bits &+ rounding) >> 16)
}

/// The one matrix-product entry point of the encoder: every product of the forward pass goes
/// through `multiply` (OpenBLAS sgemm) or, for BF16 linear layers, `linear`'s BF16 kernel.
enum GEMM {
    /// `C[m, n] = alpha * A[m, k] * op(B) + beta * C`, row-major, `op(B) = B^T` when `transB`
    /// (B stored `[n, k]`) and `B` otherwise (stored `[k, n]`).
    @inline(__always)
    static func multiply(m: Int, n: Int, k: Int, alpha: Float = 1,
                         a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int, transB: Bool,
                         beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int)
    {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// `Y[m, out] = X[m, in] * W^T` (bias added by the caller). `scratch` holds at least `m * in`
    /// values for the BF16 copy of X.
    static func linear(_ x: UnsafePointer<Float>, rows m: Int, weight w: WeightMatrix,
                       into y: UnsafeMutablePointer<Float>, precision: EncoderPrecision,
                       scratch: UnsafeMutablePointer<UInt16>)
    {
        if precision == .bfloat16 && !w.bf16.isEmpty {
            llmrank_to_bf16(x, scratch, m * w.columns)
            w.bf16.withUnsafeBufferPointer { packed in
                llmrank_bf16_gemm(scratch, m, w.columns, packed.baseAddress!, w.rows, y)
            }
            return
        }
        w.f32.withUnsafeBufferPointer { wp in
            multiply(m: m, n: w.rows, k: w.columns, a: x, lda: w.columns,
                     b: wp.baseAddress!, ldb: w.columns, transB: true, c: y, ldc: w.rows)
        }
    }
}
