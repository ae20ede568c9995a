import TallyDomain
import TallySettings

/// A schedule as the API shows it: its fields in the request's names, plus `next_run_at`,
/// `last_run` and `created_by`.
struct ReportScheduleView: Encodable {
    struct Creator: Encodable {
        var keyId: String
        var name: String
        enum CodingKeys: String, CodingKey { case keyId = "key_id", name }
    }

    struct LastRun: Encodable {
        var at: String
        var state: String
        var reason: String?
    }

    var schedule: ReportSchedule
    var nextRunAtMillis: Int64?
    var lastRun: ScheduleRun?

    enum CodingKeys: String, CodingKey {
        case scheduleId = "schedule_id", userId = "user_id", title, type, format, templateId = "template_id", templateVersion = "template_version"
        case sections, sectionLimits = "section_limits", includeCharts = "include_charts", botId = "bot_id", channel, cron, timezone, recipients, enabled, period
        case periodDays = "period_days", version, createdAt = "created_at", updatedAt = "updated_at", createdBy = "created_by"
        case nextRunAt = "next_run_at", lastRun = "last_run"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schedule.id, forKey: .scheduleId)
        try container.encode(schedule.userId, forKey: .userId)
        try container.encode(schedule.title, forKey: .title)
        try container.encode(schedule.type, forKey: .type)
        try container.encode(schedule.format, forKey: .format)
        try container.encode(schedule.templateId, forKey: .templateId)
        try container.encode(schedule.templateVersion, forKey: .templateVersion)
        try container.encode(schedule.sections, forKey: .sections)
        // The `limit` given to sections that list rows, by name (`{}` when none has one), as a job shows it.
        try container.encode(schedule.sectionLimits, forKey: .sectionLimits)
        try container.encode(schedule.includeCharts, forKey: .includeCharts)
        try container.encode(schedule.botId, forKey: .botId)
        try container.encode(schedule.channel, forKey: .channel)
        try container.encode(schedule.cron, forKey: .cron)
        try container.encode(schedule.timeZone, forKey: .timezone)
        try container.encode(schedule.recipients, forKey: .recipients)
        try container.encode(schedule.enabled, forKey: .enabled)
        try container.encode(schedule.period, forKey: .period)
        try container.encode(schedule.periodDays, forKey: .periodDays)
        try container.encode(schedule.version, forKey: .version)
        try container.encode(Self.iso(schedule.createdAtMillis), forKey: .createdAt)
        try container.encode(Self.iso(schedule.updatedAtMillis), forKey: .updatedAt)
        try container.encode(Creator(keyId: schedule.createdByKeyId, name: schedule.createdByKeyName), forKey: .createdBy)
        try container.encode(nextRunAtMillis.map(Self.iso), forKey: .nextRunAt)
        try container.encode(lastRun.map { LastRun(at: Self.iso($0.scheduledAtMillis), state: $0.state.rawValue, reason: $0.reason) }, forKey: .lastRun)
    }

    static func iso(_ millis: Int64) -> String { RFC3339.string(epochSeconds: millis / 1000) }
}

/// One run in `GET /schedule/{id}/runs`: the instant in UTC and on the schedule's wall clock,
/// its state and reason, its report, and each recipient's delivery.
struct ScheduleRunView: Encodable {
    var run: ScheduleRun
    var clock: LocalClock

    struct Delivery: Encodable {
        var recipient: String
        var state: String
        var attempts: Int
        var reply: String?
        var error: String?
        var nextAttemptAt: String?
        var updatedAt: String
        enum CodingKeys: String, CodingKey {
            case recipient, state, attempts, reply, error, nextAttemptAt = "next_attempt_at", updatedAt = "updated_at"
        }
    }

    enum CodingKeys: String, CodingKey {
        case scheduledAt = "scheduled_at", local, trigger, state, reason, reportId = "report_id", lateBySeconds = "late_by_seconds"
        case createdAt = "created_at", finishedAt = "finished_at", deliveries
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let seconds = run.scheduledAtMillis / 1000
        try container.encode(RFC3339.string(epochSeconds: seconds), forKey: .scheduledAt)
        try container.encode(RFC3339.string(epochSeconds: seconds, offsetSeconds: clock.offsetSeconds(atEpochMillis: run.scheduledAtMillis)), forKey: .local)
        try container.encode(run.trigger.rawValue, forKey: .trigger)
        try container.encode(run.state.rawValue, forKey: .state)
        try container.encode(run.reason, forKey: .reason)
        try container.encode(run.reportId, forKey: .reportId)
        try container.encode(run.lateByMillis.map { $0 / 1000 }, forKey: .lateBySeconds)
        try container.encode(ReportScheduleView.iso(run.createdAtMillis), forKey: .createdAt)
        try container.encode(run.finishedAtMillis.map(ReportScheduleView.iso), forKey: .finishedAt)
        try container.encode(run.deliveries.map {
            Delivery(recipient: $0.recipient, state: $0.state.rawValue, attempts: $0.attempts, reply: $0.reply, error: $0.error,
                     nextAttemptAt: $0.nextAttemptAtMillis.map(ReportScheduleView.iso), updatedAt: ReportScheduleView.iso($0.updatedAtMillis))
        }, forKey: .deliveries)
    }
}
