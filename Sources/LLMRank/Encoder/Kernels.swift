import CLLMRankEncoderKernels

/// The element-wise steps of the forward pass (bias, LayerNorm, GELU, softmax), in C
/// (Sources/CLLMRankEncoderKernels) so they keep up with the matrix products in every build.
/// Each works in place on row-major rows.
enum Kernels {
    /// `x = gelu(x + bias)`, GELU in its exact form `0.5 x (1 + erf(x / sqrt 2))` (transformers' "gelu").
    static func biasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, bias: UnsafePointer<Float>) {
        llmrank_bias_gelu(x, rows, n, bias)
    }

    /// `x = LayerNorm(x + bias + residual)` (bias and residual optional).
    static func addLayerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int,
                             bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
                             gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float)
    {
        llmrank_add_layer_norm(x, rows, n, bias, residual, gamma, beta, eps)
    }

    /// Softmax over each row (the scale is already applied).
    static func softmax(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        llmrank_softmax(x, rows, n)
    }

    /// `x += bias` on every row.
    static func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, bias: UnsafePointer<Float>) {
        llmrank_add_bias(x, rows, n, bias)
    }
}
