/// The stable names of audited actions. Stored in every entry and used by the `action` filter,
/// so a name is never changed once released; a new kind of change gets a new name.
///
/// A plain string type rather than an enum: the Reports API, templates and schedules add their
/// own actions without changing what older entries decode to.
public struct AuditAction: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    /// An API key was created; the target is its id.
    public static let keyCreate: AuditAction = "key.create"
    /// An API key was revoked; the target is its id.
    public static let keyRevoke: AuditAction = "key.revoke"
    /// A tenant's time zone was set; the target is the zone (and `from <day>` when re-bucketing from a day).
    public static let tenantTimeZoneSet: AuditAction = "tenant.time_zone.set"
    /// A rebuild of the rollup store ran; the target is its scope.
    public static let storeRebuild: AuditAction = "store.rebuild"
    /// A dead-letter replay ran; the target is the code it was limited to, or `*`.
    public static let deadLettersReplay: AuditAction = "dead_letters.replay"
    /// A snapshot of the rollup store was written; the target is its path.
    public static let storeSnapshot: AuditAction = "store.snapshot"

    // The Reports API records these through `AuditRecorder`; the target is the report,
    // template or schedule id.
    public static let reportGenerate: AuditAction = "report.generate"
    public static let reportDelete: AuditAction = "report.delete"
    public static let reportDownload: AuditAction = "report.download"
    /// A report's metadata and file were deleted by the retention (`--report-retention-days`).
    public static let reportExpire: AuditAction = "report.expire"
    public static let templateCreate: AuditAction = "template.create"
    public static let templateUpdate: AuditAction = "template.update"
    public static let templateDelete: AuditAction = "template.delete"
    public static let scheduleCreate: AuditAction = "schedule.create"
    public static let scheduleUpdate: AuditAction = "schedule.update"
    public static let scheduleDelete: AuditAction = "schedule.delete"
    /// A schedule's run ended (`sent`, `partially_sent`, `failed`) or an instant was `skipped`;
    /// the target is `<schedule id>@<instant>`, the outcome the run's state. The actor is the scheduler.
    public static let scheduleRun: AuditAction = "schedule.run"
    /// A run outside the cron was asked for (`POST /schedule/{id}/run`); the target is the schedule id.
    public static let scheduleRunNow: AuditAction = "schedule.run_now"
}
