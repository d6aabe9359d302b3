/// Placeholder for the bfloat16 path: rounds operands to BF16 and multiplies in F32 (same numbers as
/// a BF16 kernel with F32 accumulation, for quality checks; no speed gain).
enum BF16GEMM {
    static func linear(_ x: UnsafePointer<Float>, rows m: Int, weight w: WeightMatrix,
                       into y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<UInt16>)
    {
        let count = m * w.columns
        let xr = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { xr.deallocate() }
        for i in 0..<count { xr[i] = Float(bitPattern: UInt32(floatToBF16(x[i])) << 16) }
        let wr = w.bf16.map { Float(bitPattern: UInt32($0) << 16) }
        wr.withUnsafeBufferPointer { wp in
            GEMM.multiply(m: m, n: w.rows, k: w.columns, a: xr, lda: w.columns,
                          b: wp.baseAddress!, ldb: w.columns, transB: true, c: y, ldc: w.rows)
        }
    }
}
