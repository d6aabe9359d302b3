/// The aspects contract: several aspect scores in one JSON object (the file's `rubric`), whose
/// weighted sum is the document's score. `output.json_schema` is optional: without it the schema
/// is one integer field per aspect.
///
/// ```yaml
/// rubric:
///   - {name: direct_answer, min: 0, max: 5, weight: 1, description: ...}
/// output:
///   json_schema: {...}         # optional
/// ```
public struct AspectsContract: ContractReading, Hashable {
    /// Aspects prompts carry this contract.
    public static let method = JudgeMethod.aspects
    static let input = PromptInput.document
    static let ownFields = ["rubric"]

    /// The aspects, in the file's order.
    public let rubric: [RubricAspect]
    /// The JSON schema sent as `response_format`.
    public let schema: JSONValue

    /// The schema, sent as `response_format`.
    public var jsonSchema: JSONValue? { schema }

    /// The range of the weighted total.
    public var totalRange: ClosedRange<Double> {
        let lo = rubric.reduce(0) { $0 + $1.weight * Double($1.min) }
        let hi = rubric.reduce(0) { $0 + $1.weight * Double($1.max) }
        return lo...hi
    }

    static func read(_ top: PromptFileParser.Fields) throws -> AspectsContract {
        let parser = top.parser
        guard let rubricNode = top["rubric"] else {
            throw parser.failure(nil as Int?, nil, "missing field 'rubric' (aspects prompts list their aspects: name, min, max, weight)")
        }
        guard case .sequence(let items) = rubricNode, !items.isEmpty else {
            throw parser.failure(rubricNode, "rubric", "must be a non-empty list of aspects (name, min, max, weight)")
        }
        var rubric: [RubricAspect] = []
        for (i, item) in items.enumerated() {
            let path = "rubric[\(i)]"
            let f = try parser.fields(of: item, path: path, allowed: ["name", "min", "max", "weight", "description"],
                                      line: item.mark?.line)
            let name = try f.string("name")
            guard name.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil else {
                throw parser.failure(f["name"], "\(path).name", "'\(name)' is not a valid JSON field name (letters, digits, '_')")
            }
            guard !rubric.contains(where: { $0.name == name }) else {
                throw parser.failure(f["name"], "\(path).name", "aspect '\(name)' appears twice")
            }
            let lo = try f.int("min"), hi = try f.int("max")
            guard lo < hi else { throw parser.failure(item, path, "min (\(lo)) must be less than max (\(hi))") }
            let weight = try f.optionalNumber("weight") ?? 1
            guard weight > 0, weight.isFinite else {
                throw parser.failure(f["weight"], "\(path).weight", "must be a positive number")
            }
            rubric.append(RubricAspect(name: name, min: lo, max: hi, weight: weight,
                                       description: try f.optionalString("description")))
        }

        var schema = defaultSchema(rubric)
        if top["output"] != nil {
            let output = try top.nested("output", allowed: ["json_schema"])
            if let schemaNode = output["json_schema"] {
                schema = try parser.jsonValue(schemaNode, path: "output.json_schema")
                try parser.checkSchema(schema, node: schemaNode,
                                       numericFields: rubric.map { ($0.name, $0.min, $0.max, "rubric") })
            }
        }
        return AspectsContract(rubric: rubric, schema: schema)
    }

    /// The schema an aspects prompt gets when its file gives none: one integer field per aspect.
    static func defaultSchema(_ rubric: [RubricAspect]) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for aspect in rubric {
            properties[aspect.name] = ["type": "integer", "minimum": .number(Double(aspect.min)),
                                       "maximum": .number(Double(aspect.max))]
        }
        return ["type": "object", "properties": .object(properties),
                "required": .array(rubric.map { .string($0.name) }), "additionalProperties": false]
    }
}
