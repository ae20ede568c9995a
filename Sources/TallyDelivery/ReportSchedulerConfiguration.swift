import TallyMail

/// How `tally serve` runs schedules and delivers their mail: the `--schedule-*`, `--smtp-*` and
/// `--mail-*` flags.
public struct ReportSchedulerConfiguration: Sendable {
    /// Where mail goes; nil when `--smtp-url` is not given (schedules are then refused).
    public var smtp: SMTPConfiguration?
    /// How old a fire instant missed during downtime may be and still run, late, once.
    public var catchUpMillis: Int64
    /// How many times a failed delivery is tried again (`--smtp-retries`).
    public var retries: Int
    /// The wait before the first retry; each later one waits twice as long as the one before.
    public var firstRetryDelayMillis: Int64
    /// A report larger than this is linked rather than attached (`--mail-attachment-max`).
    public var attachmentMaxBytes: Int
    /// Where the links in mail point: the server's public base URL, e.g. `https://tally.example.com`.
    public var publicURL: String
    /// A run whose report is not ready this long after the run started is failed (`--report-timeout`).
    public var reportTimeoutMillis: Int64
    /// How often the scheduler looks for due instants and deliveries.
    public var passIntervalMillis: Int64

    public init(smtp: SMTPConfiguration?, catchUpMillis: Int64 = 6 * 3_600_000, retries: Int = 5, firstRetryDelayMillis: Int64 = 30_000,
                attachmentMaxBytes: Int = 10 * 1024 * 1024, publicURL: String, reportTimeoutMillis: Int64 = 600_000, passIntervalMillis: Int64 = 1_000) {
        self.smtp = smtp
        self.catchUpMillis = catchUpMillis
        self.retries = retries
        self.firstRetryDelayMillis = firstRetryDelayMillis
        self.attachmentMaxBytes = attachmentMaxBytes
        self.publicURL = publicURL
        self.reportTimeoutMillis = reportTimeoutMillis
        self.passIntervalMillis = passIntervalMillis
    }

    /// The wait after failed attempt number `attempt` (1 for the first send): the first retry
    /// after `firstRetryDelayMillis`, then twice as long each time.
    public func retryDelayMillis(afterAttempt attempt: Int) -> Int64 {
        firstRetryDelayMillis << Int64(min(max(attempt - 1, 0), 20))
    }

    /// How long a claimed delivery is held: longer than one SMTP exchange may take (the SMTP
    /// timeout) plus recording its outcome, so a claim ends only when its holder has died or
    /// given up. After a crash, the delivery that was in flight waits this long before it is tried
    /// again.
    public var claimLeaseMillis: Int64 { Int64(smtp?.timeoutSeconds ?? 60) * 1000 + 10_000 }
}
