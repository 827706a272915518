// swift-tools-version:6.1
import PackageDescription

// Dependency list is deliberate: every package here costs CI a cold build (see docs/ARCHITECTURE.md).
let package = Package(
    name: "attendify",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "attendify", targets: ["attendify"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // The shared engine for several nodes (issue 10); only the Storage target sees it.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Already built for postgres-nio; named because the Storage target offers TLS to PostgreSQL.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.25.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // Already built for Hummingbird; named here because the tracker uses NIO and the service group directly.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // bcrypt for passwords (HummingbirdBcrypt is self-contained C) and SHA-256 from swift-crypto.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // libxml2 is reached only through this C shim, so its ICU-enabled headers never meet Foundation's ICU.
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Small C wrappers (HTML checking, gzip) so Swift code never imports the C headers directly.
        .target(name: "CShims", dependencies: ["CLibXML2", "CZlib"]),
        // Templates/ and Panel/ embedded at build time, so an installed binary needs no checkout.
        .executableTarget(name: "AssetEmbedder", path: "Plugins/AssetEmbedder"),
        .plugin(name: "EmbedAssets", capability: .buildTool(), dependencies: ["AssetEmbedder"]),
        .target(name: "Assets", plugins: ["EmbedAssets"]),
        .target(
            name: "Core",
            dependencies: ["Assets", .product(name: "Logging", package: "swift-log")],
            exclude: ["README.md"],
            // CLDR plural rules come from the ICU that Foundation ships (Localization/PluralCategory).
            linkerSettings: [.linkedLibrary("_FoundationICU", .when(platforms: [.linux]))]
        ),
        // The two engines behind Core's `DataStore` port; the only target that imports either driver.
        .target(
            name: "Storage",
            dependencies: [
                "Core",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "Generator",
            dependencies: [
                "Core", "CShims", "Assets",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "EdgeTracker",
            dependencies: [
                "Core",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        // Talking to other people's servers: SMTP (and the mail-drop folder) and webhook POSTs,
        // with the SSRF rules. Knows nothing of the domain, the database or HTTP routing.
        .target(
            name: "Outbound",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "API",
            dependencies: [
                "Core", "Generator", "Outbound",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "Server",
            dependencies: [
                "Core", "Storage", "Generator", "EdgeTracker", "API", "Assets", "Outbound",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "attendify",
            dependencies: [
                "Core", "Storage", "Generator", "Server", "EdgeTracker", "Outbound",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        // Shared by the test targets: a raw loopback HTTP client and temp folders. Never shipped.
        .target(name: "TestSupport", dependencies: ["Core", "Storage"], path: "Tests/TestSupport"),
        .testTarget(
            name: "CoreTests",
            dependencies: ["Core", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Core", "TestSupport"]),
        .testTarget(
            name: "GeneratorTests",
            dependencies: ["Generator", "Core", "Storage", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "EdgeTrackerTests",
            dependencies: [
                "EdgeTracker", "Core", "Storage", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // No TestSupport: it would pull Core and Storage (GRDB, PostgresNIO) into a target that needs neither.
        .testTarget(
            name: "OutboundTests",
            dependencies: [
                "Outbound",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "ServerTests", dependencies: ["Server", "Core", "Storage", "Generator", "TestSupport"]),
    ]
)
