// swift-tools-version:6.0
import PackageDescription

// The target list mirrors the layers in DESIGN.md: C shims at the bottom, then core (pure domain),
// the store seam (the `Store` protocol and its records) with SQLite and PostgreSQL behind it, services, http
// (request/response/router/problems), api (handlers), and the FastCGI transport on top.
// Executables only wire these together.
let package = Package(
    name: "Coffer",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cofferd", targets: ["cofferd"]),
        .executable(name: "coffer", targets: ["coffer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        .systemLibrary(name: "CLinuxRandom"),
        .target(name: "CofferCore", dependencies: ["CLinuxRandom"]),
        .target(name: "CofferLogging", dependencies: ["CofferCore", .product(name: "Logging", package: "swift-log")]),
        .target(name: "CofferStore", dependencies: ["CofferCore", .product(name: "CoreMetrics", package: "swift-metrics")]),
        .target(name: "CofferSQLite", dependencies: ["CofferCore", "CofferStore", "CSQLite3"]),
        .target(name: "CofferPostgres", dependencies: ["CofferCore", "CofferStore", "CPostgres"]),
        .target(name: "CofferCrypto", dependencies: ["CofferCore", "CLibCrypto", "CArgon2"]),
        .target(name: "CofferOutbound", dependencies: ["CofferCore", "CCurl"]),
        .target(
            name: "CofferServices",
            dependencies: [
                "CofferCore", "CofferStore", "CofferCrypto", "CofferOutbound", .product(name: "CoreMetrics", package: "swift-metrics"),
            ]),
        .target(
            name: "CofferHTTP",
            dependencies: [
                "CofferCore", .product(name: "Logging", package: "swift-log"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]),
        .target(
            name: "CofferAPI",
            dependencies: ["CofferCore", "CofferHTTP", "CofferServices", .product(name: "HTTPTypes", package: "swift-http-types")],
            resources: [.copy("Resources/openapi.json")]
        ),
        .target(
            name: "CofferFastCGI",
            dependencies: [
                "CofferHTTP", "CFastCGI", .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),

        .executableTarget(
            name: "cofferd",
            dependencies: [
                "CofferCore", "CofferStore", "CofferSQLite", "CofferPostgres", "CofferHTTP", "CofferAPI", "CofferFastCGI", "CofferLogging",
                "CofferCrypto",
                "CofferServices",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "coffer",
            dependencies: [
                "CofferCore", "CofferStore", "CofferSQLite", "CofferPostgres", "CofferCrypto", "CofferServices",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // What several test targets share (a PostgreSQL schema per test, raw SQL on either store); never
        // linked into a product.
        .target(name: "CofferTestSupport", dependencies: ["CofferSQLite", "CofferPostgres"], path: "Tests/TestSupport"),
        .testTarget(name: "CofferCoreTests", dependencies: ["CofferCore"]),
        .testTarget(
            name: "CofferStoreTests", dependencies: ["CofferSQLite", "CofferPostgres", "CofferStore", "CofferCore", "CofferTestSupport"]),
        .testTarget(name: "CofferCryptoTests", dependencies: ["CofferCrypto", "CofferCore"]),
        .testTarget(
            name: "CofferHTTPTests",
            dependencies: ["CofferHTTP", "CofferFastCGI", "CofferCore", .product(name: "HTTPTypes", package: "swift-http-types")]),
        .testTarget(
            name: "CofferAPITests",
            dependencies: [
                "CofferAPI", "CofferHTTP", "CofferServices", "CofferStore", "CofferSQLite", "CofferPostgres", "CofferCrypto", "CofferCore",
                "CofferTestSupport",
                .product(name: "Logging", package: "swift-log"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CoreMetrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .testTarget(name: "EndToEndTests", dependencies: ["CofferSQLite", "CofferStore", "CofferTestSupport"]),
    ]
)
