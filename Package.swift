// swift-tools-version:6.1
import PackageDescription

/// Tally: Kafka events folded exactly once into SQLite rollups, served as reports over HTTP.
///
/// The data path runs one way through the modules:
/// `Crdkafka` → `TallyKafka` → `TallyDomain` (decode, fold) → `TallyStore` → `TallyHTTP` → `tally`.
/// User-made state (API keys, report jobs, templates, the audit log) lives beside it in
/// `TallySettings`, which never depends on the rollups. Reports are documents (`TallyReports`)
/// rendered by one module per C library (`TallyPDF` over cairo and pango, `TallyXLSX` over
/// libxlsxwriter); `TallyReportJobs` runs them.
let package = Package(
    name: "tally",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tally", targets: ["TallyCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
    ],
    targets: [
        /// librdkafka, found through pkg-config.
        .systemLibrary(
            name: "Crdkafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        /// cairo and pango, found through pkg-config: the PDF renderer's drawing and text layout.
        .systemLibrary(
            name: "CPangoCairo",
            pkgConfig: "pangocairo",
            providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]
        ),
        /// libxlsxwriter, found through pkg-config: the XLSX renderer's workbook writer.
        .systemLibrary(
            name: "CXLSXWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        /// libcurl, found through pkg-config: the SMTP client of scheduled report mail.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        /// Pure domain: events, decoding, rollup arithmetic, bitmaps, windows, report definitions.
        .target(name: "TallyDomain"),
        /// librdkafka wrappers: consumer, producer, admin. The only module that imports librdkafka.
        .target(
            name: "TallyKafka",
            dependencies: ["Crdkafka", .product(name: "Logging", package: "swift-log")]
        ),
        /// What every SQLite store of Tally shares: opening a file so that processes starting
        /// together migrate it once. Knows no schema, so neither store depends on the other's.
        .target(
            name: "TallySQLite",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")]
        ),
        /// The rollup store, derived from the topics and rebuildable: migrations, batch application
        /// with offsets, report queries, dead letters.
        .target(
            name: "TallyStore",
            dependencies: [
                "TallyDomain", "TallySQLite", .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C interface, which GRDB ships as a system-library target: the ingest
                // writer binds its per-event statements directly (see `RawStatement`).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        /// The settings store: user-made state that no replay can rebuild (API keys today), changed
        /// only by applying command values, each kept in a numbered log.
        .target(
            name: "TallySettings",
            dependencies: ["TallyDomain", "TallySQLite", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        /// Prometheus metrics through swift-metrics: ingest per committed batch, HTTP per request,
        /// and the states (lag, freshness, file sizes) read when scraped.
        .target(
            name: "TallyMetrics",
            dependencies: [
                "TallyDomain",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        /// Report documents and their renderers: pure code that turns rollup readings into a
        /// document of sections (KPIs, series, tables, heat maps) and renders it as JSON, CSV or HTML.
        .target(name: "TallyReports", dependencies: ["TallyDomain"]),
        /// The PDF renderer of report documents: the only module that imports cairo and pango.
        .target(name: "TallyPDF", dependencies: ["TallyReports", "CPangoCairo"]),
        /// The XLSX renderer of report documents: the only module that imports libxlsxwriter.
        .target(name: "TallyXLSX", dependencies: ["TallyReports", "CXLSXWriter"]),
        /// Report mail: messages as values, written as MIME, sent by SMTP through libcurl (the only
        /// module that imports it).
        .target(name: "TallyMail", dependencies: ["TallyDomain", "CCurl"]),
        /// The report job runner: the worker pool that builds, renders and durably writes the
        /// reports the settings store's jobs ask for, as a service of `tally serve`.
        .target(
            name: "TallyReportJobs",
            dependencies: [
                "TallyDomain", "TallyReports", "TallyPDF", "TallyXLSX", "TallySettings", "TallyStore", "TallyMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// Scheduled reports: the scheduler that records each due run once, generates it through
        /// the report jobs and mails it to each recipient with a delivery log.
        .target(
            name: "TallyDelivery",
            dependencies: [
                "TallyDomain", "TallyReports", "TallySettings", "TallyReportJobs", "TallyMail", "TallyMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// The ingest service: consume → decode → fold → one transaction per batch.
        .target(
            name: "TallyIngest",
            dependencies: [
                "TallyDomain", "TallyKafka", "TallyStore", "TallyMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// The HTTP API over the stores: keys from the settings store, figures from the rollups. The
        /// published report schemas (`schemas/`, through links in `Sources/TallyHTTP/Schemas`) are
        /// compiled in, so the binary needs no files beside it.
        .target(
            name: "TallyHTTP",
            dependencies: [
                "TallyDomain", "TallyStore", "TallySettings", "TallyMetrics", "TallyReports", "TallyReportJobs", "TallyDelivery", "TallyMail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // Reads the embedded OpenAPI document (YAML) once, to serve it as /openapi.json.
                .product(name: "Yams", package: "Yams"),
            ],
            // The dashboard's three files are compiled in as well (`DashboardController`).
            resources: [.embedInCode("Schemas/chatbotkit-report.json"), .embedInCode("Schemas/tally-report.json"),
                        .embedInCode("Schemas/openapi.yaml"),
                        .embedInCode("Dashboard/index.html"), .embedInCode("Dashboard/app.js"), .embedInCode("Dashboard/app.css")]
        ),
        .executableTarget(
            name: "TallyCLI",
            dependencies: [
                "TallyDomain", "TallyKafka", "TallyStore", "TallySettings", "TallyIngest", "TallyHTTP", "TallyMetrics", "TallyReportJobs",
                "TallyDelivery", "TallyMail",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // The raw-scan peer of `tally bench raw-scan`, a plain SQLite table of events.
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        /// An independent oracle: computes every report naively from raw events, for tests only.
        .target(name: "TallyTestSupport", dependencies: ["TallyDomain"], path: "Tests/TallyTestSupport"),
        .testTarget(name: "TallyDomainTests", dependencies: ["TallyDomain", "TallyTestSupport"]),
        .testTarget(
            name: "TallyDeliveryTests",
            dependencies: ["TallyDelivery", "TallyMail", "TallySettings", "TallyReportJobs", "TallyReports", "TallyStore", "TallyDomain", "TallyTestSupport",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "TallyMailTests", dependencies: ["TallyMail", "TallyDomain", "TallyTestSupport"]),
        .testTarget(name: "TallyReportsTests", dependencies: ["TallyReports", "TallyReportJobs", "TallyPDF", "TallyXLSX", "TallyDomain", "TallyStore", "TallyTestSupport"]),
        .testTarget(
            name: "TallyStoreTests",
            // GRDB: the transplant tests corrupt stores with plain SQL.
            dependencies: ["TallyStore", "TallyDomain", "TallyTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "TallySettingsTests",
            // GRDB: the tests read the command log and the file with plain SQL.
            dependencies: ["TallySettings", "TallyDomain", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "TallyHTTPTests",
            dependencies: ["TallyHTTP", "TallyStore", "TallySettings", "TallyDomain", "TallyMetrics", "TallyReports", "TallyReportJobs", "TallyDelivery",
                           "TallyMail", "TallyTestSupport", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .testTarget(
            name: "TallyIntegrationTests",
            dependencies: [
                "TallyTestSupport", "TallyIngest", "TallyKafka", "TallyStore", "TallySettings", "TallyDomain", "TallyHTTP",
                // GRDB: the partial-rebuild tests damage a live store with plain SQL.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
