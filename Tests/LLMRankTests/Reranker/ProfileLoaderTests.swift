import Foundation
import Testing
@testable import LLMRank

/// Profile files are validated like prompt files: every error names the file, the line and the
/// field; unknown fields and out-of-range values never pass.
@Suite struct ProfileLoaderTests {
    func message(_ yaml: String, file: String = "p.yaml", sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            _ = try ProfileLibrary.parse(yaml: yaml, file: file)
            Issue.record("expected the profile to be refused", sourceLocation: sourceLocation)
            return ""
        } catch let error as LLMRankError {
            #expect(error.kind == .invalidProfile, sourceLocation: sourceLocation)
            return error.message
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
            return ""
        }
    }

    @Test func aFullProfileReadsEveryField() throws {
        let profile = try ProfileLibrary.parse(yaml: """
            description: everything set
            endpoint:
              base_url: http://127.0.0.1:9999/v1
              api_key_env: MY_KEY
              model: m1
              concurrency: 3
              max_attempts: 2
              timeout: 7.5
              rpm: 60
              tpm: 1000
            encoder:
              model: /models/x
              keep: 15
              precision: bfloat16
              chunk: true
            judge:
              method: listwise
              prompt: listwise
              temperature: 0.5
              seed: 7
              max_tokens: 99
              window: 10
              step: 5
              max_words: 50
              top_logprobs: 5
              json_mode: off
            fusion:
              method: weighted
              weight: 0.25
            budget:
              max_calls: 4
              max_tokens: 5000
              deadline: 2.5
            cache: /tmp/j.sqlite
            depth: 30
            top_n: 5
            """)
        #expect(profile.endpoint == EndpointSettings(baseURL: "http://127.0.0.1:9999/v1", apiKeyVariable: "MY_KEY", model: "m1",
                                                    concurrency: 3, maxAttempts: 2, timeout: 7.5, requestsPerMinute: 60,
                                                    tokensPerMinute: 1000))
        #expect(profile.encoder == EncoderSettings(model: "/models/x", keep: 15, precision: .bfloat16, chunk: true))
        #expect(profile.judge == JudgeSettings(method: .listwise, prompt: "listwise", temperature: 0.5, seed: 7, maxTokens: 99,
                                              window: 10, step: 5, maxWords: 50, topLogprobs: 5, jsonMode: .off))
        #expect(profile.fusion == FusionSettings(method: .weighted, weight: 0.25))
        #expect(profile.budget == BudgetLimits(maxCalls: 4, maxTokens: 5000, deadline: .milliseconds(2500)))
        #expect(profile.store == .sqlite(path: "/tmp/j.sqlite"))
        #expect(profile.depth == 30 && profile.topN == 5)
        // And back: the written profile reads as the same value.
        #expect(try ProfileLibrary.parse(yaml: try ProfileLibrary.yaml(profile)) == profile)
    }

    @Test func absentFieldsTakeTheDefaults() throws {
        #expect(try ProfileLibrary.parse(yaml: "description: d") == RerankerConfiguration(description: "d"))
        let encoderOnly = try ProfileLibrary.parse(yaml: "encoder: {keep: 5}")
        #expect(encoderOnly.judge == nil && encoderOnly.encoder == EncoderSettings(keep: 5))
    }

    @Test func unknownFieldsAreErrorsWithTheirLine() {
        let top = message("description: d\njudeg:\n  method: yesno\n")
        #expect(top.hasPrefix("p.yaml:2: judeg: unknown field 'judeg' (known: description, endpoint"), "\(top)")
        let nested = message("judge:\n  method: yesno\n  windw: 4\n")
        #expect(nested.hasPrefix("p.yaml:3: judge.windw: unknown field 'windw'"), "\(nested)")
    }

    @Test func wrongTypesNameTheFieldAndLine() {
        #expect(message("encoder:\n  keep: many\n") == "p.yaml:2: encoder.keep: expected an integer")
        #expect(message("judge: yesno\n").hasPrefix("p.yaml:1: judge: expected a mapping"))
        #expect(message("judge:\n  method: ranking\n").hasPrefix("p.yaml:2: judge.method: 'ranking' is not one of pointwise, aspects, yesno, listwise"))
        #expect(message("cache: ''\n").hasPrefix("p.yaml:1: cache: give default, none, or a file path"))
    }

    @Test func outOfRangeValuesAndImpossibleCombinationsAreRefused() {
        #expect(message("judge:\n  method: listwise\n  window: 1\n") == "p.yaml:3: judge.window: must be between 2 and 100, got 1")
        #expect(message("judge:\n  step: 30\n") == "p.yaml:2: judge.step: must be between 1 and 20, got 30")
        #expect(message("endpoint:\n  concurrency: 100000\n").hasPrefix("p.yaml:2: endpoint.concurrency: must be between 1 and 256"))
        #expect(message("endpoint:\n  timeout: .inf\n").hasPrefix("p.yaml:2: endpoint.timeout: must be between"))
        #expect(message("endpoint:\n  base_url: file:///etc/passwd\n").hasPrefix("p.yaml:2: endpoint.base_url: 'file:///etc/passwd' is not an http(s) URL"))
        #expect(message("budget:\n  deadline: -1\n").hasPrefix("p.yaml:2: budget.deadline: must be a positive number of seconds"))
        #expect(message("judge:\n  method: yesno\nfusion:\n  method: rrf\n").hasPrefix("p.yaml:3: fusion: fuses the encoder's and the judge's scores"))
        #expect(message("judge:\n  method: yesno\n  prompt: listwise\n").hasPrefix("p.yaml:3: judge.prompt: 'listwise' is a listwise prompt but the method is yesno"))
    }

    @Test func pairwiseAndSetwiseFieldsReadCheckAndRoundTrip() throws {
        let profile = try ProfileLibrary.parse(yaml: "judge:\n  method: setwise\n  allpairs_max: 12\n  top_k: 5\n  set_size: 3\n")
        #expect(profile.judge == JudgeSettings(method: .setwise, allPairsMax: 12, topK: 5, setSize: 3))
        #expect(try ProfileLibrary.parse(yaml: try ProfileLibrary.yaml(profile)) == profile)
        let options = try #require(profile.judge).options(model: "m", concurrency: 2)
        #expect(options.allPairsMax == 12 && options.topK == 5 && options.setSize == 3)
        #expect(message("judge:\n  set_size: 1\n") == "p.yaml:2: judge.set_size: must be between 2 and 20, got 1")
        #expect(message("judge:\n  allpairs_max: 500\n") == "p.yaml:2: judge.allpairs_max: must be between 2 and 100, got 500")
        #expect(message("judge:\n  top_k: 0\n") == "p.yaml:2: judge.top_k: must be between 1 and 1000, got 0")
    }

    @Test func aPasswordInTheBaseURLNeverShows() throws {
        let text = message("endpoint:\n  base_url: ftp://user:hunter2@example.com/v1\n")
        #expect(!text.contains("hunter2"), "\(text)")
        let profile = try ProfileLibrary.parse(yaml: "endpoint:\n  base_url: https://user:hunter2@example.com/v1\n")
        #expect(!(try ProfileLibrary.yaml(profile)).contains("hunter2"))
    }

    @Test func invalidYAMLNamesTheFile() {
        #expect(message("judge: [unclosed\n").hasPrefix("p.yaml: invalid YAML: line"))
        #expect(message("").hasPrefix("p.yaml: the profile is empty"))
    }

    /// A relative prompt path is the profile's neighbour, wherever the command runs.
    @Test func aRelativePromptPathIsFoundBesideTheProfile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmrank-profile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("prompts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try PromptLibrary.shippedYAML(named: "yesno")!.write(to: dir.appendingPathComponent("prompts/mine.yaml"), atomically: true, encoding: .utf8)
        try "judge:\n  prompt: prompts/mine.yaml\n".write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        let profile = try ProfileLibrary.load(path: dir.appendingPathComponent("p.yaml").path)
        #expect(profile.judge?.prompt == dir.appendingPathComponent("prompts/mine.yaml").standardizedFileURL.path)
        try "judge:\n  prompt: prompts/missing.yaml\n".write(to: dir.appendingPathComponent("q.yaml"), atomically: true, encoding: .utf8)
        #expect(throws: LLMRankError.self) { try ProfileLibrary.load(path: dir.appendingPathComponent("q.yaml").path) }
    }

    @Test func unknownShippedNamesListTheShippedOnes() {
        let error = #expect(throws: LLMRankError.self) { try ProfileLibrary.resolve("hybrid") }
        #expect(error?.message.contains("shipped: encoder, hybrid-listwise, hybrid-yesno, local") == true)
    }
}
