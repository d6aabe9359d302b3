/// What the parsers need of a scale (`ScoreScale` comes from the prompt's output contract).
extension ScoreScale {
    /// Whether `value` lies within the scale, bounds included.
    public func contains(_ value: Double) -> Bool { value >= Double(lower) && value <= Double(upper) }

    /// The whole numbers of the scale, lowest first.
    public var integerValues: [Int] { Array(lower...upper) }

    /// `value` moved into the scale, with a `clamped` flag ("12 > 10", "-1 < 0") when it moved.
    /// `label` prefixes the flag's detail ("coverage: 7 > 5").
    public func clamp(_ value: Double, label: String? = nil) -> (value: Double, flag: Flag?) {
        let prefix = label.map { "\($0): " } ?? ""
        let lo = Double(lower), hi = Double(upper)
        if value > hi { return (hi, Flag(.clamped, "\(prefix)\(formatNumber(value)) > \(upper)")) }
        if value < lo { return (lo, Flag(.clamped, "\(prefix)\(formatNumber(value)) < \(lower)")) }
        if value.isNaN { return (lo, Flag(.clamped, "\(prefix)nan -> \(lower)")) }
        return (value, nil)
    }

    // The loader guarantees min < max; a scale built by hand the wrong way round must not trap.
    private var lower: Int { Swift.min(min, max) }
    private var upper: Int { Swift.max(min, max) }
}

/// A number as people write it: whole numbers without a fraction ("7", not "7.0").
func formatNumber(_ x: Double) -> String {
    if x.isFinite, x.rounded() == x, abs(x) < 1e15 { return String(Int64(x)) }
    return String(x)
}
