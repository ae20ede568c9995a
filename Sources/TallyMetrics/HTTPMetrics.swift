import CoreMetrics
import Prometheus

/// HTTP requests by route template (`/api/v1/report/{reportId}/fetch`, never the concrete path, so
/// the series stay few) and status, with a duration histogram per route.
public final class HTTPMetrics: Sendable {
    static let durationSeconds = "tally_http_request_duration_seconds"
    private let factory: PrometheusMetricsFactory

    init(factory: PrometheusMetricsFactory) { self.factory = factory }

    /// Records one answered request.
    public func request(method: String, route: String, status: Int, duration: Duration) {
        CoreMetrics.Counter(label: "tally_http_requests_total", dimensions: [("method", method), ("route", route), ("status", String(status))],
                factory: factory).increment()
        CoreMetrics.Timer(label: Self.durationSeconds, dimensions: [("method", method), ("route", route)], factory: factory)
            .recordNanoseconds(Int64(duration / .nanoseconds(1)))
    }
}
