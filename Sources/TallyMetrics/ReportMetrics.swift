import CoreMetrics
import Prometheus

/// The Reports API's and the scheduler's metrics: report jobs finished by state with their
/// generation time, scheduled runs by outcome, and mail sent and failed.
///
/// Jobs waiting and running are a state, not a count: `render` reads them from the settings
/// store at scrape time (`tally_report_jobs`).
public final class ReportMetrics: Sendable {
    static let generationSeconds = "tally_report_generation_seconds"

    private let factory: PrometheusMetricsFactory
    private let generation: CoreMetrics.Timer
    private let mailSent: CoreMetrics.Counter

    init(factory: PrometheusMetricsFactory) {
        self.factory = factory
        generation = CoreMetrics.Timer(label: Self.generationSeconds, factory: factory)
        mailSent = CoreMetrics.Counter(label: "tally_mail_sent_total", factory: factory)
        mailSent.increment(by: 0)
        // Present from the start, so that an alert on a rate sees zeros rather than no series.
        for state in ["completed", "failed"] { jobs(state).increment(by: 0) }
        for outcome in ["sent", "partially_sent", "failed", "skipped"] { runs(outcome).increment(by: 0) }
    }

    /// A report job ended `completed` or `failed` after `seconds` of generation.
    public func jobFinished(state: String, seconds: Double) {
        jobs(state).increment()
        generation.recordNanoseconds(Int64(seconds * 1_000_000_000))
    }

    /// A scheduled run ended with `outcome` (`sent`, `partially_sent`, `failed`, `skipped`).
    public func runFinished(outcome: String) { runs(outcome).increment() }

    /// One message was accepted by the mail server.
    public func messageSent() { mailSent.increment() }

    /// One delivery attempt failed with a mail error `code` (`unreachable`, `rejected`, …).
    public func deliveryFailed(code: String) {
        CoreMetrics.Counter(label: "tally_smtp_failures_total", dimensions: [("code", code)], factory: factory).increment()
    }

    private func jobs(_ state: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "tally_report_jobs_finished_total", dimensions: [("state", state)], factory: factory)
    }

    private func runs(_ outcome: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "tally_scheduled_runs_total", dimensions: [("outcome", outcome)], factory: factory)
    }
}
