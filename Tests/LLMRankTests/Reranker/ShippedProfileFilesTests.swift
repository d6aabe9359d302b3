import Foundation
import Testing
@testable import LLMRank

/// The shipped profiles: profiles/*.yaml is the source, ShippedProfiles.swift the compiled-in copy.
@Suite struct ShippedProfileFilesTests {
    static let files = EmbeddedYAMLFiles(folder: "profiles", generatedPath: "Sources/LLMRank/Reranker/ShippedProfiles.swift",
                                         enumName: "ShippedProfiles", updateVariable: "LLMRANK_UPDATE_PROFILES",
                                         suite: "ShippedProfileFiles")

    @Test func embeddedCopiesEqualTheFiles() throws {
        let disk = try Self.files.filesOnDisk()
        if Self.files.updateRequested { return try Self.files.update() }
        #expect(ShippedProfiles.files.map(\.name) == disk.map(\.name), "\(Self.files.regenerate)")
        for (a, b) in zip(ShippedProfiles.files, disk) {
            #expect(a.yaml == b.yaml, "profiles/\(b.name).yaml differs from its embedded copy; \(Self.files.regenerate)")
        }
        #expect(try Self.files.committed() == Self.files.generate(disk))
    }

    @Test func theIssueProfilesAreShipped() {
        for name in ["encoder", "local", "hybrid-yesno", "hybrid-listwise"] {
            #expect(ProfileLibrary.shippedNames.contains(name))
        }
    }

    /// Each shipped profile loads, validates, says what it is for, and reads back equal from the YAML
    /// the library writes for it (what `-v` prints is a profile that means the same).
    @Test(arguments: ProfileLibrary.shippedNames)
    func everyShippedProfileLoadsAndRoundTrips(name: String) throws {
        let profile = try ProfileLibrary.named(name)
        #expect(profile.description?.isEmpty == false)
        try profile.validate()
        let written = try ProfileLibrary.yaml(profile)
        #expect(try ProfileLibrary.parse(yaml: written) == profile)
        #expect(try ProfileLibrary.load(path: Self.files.directory.appendingPathComponent("\(name).yaml").path) == profile)
    }

    @Test func shippedProfilesDescribeTheirPipelines() throws {
        let encoder = try ProfileLibrary.named("encoder")
        #expect(encoder.encoder?.model == "all-MiniLM-L6-v2" && encoder.judge == nil && !encoder.needsLLM)
        let local = try ProfileLibrary.named("local")
        #expect(local.endpoint.baseURL == "local")
        // Chosen by `llmrank tune` on DL19: SmolLM2-135M never helped significantly, so the encoder alone.
        #expect(local.encoder?.model == "all-MiniLM-L6-v2" && local.judge == nil && !local.needsLLM)
        let yesno = try ProfileLibrary.named("hybrid-yesno")
        #expect(yesno.endpoint.baseURL == nil && yesno.judge?.method == .yesno && yesno.fusion == nil)
        let listwise = try ProfileLibrary.named("hybrid-listwise")
        #expect(listwise.judge?.method == .listwise && listwise.judge?.window == 20)
    }
}
