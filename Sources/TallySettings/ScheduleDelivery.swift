/// One recipient's delivery within a schedule run.
///
/// Before a message is handed to the mail server, the sender claims the delivery until a lease
/// ends (`claimScheduleDelivery`); nobody else may claim it before then, and a `sent` delivery
/// is never claimed again. So a message goes to a recipient at most once per run, except when a
/// process dies between the server's acceptance and `recordScheduleDelivery`: that one delivery
/// is claimed again once its lease ends, and its recipient may get a second copy (with the same
/// `Message-ID`).
public struct ScheduleDelivery: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        case pending, sent, failed
    }

    public var recipient: String
    public var state: State
    public var attempts: Int
    /// The server's reply to a sent message, e.g. `250 OK queued as 1234`.
    public var reply: String?
    /// The last SMTP error, for a failed delivery or one that waits for its retry.
    public var error: String?
    /// When a pending delivery that failed may be tried again.
    public var nextAttemptAtMillis: Int64?
    /// The process that holds the delivery, and until when.
    public var claimedBy: String?
    public var claimUntilMillis: Int64?
    public var updatedAtMillis: Int64

    public init(recipient: String, state: State, attempts: Int = 0, reply: String? = nil, error: String? = nil, nextAttemptAtMillis: Int64? = nil,
                claimedBy: String? = nil, claimUntilMillis: Int64? = nil, updatedAtMillis: Int64) {
        self.recipient = recipient
        self.state = state
        self.attempts = attempts
        self.reply = reply
        self.error = error
        self.nextAttemptAtMillis = nextAttemptAtMillis
        self.claimedBy = claimedBy
        self.claimUntilMillis = claimUntilMillis
        self.updatedAtMillis = updatedAtMillis
    }

    /// What `claimScheduleDelivery` carries.
    public struct Claim: Sendable, Equatable, Codable {
        public var scheduleId: String
        public var scheduledAtMillis: Int64
        public var recipient: String
        /// A name for the claiming process, unique per process start.
        public var owner: String
        public var atMillis: Int64
        public var untilMillis: Int64

        public init(scheduleId: String, scheduledAtMillis: Int64, recipient: String, owner: String, atMillis: Int64, untilMillis: Int64) {
            self.scheduleId = scheduleId
            self.scheduledAtMillis = scheduledAtMillis
            self.recipient = recipient
            self.owner = owner
            self.atMillis = atMillis
            self.untilMillis = untilMillis
        }
    }

    /// What `recordScheduleDelivery` carries: the attempt's outcome.
    public struct Outcome: Sendable, Equatable, Codable {
        public var scheduleId: String
        public var scheduledAtMillis: Int64
        public var recipient: String
        public var owner: String
        /// `sent`, or `failed` for good, or `pending` when a retry follows at `nextAttemptAtMillis`.
        public var state: State
        /// The server's reply when sent, else the error.
        public var detail: String
        public var nextAttemptAtMillis: Int64?
        public var atMillis: Int64

        public init(scheduleId: String, scheduledAtMillis: Int64, recipient: String, owner: String, state: State, detail: String,
                    nextAttemptAtMillis: Int64? = nil, atMillis: Int64) {
            self.scheduleId = scheduleId
            self.scheduledAtMillis = scheduledAtMillis
            self.recipient = recipient
            self.owner = owner
            self.state = state
            self.detail = detail
            self.nextAttemptAtMillis = nextAttemptAtMillis
            self.atMillis = atMillis
        }
    }
}
