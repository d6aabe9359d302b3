import Yams

/// JSON schemas in prompt files: read from YAML and checked for what llmrank relies on.
extension PromptFileParser {
    static let schemaTypes = ["string", "number", "integer", "boolean", "object", "array", "null"]

    /// Checks the parts of a schema llmrank relies on: an object schema whose numeric fields exist,
    /// are required, and whose bounds (where given) match the scale or rubric. Every `type`,
    /// `properties` and `required` anywhere in it must be well formed.
    func checkSchema(_ schema: JSONValue, node: Node, numericFields: [(String, Int, Int, String)]) throws {
        try checkSchemaShape(schema, node: node, path: "output.json_schema")
        guard schema["type"] == "object", let properties = schema["properties"]?.objectValue else {
            throw failure(node, "output.json_schema", "must be an object schema: type: object with properties")
        }
        let required = schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for (field, lo, hi, source) in numericFields {
            let path = "output.json_schema.properties.\(field)"
            guard let property = properties[field] else {
                throw failure(node, "output.json_schema", "has no property '\(field)' (required by \(source))")
            }
            guard property["type"] == "integer" || property["type"] == "number" else {
                throw failure(node, path, "type must be integer or number")
            }
            if let minimum = property["minimum"]?.doubleValue, minimum != Double(lo) {
                throw failure(node, "\(path).minimum", "is \(Self.number(minimum)) but \(source) says \(lo)")
            }
            if let maximum = property["maximum"]?.doubleValue, maximum != Double(hi) {
                throw failure(node, "\(path).maximum", "is \(Self.number(maximum)) but \(source) says \(hi)")
            }
            guard required.contains(field) else {
                throw failure(node, "output.json_schema.required", "must list '\(field)'")
            }
        }
    }

    private func checkSchemaShape(_ value: JSONValue, node: Node, path: String) throws {
        guard case .object(let object) = value else { return }
        if let type = object["type"] {
            let names = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
            guard !names.isEmpty, names.count == (type.arrayValue?.count ?? 1) else {
                throw failure(node, "\(path).type", "must be a type name or a list of them")
            }
            for name in names where !Self.schemaTypes.contains(name) {
                throw failure(node, "\(path).type", "'\(name)' is not a JSON schema type (\(Self.schemaTypes.joined(separator: ", ")))")
            }
        }
        if let properties = object["properties"] {
            guard case .object(let children) = properties else {
                throw failure(node, "\(path).properties", "must be a mapping of property name to schema")
            }
            for (key, child) in children.sorted(by: { $0.key < $1.key }) {
                guard child.objectValue != nil else {
                    throw failure(node, "\(path).properties.\(key)", "must be a schema (a mapping)")
                }
                try checkSchemaShape(child, node: node, path: "\(path).properties.\(key)")
            }
        }
        if let required = object["required"] {
            guard let names = required.arrayValue, names.allSatisfy({ $0.stringValue != nil }) else {
                throw failure(node, "\(path).required", "must be a list of property names")
            }
            let known = object["properties"]?.objectValue ?? [:]
            for name in names.compactMap(\.stringValue) where known[name] == nil {
                throw failure(node, "\(path).required", "lists '\(name)', which is not in properties")
            }
        }
        if let items = object["items"] { try checkSchemaShape(items, node: node, path: "\(path).items") }
    }

    private static func number(_ x: Double) -> String {
        x.rounded() == x && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }

    /// A YAML node as JSON: plain scalars by their resolved tag (int, float, bool, null), every
    /// quoted or block scalar as a string.
    func jsonValue(_ node: Node, path: String) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.resolvedTag {
            case .int: if let i = node.int { return .number(Double(i)) }
            case .float: if let d = node.float { return .number(d) }
            case .bool: if let b = node.bool { return .bool(b) }
            case .null: return .null
            default: break
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .array(try sequence.enumerated().map { try jsonValue($0.element, path: "\(path)[\($0.offset)]") })
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let name = key.scalar?.string else { throw failure(key, path, "keys must be strings") }
                guard object[name] == nil else { throw failure(key, path, "key '\(name)' appears twice") }
                object[name] = try jsonValue(value, path: "\(path).\(name)")
            }
            return .object(object)
        case .alias:
            throw failure(node, path, "YAML aliases are not supported in prompt files")
        }
    }
}
