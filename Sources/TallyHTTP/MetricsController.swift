import Hummingbird
import TallyDomain
import TallyMetrics

/// `GET /metrics`: the Prometheus text format, without a key, like `/healthz`. `serve
/// --metrics-http` moves it to a listener of its own (see `TallyApplication.buildMetricsRouter`).
struct MetricsController<Context: RequestContext> {
    let metrics: TallyMetrics
    let ingestStatus: @Sendable () -> IngestStatus?
    var scheduledRuns: ScheduledRunHealth?

    func addRoutes(to router: Router<Context>) {
        router.get("metrics") { _, _ in
            let failed = await scheduledRuns?.failedInLastDay()
            let jobs = await scheduledRuns?.unfinishedReportJobs()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render(status: ingestStatus(), failedScheduledRuns: failed, reportJobs: jobs))))
        }
    }
}
