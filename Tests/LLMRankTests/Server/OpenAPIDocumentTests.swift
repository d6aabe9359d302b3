import Testing
@testable import LLMRankServer

/// The served OpenAPI document describes exactly the routes the server answers.
@Suite struct OpenAPIDocumentTests {
    @Test func itsPathsAreTheRoutes() {
        let paths = OpenAPIDocument.yaml.split(separator: "\n")
            .filter { $0.hasPrefix("  /") && $0.hasSuffix(":") }
            .map { String($0.dropFirst(2).dropLast()) }
        #expect(Set(paths) == Set(Route.allCases.map(\.rawValue)))
        #expect(paths.count == Route.allCases.count)
        for route in Route.allCases {
            #expect(OpenAPIDocument.yaml.contains("  \(route.rawValue):\n    \(route.method.lowercased()):"), "\(route)")
        }
    }
}
