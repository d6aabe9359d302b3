/// The element-wise steps of the forward pass (LayerNorm, GELU, softmax), written over SIMD
/// vectors so they keep up with the matrix products. Each reads and writes rows in place.
enum Kernels {
    typealias V = SIMD16<Float>

    /// `e^x` for a vector, |relative error| < 2e-7 over the range the model produces
    /// (Cody-Waite range reduction to [-ln2/2, ln2/2], degree-6 polynomial, 2^n by exponent bits).
    @inline(__always)
    static func exp(_ x: V) -> V {
        let clamped = x.clamped(lowerBound: V(repeating: -87.3), upperBound: V(repeating: 88.3))
        let n = (clamped * 1.442_695_04).rounded(.toNearestOrEven)
        var r = clamped - n * 0.693_145_75
        r = r - n * 1.428_606_8e-6
        var p = V(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let bits = (SIMD16<Int32>(n) &+ 127) &<< 23
        let scale = unsafeBitCast(bits, to: V.self)
        return p * scale
    }

    /// erf(x), |error| < 1.5e-7 (Abramowitz & Stegun 7.1.26).
    @inline(__always)
    static func erf(_ x: V) -> V {
        let a = pointwiseMax(x, -x)
        let t = 1 / (1 + 0.327_591_1 * a)
        var y = V(repeating: 1.061_405_429)
        y = y * t - 1.453_152_027
        y = y * t + 1.421_413_741
        y = y * t - 0.284_496_736
        y = y * t + 0.254_829_592
        y = V(repeating: 1) - y * t * exp(-(a * a))
        var out = y
        out.replace(with: -y, where: x .< 0)
        return out
    }

    /// In place: `x = gelu(x + bias)` over `rows` rows of `n`, GELU in its exact form
    /// `0.5 x (1 + erf(x / sqrt 2))` (transformers' "gelu").
    static func biasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int, bias: UnsafePointer<Float>) {
        let vectors = n / V.scalarCount
        for r in 0..<rows {
            let row = x + r * n
            for j in 0..<vectors {
                let p = UnsafeMutableRawPointer(row + j * V.scalarCount)
                let b = UnsafeRawPointer(bias + j * V.scalarCount).loadUnaligned(as: V.self)
                let v = p.loadUnaligned(as: V.self) + b
                p.storeBytes(of: 0.5 * v * (1 + erf(v * 0.707_106_781_186_547_5)), as: V.self)
            }
            for j in (vectors * V.scalarCount)..<n {
                let v = row[j] + bias[j]
                var lane = V(repeating: 0); lane[0] = v
                row[j] = (0.5 * lane * (1 + erf(lane * 0.707_106_781_186_547_5)))[0]
            }
        }
    }

    /// In place: `x = LayerNorm(x + bias + residual)` over `rows` rows of `n` (residual may be nil).
    static func addLayerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int,
                             bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
                             gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float)
    {
        for r in 0..<rows {
            let row = x + r * n
            var sum: Double = 0
            for j in 0..<n {
                var v = row[j]
                if let bias { v += bias[j] }
                if let residual { v += residual[r * n + j] }
                row[j] = v
                sum += Double(v)
            }
            let mean = Float(sum / Double(n))
            var sq: Double = 0
            for j in 0..<n {
                let d = row[j] - mean
                sq += Double(d * d)
            }
            let inv = 1 / (Float(sq / Double(n)) + eps).squareRoot()
            for j in 0..<n {
                row[j] = (row[j] - mean) * inv * gamma[j] + beta[j]
            }
        }
    }

    /// In place: softmax over each of `rows` rows of `n` (the scale is already applied).
    static func softmax(_ x: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        let vectors = n / V.scalarCount
        for r in 0..<rows {
            let row = x + r * n
            var m = -Float.infinity
            for j in 0..<n { m = max(m, row[j]) }
            var total: Float = 0
            let mv = V(repeating: m)
            for j in 0..<vectors {
                let p = UnsafeMutableRawPointer(row + j * V.scalarCount)
                let e = exp(p.loadUnaligned(as: V.self) - mv)
                p.storeBytes(of: e, as: V.self)
                total += e.sum()
            }
            for j in (vectors * V.scalarCount)..<n {
                var lane = V(repeating: 0); lane[0] = row[j] - m
                let e = exp(lane)[0]
                row[j] = e
                total += e
            }
            let inv = 1 / total
            for j in 0..<n { row[j] *= inv }
        }
    }
}
