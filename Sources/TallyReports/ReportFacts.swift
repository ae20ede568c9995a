import TallyDomain

/// What a report shows besides the rollups: Tally's own ingest figures and the settings store's
/// records (audit log, keys, retention). The job runner reads them when the spec needs them and
/// hands them to the builder as values, so the builder stays pure and never opens a store.
public struct ReportFacts: Sendable, Equatable {
    /// The ingest figures of each local day of the period that has any.
    public var ingestHealth: [Day: IngestHealthDay]
    /// The period's audit entries concerning the tenant, oldest first: the newest `auditLimit` of them.
    public var audit: [AuditLine]
    /// How many entries the period holds, also past `auditLimit`.
    public var auditTotal: Int
    /// The tenant's keys that existed at some time in the period.
    public var keys: [KeyLine]
    public var retention: Retention

    /// At most this many audit entries are listed in one report; the count says how many exist.
    public static let auditLimit = 5000

    public init(ingestHealth: [Day: IngestHealthDay] = [:], audit: [AuditLine] = [], auditTotal: Int? = nil, keys: [KeyLine] = [],
                retention: Retention = Retention()) {
        self.ingestHealth = ingestHealth
        self.audit = audit
        self.auditTotal = auditTotal ?? audit.count
        self.keys = keys
        self.retention = retention
    }

    /// One audit entry, as the audit_trail section lists it.
    public struct AuditLine: Sendable, Equatable {
        public var sequence: Int64
        public var atMillis: Int64
        public var actorId: String
        public var actorName: String
        public var actorRole: String?
        public var action: String
        public var target: String
        public var outcome: String
        public init(sequence: Int64, atMillis: Int64, actorId: String, actorName: String, actorRole: String?, action: String, target: String,
                    outcome: String) {
            self.sequence = sequence
            self.atMillis = atMillis
            self.actorId = actorId
            self.actorName = actorName
            self.actorRole = actorRole
            self.action = action
            self.target = target
            self.outcome = outcome
        }
    }

    /// One API key with its use in the period, as the access_review section lists it.
    public struct KeyLine: Sendable, Equatable {
        public var id: String
        public var name: String
        public var role: String
        public var createdAtMillis: Int64
        public var revokedAtMillis: Int64?
        /// UTC days of the period on which the key authenticated a request.
        public var daysUsed: Int
        /// The last such day (`YYYY-MM-DD`).
        public var lastUsedDay: String?
        public init(id: String, name: String, role: String, createdAtMillis: Int64, revokedAtMillis: Int64?, daysUsed: Int, lastUsedDay: String?) {
            self.id = id
            self.name = name
            self.role = role
            self.createdAtMillis = createdAtMillis
            self.revokedAtMillis = revokedAtMillis
            self.daysUsed = daysUsed
            self.lastUsedDay = lastUsedDay
        }
    }

    /// The retention settings of the serving process, in days (0 dedupe days: dedupe off).
    public struct Retention: Sendable, Equatable {
        public var dedupeDays: Int
        public var eventRetentionDays: Int
        public var deadLetterRetentionDays: Int
        public var reportRetentionDays: Int
        public init(dedupeDays: Int = 7, eventRetentionDays: Int = 400, deadLetterRetentionDays: Int = 30, reportRetentionDays: Int = 90) {
            self.dedupeDays = dedupeDays
            self.eventRetentionDays = eventRetentionDays
            self.deadLetterRetentionDays = deadLetterRetentionDays
            self.reportRetentionDays = reportRetentionDays
        }
    }
}
