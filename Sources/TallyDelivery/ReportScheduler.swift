import Foundation
import Logging
import ServiceLifecycle
import TallyDomain
import TallyMail
import TallyMetrics
import TallyReportJobs
import TallySettings

/// Runs report schedules and delivers their mail, as a `Service` of `tally serve`.
///
/// Everything it knows is in the settings store, and every pass starts from there: which
/// instants of which schedule are recorded, which runs are unfinished, which recipients are not
/// yet sent. A pass
/// 1. records each schedule's due fire instants since the last recorded one (`ScheduleDuePlan`):
///    the newest runs, the others are skipped; recording a run is refused when the instant is
///    recorded already, so a restart or a second process on the data directory never runs it
///    twice;
/// 2. drives each unfinished run: waits for its report job, then claims and sends each pending
///    delivery that is due, records the outcome, and finishes the run once every recipient is
///    sent or has failed its last retry.
///
/// So a crash at any point leaves state that the next pass (of this process after a restart,
/// or of another) continues from, and a recipient already `sent` is never sent again.
public final class ReportScheduler: Service, Sendable {
    public let configuration: ReportSchedulerConfiguration
    let settings: SettingsStore
    let runner: ReportJobRunner
    let clock: any ScheduleClock
    let logger: Logger
    /// The zone a tenant's days are counted in, for the report job's days.
    let tenantZone: @Sendable (String) -> String
    /// This process's name in delivery claims: unique per start.
    let owner: String
    let sender: SMTPSender?
    /// Why the rollups may not be read now (this instance holds only part of the partitions),
    /// or nil: due instants wait, and start once it is nil again.
    let rollupRefusal: @Sendable () -> String?
    let metrics: ReportMetrics?
    private let passLock = PassLock()
    private let refusalLog = RefusalLog()

    public init(configuration: ReportSchedulerConfiguration, settings: SettingsStore, runner: ReportJobRunner, clock: any ScheduleClock = SystemScheduleClock(),
                logger: Logger, tenantZone: @escaping @Sendable (String) -> String, rollupRefusal: @escaping @Sendable () -> String? = { nil }, metrics: ReportMetrics? = nil) {
        self.rollupRefusal = rollupRefusal
        self.metrics = metrics
        self.configuration = configuration
        self.settings = settings
        self.runner = runner
        self.clock = clock
        self.logger = logger
        self.tenantZone = tenantZone
        owner = "tally-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        sender = configuration.smtp.map(SMTPSender.init)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.pass()
                try? await self.clock.sleep(millis: self.configuration.passIntervalMillis)
            }
        }
    }

    /// One pass at the clock's current instant. Passes never overlap: a call while one runs
    /// waits for it.
    public func pass() async {
        await passLock.withLock {
            do {
                try await recordDueInstants()
                for run in try await settings.unfinishedScheduleRuns() { await drive(run) }
            } catch {
                logger.error("a scheduler pass failed; the next one tries again", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Runs `schedule` once now, outside its cron expression (`POST /schedule/{id}/run`), with
    /// the request's audit entry recorded in the same transaction as the run.
    public func runNow(_ schedule: ReportSchedule, audit: AuditEntry?) async throws(SettingsError) -> ScheduleRun.Record {
        let now = clock.nowMillis()
        return try await start(schedule, at: now, trigger: .manual, lateByMillis: nil, audit: audit)
    }

    /// The next fire instant of `schedule` after now, or nil when it is disabled or never fires.
    public func nextFire(of schedule: ReportSchedule) -> Int64? {
        guard schedule.enabled, let cron = Self.cron(of: schedule) else { return nil }
        return cron.nextFire(after: clock.nowMillis())
    }

    static func cron(of schedule: ReportSchedule) -> CronSchedule? {
        guard let expression = try? CronExpression(parsing: schedule.cron), let clock = LocalClock(timeZoneIdentifier: schedule.timeZone) else { return nil }
        return CronSchedule(expression, in: clock)
    }

    private func recordDueInstants() async throws {
        // A run's report must not read figures that may be partial; its instant stays due.
        if let refusal = rollupRefusal() {
            if refusalLog.firstSince(cleared: false) {
                logger.warning("scheduled runs wait: \(refusal)")
            }
            return
        }
        _ = refusalLog.firstSince(cleared: true)
        let now = clock.nowMillis()
        // Two reads a pass, however many schedules: every schedule, and every schedule's last instant.
        let lastInstants = try await settings.lastCronInstants()
        for schedule in try await settings.allReportSchedules() where schedule.enabled {
            guard let cron = Self.cron(of: schedule) else { continue }
            let after = max(lastInstants[schedule.id] ?? Int64.min, schedule.activeSinceMillis)
            let plan = ScheduleDuePlan(cron, afterMillis: after, nowMillis: now, catchUpMillis: configuration.catchUpMillis)
            for skip in plan.skipped {
                let record = ScheduleRun.Record(scheduleId: schedule.id, scheduledAtMillis: skip.instant, trigger: .cron, state: .skipped,
                                                reportId: nil, recipients: [], reason: skip.reason, atMillis: now)
                do {
                    try settings.apply(all: [.recordScheduleRun(record), .appendAudit(runAudit(schedule, instant: skip.instant, outcome: "skipped", at: now))])
                    metrics?.runFinished(outcome: ScheduleRun.State.skipped.rawValue)
                    logger.notice("a scheduled run was skipped", metadata: ["schedule": "\(schedule.id)", "instant": "\(Self.iso(skip.instant))", "reason": "\(skip.reason)"])
                } catch {
                    // Recorded already, by an earlier pass or another process.
                    guard error.code == .scheduleRunExists else { throw error }
                }
            }
            if let due = plan.run {
                do {
                    _ = try await start(schedule, at: due.instant, trigger: .cron, lateByMillis: due.lateByMillis > 0 ? due.lateByMillis : nil)
                } catch {
                    guard error.code == .scheduleRunExists else { throw error }
                }
            }
        }
    }

    /// Records the run with its report job in one transaction, then hands the job to the workers.
    private func start(_ schedule: ReportSchedule, at instant: Int64, trigger: ScheduleRun.Trigger, lateByMillis: Int64?,
                       audit: AuditEntry? = nil) async throws(SettingsError) -> ScheduleRun.Record {
        let now = clock.nowMillis()
        let reportId = "rpt_" + KeySecrets.randomHex(bytes: 8)
        let job = ScheduledReportJob.request(for: schedule, firingAt: instant, reportId: reportId, tenantZone: tenantZone(schedule.userId), nowMillis: now)
        let record = ScheduleRun.Record(scheduleId: schedule.id, scheduledAtMillis: instant, trigger: trigger, state: .running, reportId: reportId,
                                        recipients: schedule.recipients, lateByMillis: lateByMillis, atMillis: now)
        try settings.apply(all: [.recordScheduleRun(record), .createReportJob(job)] + (audit.map { [.appendAudit($0)] } ?? []))
        runner.enqueue(reportId)
        var metadata: Logger.Metadata = ["schedule": "\(schedule.id)", "instant": "\(Self.iso(instant))", "report": "\(reportId)", "trigger": "\(trigger.rawValue)"]
        if let lateByMillis { metadata["late_by_s"] = "\(lateByMillis / 1000)" }
        logger.info("a scheduled run started", metadata: metadata)
        return record
    }

    /// The audit entry of a run's outcome, made by the scheduler itself.
    func runAudit(_ schedule: ReportSchedule, instant: Int64, outcome: String, at now: Int64) -> AuditEntry {
        AuditEntry(atMillis: now, actor: AuditActor(id: "scheduler", name: "scheduler"), userId: schedule.userId, action: .scheduleRun,
                   target: "\(schedule.id)@\(Self.iso(instant))", outcome: outcome)
    }

    static func iso(_ millis: Int64) -> String { RFC3339.string(epochSeconds: millis / 1000) }
}

/// Whether the refusal to start runs was logged since it began, so that it is logged once.
final class RefusalLog: @unchecked Sendable {
    private let lock = NSLock()
    private var logged = false

    /// With `cleared` false: true the first time since the refusal began. With `cleared` true: the refusal ended.
    func firstSince(cleared: Bool) -> Bool {
        lock.withLock {
            if cleared { logged = false; return false }
            defer { logged = true }
            return !logged
        }
    }
}

/// Serialises passes: the service's loop and `runNow`'s callers may overlap.
final class PassLock: @unchecked Sendable {
    private let lock = NSLock()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock(_ body: () async -> Void) async {
        await acquire()
        await body()
        release()
    }

    private func acquire() async {
        await withCheckedContinuation { continuation in
            lock.withLock {
                if busy { waiters.append(continuation) } else { busy = true; continuation.resume() }
            }
        }
    }

    private func release() {
        lock.withLock {
            if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        }
    }
}
