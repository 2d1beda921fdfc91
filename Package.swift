// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "leadline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "leadline", targets: ["leadline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        // Tests only: exports are read back by an independent RFC 4180 parser, not by our own importer's.
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
        // Latency percentiles of the simulator's runs and the benchmarks.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
        // Scenario files written in YAML.
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        // The simulator's mock buyers keep their late answers in a heap, ordered by when each is due.
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
    ],
    targets: [
        // C libraries. Swift cannot call variadic C functions, so each has a tiny shim header.
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Hashing, HMAC, randomness, password hashing and encryption over OpenSSL libcrypto.
        .target(name: "LeadlineCrypto", dependencies: ["COpenSSL"]),

        // HTTP over libmicrohttpd: requests, responses, routing, middleware. Knows nothing of leads.
        .target(name: "HTTPServer", dependencies: [
            "CMicroHTTPD",
            .product(name: "HeapModule", package: "swift-collections"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // One SQLite file: group-committed writes, migrations, backup. Knows nothing of HTTP.
        .target(name: "Store", dependencies: [
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            "CSQLite",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The files of public/ (console CSS, JavaScript, icons), compiled into the binary by the EmbedAssets plugin.
        .executableTarget(name: "embed-assets"),
        .plugin(name: "EmbedAssets", capability: .buildTool(), dependencies: ["embed-assets"]),
        .target(name: "LeadlineAssets", dependencies: ["LeadlineCrypto"], plugins: ["EmbedAssets"]),

        // Outbound HTTP over libcurl (buyers, webhooks, providers).
        .target(name: "OutboundHTTP", dependencies: ["CCurl"]),
        // Outbound mail: a message handed to an SMTP relay through libcurl (STARTTLS, auth).
        .target(name: "OutboundMail", dependencies: ["CCurl"]),

        // The domain: one implementation of each concept, used by both API dialects and the console.
        .target(name: "LeadlineCore", dependencies: ["Store", "LeadlineCrypto", "HTTPServer", "OutboundHTTP", "OutboundMail"]),

        // The web console (/admin): server-rendered HTML from Mustache templates compiled into the binary.
        .target(name: "LeadlineAdmin", dependencies: [
            "LeadlineCore", "HTTPServer", "Simulator", .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The HTTP faces of the core: the lead2inbound (/v1) and EZLeeds (/api/v1) dialects, and the console's wiring.
        .target(name: "LeadlineAPI", dependencies: ["LeadlineCore", "HTTPServer", "LeadlineAssets", "LeadlineAdmin", "OutboundHTTP", "OutboundMail"]),

        // The simulator's parts: mock buyers on loopback ports, synthetic leads, a mock call platform, scenarios and their
        // runs (tests, `leadline simulate`, `serve --demo`).
        .target(name: "Simulator", dependencies: ["HTTPServer", "LeadlineCore", "OutboundHTTP",
                                                  .product(name: "Histogram", package: "hdrhistogram-swift"),
                                                  .product(name: "Yams", package: "Yams"),
                                                  .product(name: "HeapModule", package: "swift-collections")]),

        // The command line: wiring only.
        .executableTarget(name: "leadline", dependencies: [
            "LeadlineAPI", "OutboundHTTP", "OutboundMail", "Simulator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // In-process benchmark of the compliance gate and do-not-call lookups (Tests/Benchmarks/compliance.sh).
        .executableTarget(name: "compliance-benchmark", dependencies: ["LeadlineCore"], path: "Tests/Benchmarks/ComplianceBenchmark"),

        // Starts the real server over a temp database for tests; spawns the real binary where a test needs a process.
        .target(name: "LeadlineTesting", dependencies: ["LeadlineAPI", "HTTPServer", "Simulator"], path: "Tests/LeadlineTesting"),

        .testTarget(name: "LeadlineCryptoTests", dependencies: ["LeadlineCrypto"]),
        .testTarget(name: "OutboundHTTPTests", dependencies: ["OutboundHTTP", "HTTPServer", "LeadlineTesting"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "LeadlineTesting"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "LeadlineTesting"]),
        .testTarget(name: "LeadlineCoreTests", dependencies: ["LeadlineCore", "LeadlineTesting"]),
        .testTarget(name: "LeadlineAPITests", dependencies: ["LeadlineAPI", "LeadlineAdmin", "LeadlineTesting", "Simulator", "leadline",
                                                               .product(name: "CSV", package: "CSV.swift")]),
    ]
)
