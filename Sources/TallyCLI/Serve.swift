import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TallyDelivery
import TallyDomain
import TallyHTTP
import TallyIngest
import TallyKafka
import TallyMetrics
import TallyReportJobs
import TallySettings
import TallyStore

/// `tally serve`: consume events into the store and serve reports over HTTP.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Consume events into the store and serve the report API.",
        discussion: """
            Ingest and HTTP run in one process. SIGTERM or SIGINT stops HTTP first, then commits the \
            open batch with its offsets and leaves the consumer group; a restart resumes exactly there.

            Tenants' time zones (`tally tenants set`, PUT /api/v1/platform/tenants/{userId}) are watched             every second: a tenant whose desired zone differs from the zone its rollups are bucketed in is             re-bucketed by a partial rebuild of that tenant from the topics, beside this server, which             pauses for a moment, switches to the rebuilt store and goes on; reports answer in the old zone             until then. One tenant at a time; a failed attempt is retried after 30 s.
            """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup(title: "Scheduled reports and mail") var mail: MailOptions

    @Option(help: ArgumentHelp(
        "Kafka consumer group (env TALLY_GROUP). Run one instance per group: an instance answers reports only while it is assigned every partition of its topics, so two instances in one group each refuse report fetches with 503 partial_assignment while the group splits the partitions, and a rolling restart that overlaps two briefly gives 503s for a moment rather than wrong numbers. Scaling out needs query routing, which Tally does not do yet.",
        valueName: "group"))
    var group: String = environment("TALLY_GROUP", "tally")

    @Option(help: "HTTP listen address host:port (env TALLY_HTTP).")
    var http: String = environment("TALLY_HTTP", "127.0.0.1:8080")

    @Option(help: "Serve GET /metrics on this host:port instead of on --http (env TALLY_METRICS_HTTP; default: on --http).")
    var metricsHttp: String? = ProcessInfo.processInfo.environment["TALLY_METRICS_HTTP"].flatMap { $0.isEmpty ? nil : $0 }

    @Option(help: "Close a batch after this many messages (env TALLY_BATCH_SIZE).")
    var batchSize: Int = Int(environment("TALLY_BATCH_SIZE", "20000")) ?? 20000

    @Option(help: "Close a batch this many milliseconds after its first message (env TALLY_BATCH_MS).")
    var batchMs: Int = Int(environment("TALLY_BATCH_MS", "200")) ?? 200

    @Option(help: "While the writer is still busy with earlier batches, let a full or old batch grow up to this many messages, raised to --batch-size when below it (env TALLY_CATCH_UP_BATCH_SIZE).")
    var catchUpBatchSize: Int = Int(environment("TALLY_CATCH_UP_BATCH_SIZE", "50000")) ?? 50_000

    @Option(help: "Members (contacts and conversations, per tenant and slice) whose ordinals the writer keeps in memory, about 130 bytes each; past it the cache starts afresh (env TALLY_MEMBER_CACHE_ENTRIES).")
    var memberCacheEntries: Int = Int(environment("TALLY_MEMBER_CACHE_ENTRIES", "4000000")) ?? 4_000_000

    @OptionGroup var rules: EventRulesOptions

    @Option(help: "Delete dead letters after this many days (env TALLY_DEAD_LETTER_RETENTION_DAYS).")
    var deadLetterRetentionDays: Int = Int(environment("TALLY_DEAD_LETTER_RETENTION_DAYS", "30")) ?? 30

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env TALLY_LOG_LEVEL).")
    var logLevel: String = environment("TALLY_LOG_LEVEL", "info")

    @Option(help: ArgumentHelp(
        "Bootstrap an empty --data-dir from this snapshot (from `tally snapshot create`) before starting; ingest resumes after the snapshot's offsets. Refuses a data dir that already holds a rollup store (store_exists) and a file that is not an intact Tally store (invalid_snapshot). A snapshot holds rollups only, no API keys: a new data dir has none until `tally keys create` (before or after the restore; keys already in <data-dir>/settings.sqlite are kept).",
        valueName: "file"))
    var restoreFrom: String?

    @Option(help: ArgumentHelp(
        "Write a snapshot into <data-dir>/snapshots every DURATION, e.g. 30s, 15m, 1h; off by default (env TALLY_SNAPSHOT_EVERY).",
        valueName: "duration"))
    var snapshotEvery: String = environment("TALLY_SNAPSHOT_EVERY", "off")

    @Option(help: "Keep this many snapshots in <data-dir>/snapshots, deleting the oldest tally-*.sqlite beyond it (env TALLY_SNAPSHOT_KEEP).")
    var snapshotKeep: Int = Int(environment("TALLY_SNAPSHOT_KEEP", "24")) ?? 24

    @Option(help: "Report jobs run at once by the in-process worker pool of the Reports API (env TALLY_REPORT_WORKERS).")
    var reportWorkers: Int = Int(environment("TALLY_REPORT_WORKERS", "2")) ?? 2

    @Option(help: "Pending report jobs accepted at most; POST /api/v1/reports/generate answers 429 queue_full with Retry-After beyond it (env TALLY_REPORT_QUEUE).")
    var reportQueue: Int = Int(environment("TALLY_REPORT_QUEUE", "1000")) ?? 1000

    @Option(help: ArgumentHelp(
        "A report job still running after DURATION fails with a timeout error, e.g. 90s, 10m, 1h (env TALLY_REPORT_TIMEOUT).",
        valueName: "duration"))
    var reportTimeout: String = environment("TALLY_REPORT_TIMEOUT", "10m")

    @Option(help: "Delete reports (metadata and file) this many days after they were created, each deletion on the audit log; swept at start and hourly (env TALLY_REPORT_RETENTION_DAYS).")
    var reportRetentionDays: Int = Int(environment("TALLY_REPORT_RETENTION_DAYS", "90")) ?? 90

    func validate() throws {
        guard HostPort(http) != nil else { throw ValidationError("--http must be host:port, e.g. 127.0.0.1:8080") }
        if let metricsHttp, HostPort(metricsHttp) == nil { throw ValidationError("--metrics-http must be host:port, e.g. 127.0.0.1:9464") }
        guard (1...1_000_000).contains(batchSize) else { throw ValidationError("--batch-size must be from 1 to 1000000") }
        guard (1...60_000).contains(batchMs) else { throw ValidationError("--batch-ms must be from 1 to 60000") }
        guard (1...1_000_000).contains(catchUpBatchSize) else { throw ValidationError("--catch-up-batch-size must be from 1 to 1000000") }
        guard (1_000...100_000_000).contains(memberCacheEntries) else { throw ValidationError("--member-cache-entries must be from 1000 to 100000000") }
        guard (1...3650).contains(deadLetterRetentionDays) else { throw ValidationError("--dead-letter-retention-days must be from 1 to 3650") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
        guard SnapshotInterval(snapshotEvery) != nil else { throw ValidationError("--snapshot-every must be off or a whole number with a unit s, m, h or d, e.g. 30s, 15m, 1h") }
        guard (1...10_000).contains(snapshotKeep) else { throw ValidationError("--snapshot-keep must be from 1 to 10000") }
        guard (1...64).contains(reportWorkers) else { throw ValidationError("--report-workers must be from 1 to 64") }
        guard (1...1_000_000).contains(reportQueue) else { throw ValidationError("--report-queue must be from 1 to 1000000") }
        guard SnapshotInterval(reportTimeout)?.duration != nil else {
            throw ValidationError("--report-timeout must be a whole number with a unit s, m, h or d, e.g. 90s, 10m")
        }
        guard (1...3650).contains(reportRetentionDays) else { throw ValidationError("--report-retention-days must be from 1 to 3650") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tally")
        try LibrdkafkaVersion.requireSupported()
        if let restoreFrom {
            let restored = try TallyStore.restore(snapshot: restoreFrom, into: store.dataDirectory)
            logger.notice("restored the store from a snapshot", metadata: [
                "snapshot": "\(restoreFrom)", "partitions": "\(restored.offsets.count)", "committedOffsetTotal": "\(restored.committedOffsetTotal)",
            ])
        }
        // Held for the life of the process: a rebuild knows from it that a server runs here.
        try TallyStore.createDataDirectory(store.dataDirectory)
        let presence = try ServerPresence.announceServer(dataDirectory: store.dataDirectory) {
            logger.notice("a rebuild is switching this data directory's store; waiting for it to finish")
        }
        defer { withExtendedLifetime(presence) {} }
        TallyStore.memberCacheEntries = memberCacheEntries
        let database = try TallyStore(dataDirectory: store.dataDirectory)
        let (settings, imported) = try LegacyKeyImport.openSettings(dataDirectory: store.dataDirectory, rollups: database)
        if let notice = imported.messages.notice { logger.notice("\(notice)") }
        if let warning = imported.messages.warning { logger.warning("\(warning)") }
        if restoreFrom != nil, try settings.listKeys().isEmpty {
            logger.notice("the data directory has no API keys: snapshots carry rollups only; create one with `tally keys create --data-dir \(store.dataDirectory)`")
        }
        let stores = StoreHolder(database)
        let dataDirectory = store.dataDirectory
        let metrics = TallyMetrics(storeFiles: {
            let rollups = StoreLocation(dataDirectory: dataDirectory).currentPath
            let settingsPath = SettingsStore.path(in: dataDirectory)
            return [("rollups", rollups), ("rollups-wal", rollups + "-wal"), ("settings", settingsPath), ("settings-wal", settingsPath + "-wal")]
        })
        // Told by ingest after each commit; the dashboard's event stream listens.
        let commits = CommitNotifier()
        let ingest = IngestPipeline(
            configuration: IngestConfiguration(
                brokers: kafka.brokers, topics: kafka.topicList, group: group, maximumBatchMessages: batchSize,
                maximumBatchMilliseconds: batchMs, catchUpBatchMessages: catchUpBatchSize, retentionDays: rules.retentionDays, dedupeDays: rules.dedupeDays,
                deadLetterRetentionDays: deadLetterRetentionDays, consumerProperties: kafka.client.properties),
            store: database, logger: logger, onStoreSwitch: { stores.replace(with: $0) }, metrics: metrics.ingest,
            commitNotifier: commits)
        let reconciler = makeReconciler(settings: settings, stores: stores, logger: logger)
        // Report jobs left pending or running by an earlier process run again from here.
        let reportJobs = ReportJobRunner(
            configuration: ReportJobConfiguration(
                workers: reportWorkers, queueLimit: reportQueue, timeout: SnapshotInterval(reportTimeout)?.duration ?? .seconds(600),
                directory: ReportJobConfiguration.directory(in: store.dataDirectory), retentionDays: reportRetentionDays,
                dedupeDays: rules.dedupeDays, eventRetentionDays: rules.retentionDays, deadLetterRetentionDays: deadLetterRetentionDays),
            settings: settings, stores: stores, logger: logger, metrics: metrics.reports)
        let reportTimeLimit = SnapshotInterval(reportTimeout)?.duration ?? .seconds(600)
        let scheduler = ReportScheduler(
            configuration: try mail.schedulerConfiguration(http: http, reportTimeout: reportTimeLimit), settings: settings, runner: reportJobs,
            logger: logger, tenantZone: { stores.current.clock(forTenant: $0).identifier },
            rollupRefusal: {
                let assignment = ingest.status.assignment
                return assignment.refusesReports ? assignment.refusalReason() : nil
            },
            metrics: metrics.reports)
        let address = HostPort(http)!
        let kafka = self.kafka
        let app = TallyApplication.build(
            stores: stores, settings: settings, host: address.host, port: address.port, logger: logger,
            ingestStatus: { ingest.status },
            tenantZones: TenantZoneSupport(
                historyCoverage: {
                    let store = stores.current
                    // The probe blocks on librdkafka for up to a few seconds: a thread of its own.
                    let missing = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
                        Thread {
                            continuation.resume(returning: TopicHistoryProbe.missingHistory(
                                store: store, brokers: kafka.brokers, properties: kafka.client.properties, logger: logger))
                        }.start()
                    }
                    return missing.map { .incomplete($0) } ?? .complete
                },
                progress: { reconciler.progress($0) }),
            metrics: metrics, servesMetrics: metricsHttp == nil, reportJobs: reportJobs, scheduler: scheduler, commitNotifier: commits,
            onServerRunning: { port in logger.info("serving reports", metadata: ["http": "\(address.host):\(port)"]) })
        // Graceful shutdown runs in reverse order: periodic snapshots stop first, then HTTP, then ingest.
        // Report workers stop after HTTP (no new jobs) and before ingest; a job cut short runs again at the next start.
        // The scheduler stops before the workers; a run it leaves unfinished is driven on by the next start.
        var members: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ingest), .init(service: reconciler), .init(service: reportJobs), .init(service: scheduler), .init(service: app),
        ]
        if let metricsAddress = metricsHttp.flatMap(HostPort.init) {
            members.append(.init(service: TallyApplication.buildMetrics(
                metrics, ingestStatus: { ingest.status }, host: metricsAddress.host, port: metricsAddress.port, logger: logger,
                scheduledRunsFrom: settings,
                onServerRunning: { port in logger.info("serving metrics", metadata: ["http": "\(metricsAddress.host):\(port)"]) })))
        }
        if let interval = SnapshotInterval(snapshotEvery)?.duration {
            members.append(.init(service: SnapshotService(
                currentStore: { stores.current }, dataDirectory: store.dataDirectory, interval: interval, keep: snapshotKeep, logger: logger,
                audit: AuditRecorder(settings: settings))))
        }
        let services = ServiceGroup(configuration: .init(
            services: members,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await services.run()
    }
}

extension Serve {
    /// The reconciler of tenants' time zones: desired ones from the settings store, active ones
    /// from the live rollup store, a tenant's partial rebuild (forced: a new zone moves every
    /// day's figures, so there is nothing to verify against) beside this server when they differ.
    func makeReconciler(settings: SettingsStore, stores: StoreHolder, logger: Logger) -> TenantZoneReconciler {
        let kafka = self.kafka, dataDirectory = store.dataDirectory, rules = self.rules
        return TenantZoneReconciler(
            desired: { try settings.tenantTimeZones().map { .init(userId: $0.userId, timeZone: $0.timeZone, rebucketFrom: $0.rebucketFrom) } },
            currentStore: { stores.current },
            missingHistory: { TopicHistoryProbe.missingHistory(store: $0, brokers: kafka.brokers, properties: kafka.client.properties, logger: logger) },
            rebuild: { scope, zone, progress, shouldStop in
                try StoreRebuilder(brokers: kafka.brokers, dataDirectory: dataDirectory, scope: scope, zone: zone, force: true,
                                   dedupeDays: rules.dedupeDays, retentionDays: rules.retentionDays, consumerProperties: kafka.client.properties,
                                   logger: logger, progress: progress, shouldStop: shouldStop).run()
            },
            logger: logger)
    }
}

/// A `host:port` listen address.
struct HostPort {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        host = String(text[..<colon])
        self.port = port
        if host.isEmpty { return nil }
    }
}
