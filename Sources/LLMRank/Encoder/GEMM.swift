import CBLAS

/// Which arithmetic the weight matrix products use.
public enum EncoderPrecision: String, Sendable, CaseIterable {
    /// F32 everywhere (OpenBLAS sgemm).
    case float32
    /// Weights and activations rounded to bfloat16 for the linear layers, F32 accumulation.
    /// Attention and every other step stay F32.
    case bfloat16
}

/// A weight matrix `W[out, in]` (PyTorch's Linear layout), kept in F32 and, on request, in BF16.
struct WeightMatrix: Sendable {
    let rows: Int      // out
    let columns: Int   // in
    let f32: [Float]
    let bf16: [UInt16]

    init(rows: Int, columns: Int, values: [Float], bfloat16: Bool) {
        precondition(values.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.f32 = values
        self.bf16 = bfloat16 ? values.map(floatToBF16) : []
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

/// The one matrix-product entry point of the encoder; every product of the forward pass goes here.
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

    /// `Y[m, out] = X[m, in] * W^T` (bias added by the caller), in the requested precision.
    /// `scratch` holds at least `m * in` BF16 values for the bfloat16 path.
    static func linear(_ x: UnsafePointer<Float>, rows m: Int, weight w: WeightMatrix,
                       into y: UnsafeMutablePointer<Float>, precision: EncoderPrecision,
                       scratch: UnsafeMutablePointer<UInt16>)
    {
        switch precision {
        case .float32:
            w.f32.withUnsafeBufferPointer { wp in
                multiply(m: m, n: w.rows, k: w.columns, a: x, lda: w.columns,
                         b: wp.baseAddress!, ldb: w.columns, transB: true, c: y, ldc: w.rows)
            }
        case .bfloat16:
            BF16GEMM.linear(x, rows: m, weight: w, into: y, scratch: scratch)
        }
    }
}
