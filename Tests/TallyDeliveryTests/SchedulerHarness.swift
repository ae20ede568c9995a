import Foundation
import Logging
import TallyDelivery
import TallyDomain
import TallyMail
import TallyReportJobs
import TallySettings
import TallyStore
import TallyTestSupport

/// A clock the test moves by hand: the scheduler's fire instants, catch-up and retry waits follow
/// it, so a test crosses DST changes and backoffs without sleeping through them.
final class ManualClock: ScheduleClock, @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64

    init(_ millis: Int64) { now = millis }
    init(_ text: String) { now = RFC3339.epochMilliseconds(text)! }

    func nowMillis() -> Int64 { lock.withLock { now } }
    func set(_ millis: Int64) { lock.withLock { now = millis } }
    func advance(seconds: Int64) { lock.withLock { now += seconds * 1000 } }
    func sleep(millis: Int64) async throws { try await Task.sleep(for: .milliseconds(10)) }
}

/// A data directory with rollups of tenant `t1`, the settings store, a report job runner that
/// runs, and a scheduler on a manual clock mailing through `smtpPort` (a real SMTP server when
/// one listens there).
final class SchedulerHarness: @unchecked Sendable {
    let directory: URL
    let settings: SettingsStore
    let runner: ReportJobRunner
    let scheduler: ReportScheduler
    let clock: ManualClock
    private var runnerTask: Task<Void, any Error>?

    static let tenant = "t1"
    static let from = try! MailAddress("reports@tally.example")

    init(clock: ManualClock, smtpPort: Int?, retries: Int = 5, catchUpMillis: Int64 = 6 * 3_600_000, attachmentMaxBytes: Int = 10 << 20,
         reportTimeoutMillis: Int64 = 600_000, directory given: URL? = nil, runWorkers: Bool = true,
         rollupRefusal: @escaping @Sendable () -> String? = { nil }) throws {
        directory = given ?? FileManager.default.temporaryDirectory.appendingPathComponent("tally-scheduler-\(UUID().uuidString)")
        self.clock = clock
        let store = try TallyStore(dataDirectory: directory.path)
        if try store.consumedOffsets().isEmpty {
            let end = Day(epochMillis: clock.nowMillis())
            let events = Array(TrafficGenerator(seed: 5, tenants: 1, days: 60, endDay: end.advanced(by: 30), total: 3_000)).map { event in
                var event = event
                event.userId = Self.tenant
                return event
            }
            try store.apply(IngestBatch(events: events, offsets: [PartitionOffset(topic: "events", partition: 0, nextOffset: Int64(events.count))]))
        }
        settings = try SettingsStore(dataDirectory: directory.path)
        var logger = Logger(label: "tally-scheduler-tests")
        logger.logLevel = .critical
        let stores = StoreHolder(store)
        // Retention judges a job's age by the wall clock, and the scheduler stamps jobs with the
        // manual clock, months behind it: with a 90-day window the runner's start-up sweep could
        // delete a run's job as the run starts. Ten years keeps every job of a test.
        runner = ReportJobRunner(
            configuration: ReportJobConfiguration(workers: 1, queueLimit: 100, timeout: .seconds(120),
                                                  directory: ReportJobConfiguration.directory(in: directory.path), retentionDays: 3650),
            settings: settings, stores: stores, logger: logger)
        let smtp = try smtpPort.map { try SMTPConfiguration(url: "smtp://127.0.0.1:\($0)", from: Self.from, timeoutSeconds: 10) }
        scheduler = ReportScheduler(
            configuration: ReportSchedulerConfiguration(smtp: smtp, catchUpMillis: catchUpMillis, retries: retries, firstRetryDelayMillis: 30_000,
                                                        attachmentMaxBytes: attachmentMaxBytes, publicURL: "https://tally.example/",
                                                        reportTimeoutMillis: reportTimeoutMillis),
            settings: settings, runner: runner, clock: clock, logger: logger, tenantZone: { _ in "UTC" }, rollupRefusal: rollupRefusal)
        if runWorkers {
            let runner = self.runner
            runnerTask = Task { try await runner.run() }
        }
    }

    deinit { runnerTask?.cancel() }

    func remove() {
        runnerTask?.cancel()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Creates a schedule of tenant t1.
    @discardableResult
    func createSchedule(id: String = "sch_\(UUID().uuidString.prefix(8).lowercased())", cron: String, timeZone: String, recipients: [String],
                        title: String = "Daily usage", format: String = "pdf", period: String = "previous_day") throws -> ReportSchedule {
        let schedule = ReportSchedule(id: id, userId: Self.tenant, title: title, type: "usage", format: format, sections: ["usage_summary", "message_mix"],
                                      cron: cron, timeZone: timeZone, recipients: recipients, period: period, createdAtMillis: clock.nowMillis(),
                                      createdByKeyId: "key_test", createdByKeyName: "test")
        try settings.apply(.createReportSchedule(schedule))
        return schedule
    }

    /// Passes until a pass found no run waiting for its report (real time: the workers generate
    /// it), so that every report done by then has had its deliveries; at most `timeout`.
    func settle(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            // Read before the pass: a report that completes during it, or a run that the pass
            // itself starts, is delivered by the next pass.
            let waitingBefore = try await waitingForReports()
            let unfinishedBefore = Set(try await settings.unfinishedScheduleRuns().map { "\($0.scheduleId)@\($0.scheduledAtMillis)" })
            await scheduler.pass()
            let waiting = try await waitingForReports()
            let unfinished = Set(try await settings.unfinishedScheduleRuns().map { "\($0.scheduleId)@\($0.scheduledAtMillis)" })
            if !waitingBefore && !waiting && unfinished.isSubset(of: unfinishedBefore) { return }
            guard ContinuousClock.now < deadline else { throw HarnessFailure(description: "a report job did not finish within \(timeout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Whether some unfinished run's report job is still pending or running.
    func waitingForReports() async throws -> Bool {
        for run in try await settings.unfinishedScheduleRuns() {
            guard let id = run.reportId, let job = try await settings.reportJob(id: id) else { continue }
            if job.state == .pending || job.state == .running { return true }
        }
        return false
    }

    /// Every run of a schedule, oldest first.
    func runs(_ scheduleId: String) async throws -> [ScheduleRun] {
        try await settings.scheduleRuns(scheduleId: scheduleId, limit: 1000, offset: 0).items.reversed()
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    var description: String
}
