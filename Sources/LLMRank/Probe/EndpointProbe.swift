import Foundation

/// Probes an endpoint the way a user needs before a long run. Each probe is a real request with
/// small `max_tokens`; a probe that the endpoint rejects with 400 counts as "not supported".
///
/// It sits above the client and the parsers (it reads replies with `JSONExtractor`), beside the
/// judge, which adapts at run time to the same facts.
public enum EndpointProbe {
    /// Probes `client`'s endpoint with `model`: `latencySamples` plain chat calls, then JSON
    /// object mode, JSON schema mode and logprobs. Never throws: failures are checks, and an
    /// unreachable endpoint or a refused key is `fatal`.
    public static func run(client: ChatClient, model: String, latencySamples: Int = 3) async -> ProbeReport {
        var report = ProbeReport(baseURL: client.configuration.baseURL, model: model)
        let keyNote = client.configuration.apiKey == nil ? "no key sent" : "key from \(client.configuration.apiKeyVariable)"

        // 1. Plain chat, a few times, for reachability, the key, and latency.
        var latencies: [Duration] = []
        var firstReply = ""
        for i in 0..<max(1, latencySamples) {
            guard let result = await chatPing(client, model: model, into: &report) else { return report }
            latencies.append(result.record.latency)
            if i == 0 { firstReply = result.response.content }
        }
        report.checks.append(.init(name: "reachable", ok: true, detail: client.configuration.baseURL))
        report.checks.append(.init(name: "key accepted", ok: true, detail: keyNote))
        report.checks.append(.init(name: "chat", ok: true, detail: "replied \(excerpt(firstReply))"))
        report.medianLatency = latencies.sorted()[latencies.count / 2]

        // 2. JSON object mode.
        let objectRequest = ChatRequest(
            model: model,
            messages: [.system("You reply with JSON only."),
                       .user("Return a JSON object with the key \"answer\" set to the number 4.")],
            temperature: 0, maxTokens: 40, responseFormat: .jsonObject)
        switch await attempt(client, objectRequest) {
        case .success(let text):
            let parsed = jsonObject(text)
            report.capabilities.jsonObject = parsed != nil
            report.checks.append(.init(name: "json_object", ok: parsed != nil,
                                       detail: parsed != nil ? "reply is a JSON object" : "reply is not JSON: \(excerpt(text))"))
        case .failure(let error):
            report.checks.append(.init(name: "json_object", ok: false, detail: "rejected: \(error.message)"))
        }

        // 3. JSON schema mode: an enum the model must pick from and no other keys.
        let colors: [JSONValue] = ["red", "green", "blue"]
        let schema: JSONValue = [
            "type": "object",
            "properties": ["color": ["type": "string", "enum": .array(colors)]],
            "required": ["color"],
            "additionalProperties": false,
        ]
        let schemaRequest = ChatRequest(
            model: model, messages: [.user("Name any colour of the rainbow. Answer in JSON.")],
            temperature: 0, maxTokens: 40, responseFormat: .jsonSchema(name: "colour", schema: schema))
        switch await attempt(client, schemaRequest) {
        case .success(let text):
            let object = jsonObject(text)
            let honoured = object.map { $0.count == 1 && $0["color"].map(colors.contains) == true } ?? false
            report.capabilities.jsonSchema = honoured
            report.checks.append(.init(name: "json_schema", ok: honoured,
                                       detail: honoured ? "reply follows the schema" : "reply ignores the schema: \(excerpt(text))"))
        case .failure(let error):
            report.checks.append(.init(name: "json_schema", ok: false, detail: "rejected: \(error.message)"))
        }

        // 4. Logprobs with alternatives.
        let logprobRequest = ChatRequest(
            model: model, messages: [.user("Is the sky blue on a clear day? Answer Yes or No.")],
            temperature: 0, maxTokens: 1, logprobs: true, topLogprobs: 5)
        do {
            let result = try await client.complete(logprobRequest)
            let alternatives = result.response.logprobs?.first?.topLogprobs.count ?? 0
            report.capabilities.logprobs = result.response.logprobs?.isEmpty == false
            report.capabilities.topLogprobs = alternatives
            report.checks.append(.init(name: "logprobs", ok: report.capabilities.logprobs,
                                       detail: report.capabilities.logprobs
                                           ? "\(alternatives) alternatives per token" : "none returned"))
        } catch let error as LLMRankError {
            report.checks.append(.init(name: "logprobs", ok: false, detail: "rejected: \(error.message)"))
        } catch {
            report.checks.append(.init(name: "logprobs", ok: false, detail: "\(error)"))
        }
        return report
    }

    /// One plain chat call: whether the endpoint is reachable now and accepts the key (what a
    /// server's readiness needs, without the capability checks of `run`). Never throws.
    public static func ping(client: ChatClient, model: String) async -> ProbeReport {
        var report = ProbeReport(baseURL: client.configuration.baseURL, model: model)
        if let result = await chatPing(client, model: model, into: &report) {
            report.checks.append(.init(name: "reachable", ok: true, detail: client.configuration.baseURL))
            report.medianLatency = result.record.latency
        }
        return report
    }

    /// A tiny chat call; on a failure, records the failed check and `fatal` in `report` and
    /// returns nil.
    private static func chatPing(_ client: ChatClient, model: String, into report: inout ProbeReport) async -> ChatResult? {
        let ping = ChatRequest(model: model, messages: [.user("Reply with the single word: pong")], temperature: 0, maxTokens: 8)
        do {
            return try await client.complete(ping)
        } catch let error as LLMRankError {
            report.fatal = error
            switch (error.kind, error.status) {
            case (.transport, _), (.timeout, _):
                report.checks.append(.init(name: "reachable", ok: false, detail: error.message))
            case (.http, 401?), (.http, 403?):
                report.checks.append(.init(name: "reachable", ok: true, detail: "HTTP answered"))
                report.checks.append(.init(name: "key accepted", ok: false, detail: error.message))
            default:
                report.checks.append(.init(name: "reachable", ok: true, detail: "HTTP answered"))
                report.checks.append(.init(name: "chat", ok: false, detail: error.message))
            }
        } catch {
            report.fatal = LLMRankError(.transport, "\(error)")
            report.checks.append(.init(name: "reachable", ok: false, detail: "\(error)"))
        }
        return nil
    }

    private static func attempt(_ client: ChatClient, _ request: ChatRequest) async -> Result<String, LLMRankError> {
        do {
            return .success(try await client.complete(request).response.content)
        } catch let error as LLMRankError {
            return .failure(error)
        } catch {
            return .failure(LLMRankError(.transport, "\(error)"))
        }
    }

    /// The reply as a JSON object when it is nothing else (a code fence allowed).
    static func jsonObject(_ text: String) -> [String: JSONValue]? {
        JSONExtractor.onlyValue(in: text)?.objectValue
    }

    private static func excerpt(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return "\"" + (flat.count > 60 ? flat.prefix(60) + "..." : flat) + "\""
    }
}
