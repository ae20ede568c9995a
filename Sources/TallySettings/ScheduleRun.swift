/// One run of a schedule, identified by (schedule id, scheduled UTC instant).
///
/// The run is recorded before anything is sent, and the pair is the table's primary key: a
/// restart, or a second process on the same data directory, that reaches the same instant finds
/// it taken and runs nothing. A run ends `sent`, `partially_sent`, `failed` or `skipped`, always
/// with a reason when it is not `sent`.
public struct ScheduleRun: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Generating the report, or delivering it (some recipients still pending).
        case running
        case sent
        case partiallySent = "partially_sent"
        case failed
        case skipped

        public var isFinal: Bool { self != .running }
    }

    /// What started the run: its cron expression, or `POST /schedule/{id}/run`.
    public enum Trigger: String, Sendable, Codable {
        case cron, manual
    }

    public var scheduleId: String
    /// The fire instant (ms since the epoch, UTC); for a manual run, the instant it was asked for.
    public var scheduledAtMillis: Int64
    public var trigger: Trigger
    public var state: State
    /// The report job that generates its file; nil for a skipped run.
    public var reportId: String?
    /// How late the run started after its instant, when it ran on catching up after downtime.
    public var lateByMillis: Int64?
    public var reason: String?
    public var createdAtMillis: Int64
    public var finishedAtMillis: Int64?
    /// Each recipient's delivery, in the schedule's order.
    public var deliveries: [ScheduleDelivery]

    public init(scheduleId: String, scheduledAtMillis: Int64, trigger: Trigger, state: State, reportId: String?, lateByMillis: Int64? = nil,
                reason: String? = nil, createdAtMillis: Int64, finishedAtMillis: Int64? = nil, deliveries: [ScheduleDelivery] = []) {
        self.scheduleId = scheduleId
        self.scheduledAtMillis = scheduledAtMillis
        self.trigger = trigger
        self.state = state
        self.reportId = reportId
        self.lateByMillis = lateByMillis
        self.reason = reason
        self.createdAtMillis = createdAtMillis
        self.finishedAtMillis = finishedAtMillis
        self.deliveries = deliveries
    }

    /// What `recordScheduleRun` carries: a run that starts (`running`, with its report job and
    /// recipients) or an instant that is `skipped` (with the reason).
    public struct Record: Sendable, Equatable, Codable {
        public var scheduleId: String
        public var scheduledAtMillis: Int64
        public var trigger: Trigger
        public var state: State
        public var reportId: String?
        public var recipients: [String]
        public var lateByMillis: Int64?
        public var reason: String?
        public var atMillis: Int64

        public init(scheduleId: String, scheduledAtMillis: Int64, trigger: Trigger, state: State, reportId: String?, recipients: [String],
                    lateByMillis: Int64? = nil, reason: String? = nil, atMillis: Int64) {
            self.scheduleId = scheduleId
            self.scheduledAtMillis = scheduledAtMillis
            self.trigger = trigger
            self.state = state
            self.reportId = reportId
            self.recipients = recipients
            self.lateByMillis = lateByMillis
            self.reason = reason
            self.atMillis = atMillis
        }
    }

    /// What `finishScheduleRun` carries: the final state and why.
    public struct Finish: Sendable, Equatable, Codable {
        public var scheduleId: String
        public var scheduledAtMillis: Int64
        public var state: State
        public var reason: String?
        public var atMillis: Int64

        public init(scheduleId: String, scheduledAtMillis: Int64, state: State, reason: String?, atMillis: Int64) {
            self.scheduleId = scheduleId
            self.scheduledAtMillis = scheduledAtMillis
            self.state = state
            self.reason = reason
            self.atMillis = atMillis
        }
    }
}
