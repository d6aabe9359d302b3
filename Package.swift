// swift-tools-version: 6.1
import PackageDescription

/// Strict settings for every target of ours (hummingbird's loop): Swift 6 mode comes from the tools
/// version; ExistentialAny makes every existential explicit.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "llmrank",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LLMRank", targets: ["LLMRank"]),
        .executable(name: "llmrank", targets: ["LLMRankCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        // `swift package generate-documentation --target LLMRank` (the DocC catalog in
        // Sources/LLMRank/LLMRank.docc); a plugin, nothing of it is linked.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        // `llmrank serve`: HTTP/1.1 only, without the swift-configuration trait (one package less to build).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // `llmrank mcp`: the rerank tool over MCP's stdio transport.
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        // `--cache postgres://…`: the judgment store shared by many processes and machines.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // libcurl, through pkg-config; Debian: libcurl4-openssl-dev.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // OpenBLAS for every matrix product of the encoder; Debian: libopenblas-dev.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // Tiny C shims with prefixed names: curl's variadic setopt/getinfo, SHA-256 over OpenSSL.
        .target(
            name: "CLLMRankShims",
            dependencies: ["CCurl"],
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        // The encoder's element-wise kernels and its AVX512-BF16 matrix product, in C. Optimized in
        // debug builds too: at -O0 the BF16 product's intrinsics run about 8x slower than OpenBLAS's
        // F32 (measured: 21.6 s against 2.7 s for one DL19 query), and `auto` picks BF16. SwiftPM
        // accepts these flags in the root package and in branch-based dependencies.
        .target(
            name: "CLLMRankEncoderKernels",
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]
        ),
        .target(
            name: "LLMRank",
            dependencies: [
                "CCurl",
                "CLLMRankShims",
                "CBLAS",
                "CLLMRankEncoderKernels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // `llmrank serve`: the rerank HTTP API (Cohere, Jina, TEI, llama.cpp shapes and the native
        // one) over `Reranker`. A library target the CLI links, so tests start it in-process.
        .target(
            name: "LLMRankServer",
            dependencies: [
                "LLMRank",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "LLMRankCLI",
            dependencies: [
                "LLMRank",
                "LLMRankServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Test doubles at the network boundary (a loopback HTTP server that plays an OpenAI
        // endpoint, with faults on demand), shared by the tests and the benchmarks.
        .target(
            name: "LLMRankTestSupport",
            dependencies: ["LLMRank"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "llmrank-bench",
            dependencies: [
                "LLMRank",
                "LLMRankTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/Sources",
            swiftSettings: strict
        ),
        // The encoder benchmark (bench/encoder/run runs it beside sentence-transformers).
        .executableTarget(
            name: "llmrank-encoder-bench",
            dependencies: ["LLMRank"],
            path: "bench/encoder/Sources",
            swiftSettings: strict
        ),
        // The Swift API in one screen (README); built by CI.
        .executableTarget(
            name: "llmrank-example",
            dependencies: ["LLMRank"],
            path: "Examples/QuickStart",
            swiftSettings: strict
        ),
        // Many queries through one reranker (README); built by CI.
        .executableTarget(
            name: "llmrank-example-many",
            dependencies: ["LLMRank"],
            path: "Examples/ManyQueries",
            swiftSettings: strict
        ),
        .testTarget(
            name: "LLMRankTests",
            dependencies: [
                "LLMRank",
                "LLMRankServer",
                "LLMRankTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)
