/// The pointwise contract: one score on a scale, as JSON (`json_schema` is sent as
/// `response_format` where the endpoint supports it) or, when the reply is not JSON, read through
/// `text_pattern`.
///
/// ```yaml
/// output:
///   scale: {min: 1, max: 5}
///   score_field: score          # optional, "score"
///   json_schema: {type: object, properties: {score: {type: integer}}, required: [score]}
///   text_pattern: 'score"?\s*:\s*(\d+)'
/// ```
public struct PointwiseContract: ContractReading, Hashable {
    /// Pointwise prompts carry this contract.
    public static let method = JudgeMethod.pointwise
    static let input = PromptInput.document

    /// The scale scores are clamped into.
    public let scale: ScoreScale
    /// The JSON field holding the score ("score").
    public let scoreField: String
    /// A JSON schema (draft 2020-12 subset that OpenAI-style structured outputs accept).
    public let schema: JSONValue
    /// A regular expression with one capture group: the score, in a reply that is not JSON.
    public let pattern: String

    /// The schema, sent as `response_format`.
    public var jsonSchema: JSONValue? { schema }
    /// The pattern, where the file gives a non-empty one.
    public var textPattern: String? { pattern.isEmpty ? nil : pattern }

    static func read(_ top: PromptFileParser.Fields) throws -> PointwiseContract {
        let parser = top.parser
        guard top["output"] != nil else {
            throw parser.failure(nil as Int?, nil, "missing field 'output' (pointwise prompts need output.scale, output.json_schema and output.text_pattern)")
        }
        let output = try top.nested("output", allowed: ["scale", "score_field", "json_schema", "text_pattern"])
        let scaleFields = try output.nested("scale", allowed: ["min", "max"])
        let lo = try scaleFields.int("min"), hi = try scaleFields.int("max")
        guard lo < hi else {
            throw parser.failure(scaleFields.node, "output.scale", "min (\(lo)) must be less than max (\(hi))")
        }
        let scoreField = try output.optionalString("score_field") ?? "score"
        let schemaNode = try output.required("json_schema")
        let schema = try parser.jsonValue(schemaNode, path: "output.json_schema")
        try parser.checkSchema(schema, node: schemaNode, numericFields: [(scoreField, lo, hi, "output.scale")])
        let pattern = try output.regex("text_pattern", what: "the score")
        return PointwiseContract(scale: ScoreScale(min: Double(lo), max: Double(hi)), scoreField: scoreField,
                                 schema: schema, pattern: pattern)
    }
}
