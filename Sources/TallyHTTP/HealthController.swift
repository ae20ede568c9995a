import Hummingbird
import TallyDomain

/// `GET /healthz`: liveness plus ingest progress, without a key, for probes and dashboards.
struct HealthController {
    let ingestStatus: @Sendable () -> IngestStatus?

    struct Body: Encodable {
        var status: String
        var ingest: IngestStatus?
        var caughtUp: Bool?
    }

    func addRoutes(to router: Router<TallyRequestContext>) {
        router.get("healthz") { _, _ in
            let ingest = ingestStatus()
            return JSONResponse.make(body: Body(status: "ok", ingest: ingest, caughtUp: ingest?.caughtUp))
        }
    }
}
