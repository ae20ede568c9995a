/// How the report job runner is bounded. `tally serve` fills it from its flags.
public struct ReportJobConfiguration: Sendable {
    /// Jobs run at once (`--report-workers`, env TALLY_REPORT_WORKERS, default 2).
    public var workers: Int
    /// Pending jobs accepted at most; past it, generate answers 429 `queue_full`
    /// (`--report-queue`, env TALLY_REPORT_QUEUE, default 1000).
    public var queueLimit: Int
    /// A job running longer fails with a timeout (`--report-timeout`, env TALLY_REPORT_TIMEOUT, default 10 min).
    public var timeout: Duration
    /// Where report files are written: `<data-dir>/reports`.
    public var directory: String
    /// Reports (metadata and file) are deleted this many days after they were created
    /// (`--report-retention-days`, env TALLY_REPORT_RETENTION_DAYS, default 90); the runner sweeps at
    /// start and every `retentionSweep`.
    public var retentionDays: Int
    public var retentionSweep: Duration
    /// The ingest's retention settings, which the data_retention section states.
    public var dedupeDays: Int
    public var eventRetentionDays: Int
    public var deadLetterRetentionDays: Int

    public init(workers: Int = 2, queueLimit: Int = 1000, timeout: Duration = .seconds(600), directory: String,
                retentionDays: Int = 90, retentionSweep: Duration = .seconds(3600), dedupeDays: Int = 7, eventRetentionDays: Int = 400,
                deadLetterRetentionDays: Int = 30) {
        self.workers = workers
        self.queueLimit = queueLimit
        self.timeout = timeout
        self.directory = directory
        self.retentionDays = retentionDays
        self.retentionSweep = retentionSweep
        self.dedupeDays = dedupeDays
        self.eventRetentionDays = eventRetentionDays
        self.deadLetterRetentionDays = deadLetterRetentionDays
    }

    /// `<dataDirectory>/reports`.
    public static func directory(in dataDirectory: String) -> String {
        dataDirectory.hasSuffix("/") ? dataDirectory + "reports" : dataDirectory + "/reports"
    }
}
