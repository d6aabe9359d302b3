/// The range a score must fall in, as a prompt states it ("0-3", "1-10").
public struct ScoreScale: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The lowest score.
    public var min: Double
    /// The highest score. A fraction whose denominator is `max` ("7/10" on 0-10) reads as a score.
    public var max: Double
    /// Whether the prompt asks for whole numbers. Parsers still accept a decimal as written
    /// ("3.5" stays 3.5, unflagged); this field says which tokens an expected score sums over and
    /// what a JSON schema asks for.
    public var integer: Bool

    /// A scale from `min` to `max`; bounds given the wrong way round are swapped.
    public init(min: Double, max: Double, integer: Bool = true) {
        self.min = Swift.min(min, max)
        self.max = Swift.max(min, max)
        self.integer = integer
    }

    private enum CodingKeys: String, CodingKey { case min, max, integer }

    /// Decodes `{min, max, integer?}` as a prompt file writes it; `integer` defaults to true.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(min: try c.decode(Double.self, forKey: .min), max: try c.decode(Double.self, forKey: .max),
                  integer: try c.decodeIfPresent(Bool.self, forKey: .integer) ?? true)
    }

    /// 0 to 1, not integer: the scale of yes/no probabilities.
    public static let unit = ScoreScale(min: 0, max: 1, integer: false)

    /// The scale as `min-max` ("0-3", "0-1").
    public var description: String { "\(formatNumber(min))-\(formatNumber(max))" }

    /// True when `value` lies in the scale.
    public func contains(_ value: Double) -> Bool { value >= min && value <= max }

    /// The whole numbers of the scale, lowest first; empty when the scale is not integer.
    public var integerValues: [Int] {
        guard integer, min.isFinite, max.isFinite, max - min <= 10_000 else { return [] }
        let lo = Int(min.rounded(.up)), hi = Int(max.rounded(.down))
        return lo <= hi ? Array(lo...hi) : []
    }

    /// `value` moved into the scale, with a `clamped` flag ("12 > 10", "-1 < 0") when it moved.
    /// `label` prefixes the flag's detail ("coverage: 7 > 5").
    public func clamp(_ value: Double, label: String? = nil) -> (value: Double, flag: Flag?) {
        let prefix = label.map { "\($0): " } ?? ""
        if value > max { return (max, Flag(.clamped, "\(prefix)\(formatNumber(value)) > \(formatNumber(max))")) }
        if value < min { return (min, Flag(.clamped, "\(prefix)\(formatNumber(value)) < \(formatNumber(min))")) }
        if value.isNaN { return (min, Flag(.clamped, "\(prefix)nan -> \(formatNumber(min))")) }
        return (value, nil)
    }
}

/// A number as people write it: whole numbers without a fraction ("7", not "7.0").
func formatNumber(_ x: Double) -> String {
    if x.isFinite, x.rounded() == x, abs(x) < 1e15 { return String(Int64(x)) }
    return String(x)
}
