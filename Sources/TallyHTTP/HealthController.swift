import Hummingbird
import TallyDomain

/// `GET /healthz`: liveness plus ingest progress, without a key, for probes and dashboards.
struct HealthController {
    let ingestStatus: @Sendable () -> IngestStatus?
    let scheduledRuns: ScheduledRunHealth

    struct Body: Encodable {
        var status: String
        var ingest: IngestStatus?
        var caughtUp: Bool?
        /// Scheduled runs that ended `failed` in the last 24 h; absent when no schedules run here.
        var failedScheduledRuns24h: Int?
    }

    func addRoutes(to router: Router<TallyRequestContext>) {
        router.get("healthz") { _, _ in
            let ingest = ingestStatus()
            let failed = await scheduledRuns.failedInLastDay()
            return JSONResponse.make(body: Body(status: "ok", ingest: ingest, caughtUp: ingest?.caughtUp, failedScheduledRuns24h: failed))
        }
    }
}
