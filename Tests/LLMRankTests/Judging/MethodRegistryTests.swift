import Foundation
import Testing
@testable import LLMRank

/// The registry is the one list of methods: names, prompt files, profiles and the judge all read it.
@Suite struct MethodRegistryTests {
    @Test func theMethodsAreTheRegisteredStrategiesInOrder() {
        #expect(JudgeMethod.allCases.map(\.rawValue) == ["pointwise", "aspects", "yesno", "listwise", "first", "pairwise", "setwise"])
        #expect(JudgeMethod(rawValue: "listwise") == .listwise)
        #expect(JudgeMethod(rawValue: "pairwise") == .pairwise)
        #expect(JudgeMethod(rawValue: "tournament") == nil)
        #expect(Set(MethodRegistry.contracts.map { $0.method }).count == MethodRegistry.strategies.count)
    }

    @Test(arguments: JudgeMethod.allCases)
    func everyMethodsDefaultPromptIsOfThatMethodAndPicksItsStrategy(method: JudgeMethod) throws {
        let prompt = try PromptLibrary.named(PromptLibrary.defaultName(for: method))
        #expect(prompt.method == method)
        #expect(type(of: prompt.output).method == method)
        let strategy = try #require(MethodRegistry.strategy(for: prompt, options: JudgeOptions(model: "m")))
        #expect(type(of: strategy).method == method)
        #expect(Judge(prompt: prompt, chat: NoChat(), options: JudgeOptions(model: "m")).stageName == method.rawValue)
    }

    @Test func aProfileOrFlagNameDecodesThroughTheRegistry() throws {
        #expect(try JSONDecoder().decode(JudgeMethod.self, from: Data(#""yesno""#.utf8)) == .yesno)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JudgeMethod.self, from: Data(#""tournament""#.utf8)) }
    }
}

/// A chat that is never called: the tests above only build judges.
private struct NoChat: ChatCompleting {
    var endpointIdentity: String { "none" }
    func complete(_ request: ChatRequest) async throws -> ChatResult {
        throw LLMRankError(.transport, "not called")
    }
}
