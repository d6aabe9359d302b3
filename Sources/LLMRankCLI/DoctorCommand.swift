import ArgumentParser
import Foundation
import LLMRank

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Probe an endpoint: reachable, key accepted, chat, json_object, json_schema, logprobs, latency."
    )

    @OptionGroup var endpoint: EndpointOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: "Plain chat calls to time.")
    var samples: Int = 3

    @ArgumentParser.Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let logger = logging.makeLogger()
        let samples = self.samples
        // The embedded server's binary, chosen as the start below chooses it (same environment, same CPU).
        let local = endpoint.settings.usesLocalServer() ? LocalLLMConfiguration() : nil
        let build = local?.serverBuild
        let report = try await endpoint.settings.withClient(logger: logger) { client, model in
            await EndpointProbe.run(client: client, model: model, latencySamples: samples)
        }
        if json {
            var checks: [String: JSONValue] = [:]
            for c in report.checks { checks[c.name] = ["ok": .bool(c.ok), "detail": .string(c.detail)] }
            let object: JSONValue = [
                "base_url": .string(EndpointSettings.redactingPassword(report.baseURL)), "model": .string(report.model), "ok": .bool(report.ok),
                "checks": .object(checks),
                "capabilities": [
                    "json_object": .bool(report.capabilities.jsonObject),
                    "json_schema": .bool(report.capabilities.jsonSchema),
                    "logprobs": .bool(report.capabilities.logprobs),
                    "top_logprobs": .number(Double(report.capabilities.topLogprobs)),
                ],
                "median_latency_ms": report.medianLatency.map { .number(Double($0.milliseconds)) } ?? .null,
                "local_server": local.map {
                    ["binary": .string($0.serverBuild.path.path), "build": .string($0.serverBuild.variant),
                     "reason": .string($0.serverBuild.reason), "model": .string($0.modelPath.path),
                     "weights": .string($0.modelChoice.weights), "weights_reason": .string($0.modelChoice.reason)]
                } ?? .null,
            ]
            print(try JSONOutput.string(object))
        } else {
            print("endpoint  \(EndpointSettings.redactingPassword(report.baseURL))")
            print("model     \(report.model)")
            if let build { print("server    \(build.path.path) (\(build.variant): \(build.reason))") }
            if let local { print("weights   \(local.modelPath.path) (\(local.modelChoice.weights): \(local.modelChoice.reason))") }
            for c in report.checks {
                print("\(c.ok ? "ok  " : "FAIL")  \(c.name.padding(toLength: 13, withPad: " ", startingAt: 0)) \(c.detail)")
            }
            if let latency = report.medianLatency {
                print("      latency       \(latency.milliseconds) ms median over \(samples) calls")
            }
        }
        if let fatal = report.fatal { throw fatal }
    }
}
