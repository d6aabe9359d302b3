/// One aspect of an aspects rubric: its JSON field name, its integer range and its weight in the
/// total (total = sum of weight x clamped aspect score).
public struct RubricAspect: Sendable, Hashable, Codable {
    /// The JSON field that holds the aspect's score.
    public var name: String
    /// The lowest score of the aspect.
    public var min: Int
    /// The highest score of the aspect.
    public var max: Int
    /// The aspect's weight in the total.
    public var weight: Double
    /// What the aspect measures, as the prompt file says (for `prompts show`; not sent).
    public var description: String?

    /// An aspect; the weight defaults to 1.
    public init(name: String, min: Int, max: Int, weight: Double = 1, description: String? = nil) {
        self.name = name
        self.min = min
        self.max = max
        self.weight = weight
        self.description = description
    }

    /// The aspect as the aspects parser reads it.
    public var spec: AspectSpec { AspectSpec(name: name, min: Double(min), max: Double(max), weight: weight) }
}
