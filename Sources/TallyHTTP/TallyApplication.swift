import Foundation
import Hummingbird
import Logging
import TallyDelivery
import TallyDomain
import TallyMetrics
import TallyReportJobs
import TallySettings
import TallyStore

/// Builds Tally's HTTP application over the rollup store (figures) and the settings store (keys).
public enum TallyApplication {
    /// The router with every route and middleware, shared by the server and the tests.
    ///
    /// - Parameters:
    ///   - today: today in UTC, the default end of UTC tenants' periods (pinned by tests).
    ///   - nowMillis: the current instant, whose local day ends zoned tenants' default periods.
    ///   - metrics: counts requests; with `servesMetrics`, `GET /metrics` answers here too.
    ///   - reportJobs: the runner of the Reports API's jobs; without one, `/api/v1/reports` is not served.
    ///   - scheduler: runs report schedules; without one (or without `reportJobs`), `/api/v1/reports/schedule` is not served.
    ///   - commitNotifier: tells `GET /api/v1/platform/events` of committed ingest batches.
    public static func buildRouter(stores: StoreHolder, settings: SettingsStore, ingestStatus: @escaping @Sendable () -> IngestStatus? = { nil },
                                   today: @escaping @Sendable () -> Day = TallyApplication.utcToday,
                                   nowMillis: @escaping @Sendable () -> Int64 = TallyApplication.nowMillis,
                                   tenantZones: TenantZoneSupport = TenantZoneSupport(),
                                   metrics: TallyMetrics? = nil, servesMetrics: Bool = true, reportJobs: ReportJobRunner? = nil,
                                   scheduler: ReportScheduler? = nil, commitNotifier: CommitNotifier = CommitNotifier()) -> Router<TallyRequestContext> {
        let today = TenantToday(utcToday: today, nowMillis: nowMillis)
        let router = Router(context: TallyRequestContext.self)
        if let metrics { router.add(middleware: MetricsMiddleware(metrics: metrics.http)) }
        router.add(middleware: ErrorMiddleware())
        let scheduledRuns = ScheduledRunHealth(settings: scheduler == nil ? nil : settings, nowMillis: nowMillis)
        HealthController(ingestStatus: ingestStatus, scheduledRuns: scheduledRuns).addRoutes(to: router)
        OpenAPIDocumentController().addRoutes(to: router)
        DashboardController().addRoutes(to: router)
        if let metrics, servesMetrics { MetricsController(metrics: metrics, ingestStatus: ingestStatus, scheduledRuns: scheduledRuns).addRoutes(to: router) }
        let api = router.group("api/v1").add(middleware: AuthMiddleware(settings: settings, stores: stores, keyUse: KeyUseRecorder(settings: settings)))
        // Every route that reads rollups goes here: it answers 503 while figures may be partial.
        let rollupReads = api.group().add(middleware: CompleteAssignmentMiddleware(ingestStatus: ingestStatus))
        ReportsController(stores: stores, settings: settings, today: today).addRoutes(to: api, rollupReads: rollupReads)
        ChatBotKitReportsController(stores: stores, today: today).addRoutes(to: rollupReads)
        DeadLettersController(stores: stores).addRoutes(to: api)
        TenantsController(stores: stores, settings: settings, support: tenantZones, today: today).addRoutes(to: api)
        KeysController(settings: settings).addRoutes(to: api)
        AuditController(settings: settings).addRoutes(to: api)
        EventsController(notifier: commitNotifier).addRoutes(to: api)
        if let reportJobs {
            ReportJobsController(stores: stores, settings: settings, runner: reportJobs, today: today, nowMillis: nowMillis)
                .addRoutes(to: api, rollupReads: rollupReads)
            ReportTemplatesController(settings: settings, nowMillis: nowMillis).addRoutes(to: api)
            if let scheduler {
                ReportSchedulesController(stores: stores, settings: settings, scheduler: scheduler, runner: reportJobs, nowMillis: nowMillis)
                    .addRoutes(to: api, rollupReads: rollupReads)
            }
        }
        return router
    }

    /// The HTTP server over a fixed store.
    public static func build(store: TallyStore, settings: SettingsStore, host: String, port: Int, logger: Logger,
                             ingestStatus: @escaping @Sendable () -> IngestStatus? = { nil },
                             today: @escaping @Sendable () -> Day = TallyApplication.utcToday,
                             reportJobs: ReportJobRunner? = nil,
                             onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        build(stores: StoreHolder(store), settings: settings, host: host, port: port, logger: logger, ingestStatus: ingestStatus, today: today,
              reportJobs: reportJobs, onServerRunning: onServerRunning)
    }

    /// The HTTP server as a service, listening on `host:port` (port 0 picks a free one), over
    /// whichever store `stores` holds at each request.
    public static func build(stores: StoreHolder, settings: SettingsStore, host: String, port: Int, logger: Logger,
                             ingestStatus: @escaping @Sendable () -> IngestStatus? = { nil },
                             today: @escaping @Sendable () -> Day = TallyApplication.utcToday,
                             nowMillis: @escaping @Sendable () -> Int64 = TallyApplication.nowMillis,
                             tenantZones: TenantZoneSupport = TenantZoneSupport(),
                             metrics: TallyMetrics? = nil, servesMetrics: Bool = true, reportJobs: ReportJobRunner? = nil,
                             scheduler: ReportScheduler? = nil, commitNotifier: CommitNotifier = CommitNotifier(),
                             onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: buildRouter(stores: stores, settings: settings, ingestStatus: ingestStatus, today: today, nowMillis: nowMillis,
                                tenantZones: tenantZones, metrics: metrics, servesMetrics: servesMetrics, reportJobs: reportJobs,
                                scheduler: scheduler, commitNotifier: commitNotifier),
            configuration: .init(address: .hostname(host, port: port), serverName: "tally"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// `GET /metrics` alone on a listener of its own (`serve --metrics-http`), so a scraper can
    /// reach it on an address the API is not on.
    /// - Parameter scheduledRunsFrom: the settings store whose failed scheduled runs the metrics
    ///   count, when this server runs schedules.
    public static func buildMetrics(_ metrics: TallyMetrics, ingestStatus: @escaping @Sendable () -> IngestStatus?, host: String, port: Int,
                                    logger: Logger, scheduledRunsFrom settings: SettingsStore? = nil,
                                    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        MetricsController(metrics: metrics, ingestStatus: ingestStatus, scheduledRuns: ScheduledRunHealth(settings: settings, nowMillis: nowMillis))
            .addRoutes(to: router)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "tally-metrics"),
                           onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    /// The system clock, in ms since the epoch.
    @Sendable public static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Today's UTC day from the system clock.
    @Sendable public static func utcToday() -> Day {
        Day(epochSeconds: Int64(Date().timeIntervalSince1970))
    }
}
