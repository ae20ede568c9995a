/// A report generation job as the settings store keeps it: what was asked for (decided once, when
/// the job was accepted) and how far it got.
///
/// Jobs are user-made state (a client holds their ids), so they live here with the keys and not in
/// the rollup store, which a rebuild replaces. Types, formats and sections are kept as the API's
/// strings: this store does not depend on the report code, and a job written by a newer version
/// stays readable.
public struct ReportJob: Sendable, Equatable {
    /// `pending` → `running` → `completed` or `failed`. A `running` job found at start-up (its
    /// process died) is started again.
    public enum State: String, Sendable, CaseIterable, Codable {
        case pending, running, completed, failed
    }

    /// Everything decided when the job is accepted, carried whole by `createReportJob`.
    public struct Request: Sendable, Equatable {
        public var id: String
        public var userId: String
        /// `usage`, `conversations`, `performance`, `compliance` or `custom`.
        public var type: String
        /// `pdf`, `csv`, `xlsx`, `json` or `html`.
        public var format: String
        public var title: String
        /// Section names, in order.
        public var sections: [String]
        /// The `limit` a request gave sections that list rows, by section name; empty when none
        /// did (and in every job stored before limits existed), so `sections` stays plain names.
        public var sectionLimits: [String: Int]
        /// First and last local day, `YYYY-MM-DD`, inclusive.
        public var startDate: String
        public var endDate: String
        /// The zone the days are the tenant's days in, when the job was accepted.
        public var timeZone: String
        public var botId: String?
        public var channel: String?
        public var includeCharts: Bool
        public var templateId: String?
        public var templateVersion: Int?
        public var createdByKeyId: String
        public var createdByKeyName: String
        public var createdAtMillis: Int64

        public init(id: String, userId: String, type: String, format: String, title: String, sections: [String], startDate: String, endDate: String,
                    timeZone: String, botId: String? = nil, channel: String? = nil, includeCharts: Bool = true, templateId: String? = nil,
                    templateVersion: Int? = nil, createdByKeyId: String, createdByKeyName: String, createdAtMillis: Int64,
                    sectionLimits: [String: Int] = [:]) {
            self.id = id
            self.userId = userId
            self.type = type
            self.format = format
            self.title = title
            self.sections = sections
            self.sectionLimits = sectionLimits
            self.startDate = startDate
            self.endDate = endDate
            self.timeZone = timeZone
            self.botId = botId
            self.channel = channel
            self.includeCharts = includeCharts
            self.templateId = templateId
            self.templateVersion = templateVersion
            self.createdByKeyId = createdByKeyId
            self.createdByKeyName = createdByKeyName
            self.createdAtMillis = createdAtMillis
        }
    }

    /// The ingest position a completed report's figures were read at.
    public struct DataAsOf: Sendable, Equatable, Codable {
        public var committedAtMillis: Int64?
        public var offsets: [Offset]
        public init(committedAtMillis: Int64?, offsets: [Offset]) { self.committedAtMillis = committedAtMillis; self.offsets = offsets }

        public struct Offset: Sendable, Equatable, Codable {
            public var topic: String
            public var partition: Int32
            public var nextOffset: Int64
            public init(topic: String, partition: Int32, nextOffset: Int64) { self.topic = topic; self.partition = partition; self.nextOffset = nextOffset }
        }
    }

    /// What `completeReportJob` records about the file written.
    public struct Completion: Sendable, Equatable {
        public var id: String
        public var completedAtMillis: Int64
        /// The file's name inside the data directory's `reports` folder.
        public var fileName: String
        public var sizeBytes: Int64
        public var sha256: String
        public var dataAsOf: DataAsOf
        /// The document's key figures, for the text of a scheduled report's mail; empty for a
        /// document without any (and in every job completed before they were kept).
        public var headline: [Figure]

        public init(id: String, completedAtMillis: Int64, fileName: String, sizeBytes: Int64, sha256: String, dataAsOf: DataAsOf,
                    headline: [Figure] = []) {
            self.headline = headline
            self.id = id
            self.completedAtMillis = completedAtMillis
            self.fileName = fileName
            self.sizeBytes = sizeBytes
            self.sha256 = sha256
            self.dataAsOf = dataAsOf
        }
    }

    /// One key figure as text: `Conversations`, `1,234`, `+56`.
    public struct Figure: Sendable, Equatable, Codable {
        public var label: String
        public var value: String
        public var change: String?
        public init(label: String, value: String, change: String?) { self.label = label; self.value = value; self.change = change }
    }

    public var request: Request
    public var state: State
    /// The key figures of a completed job (see `Completion.headline`).
    public var headline: [Figure] = []
    public var startedAtMillis: Int64?
    public var completedAtMillis: Int64?
    /// How many times the job was started (more than 1 after a restart during a run).
    public var attempts: Int
    public var fileName: String?
    public var sizeBytes: Int64?
    public var sha256: String?
    public var dataAsOf: DataAsOf?
    /// Why a failed job failed, kept for its status.
    public var error: String?

    public var id: String { request.id }

    public init(request: Request, state: State = .pending, startedAtMillis: Int64? = nil, completedAtMillis: Int64? = nil, attempts: Int = 0,
                fileName: String? = nil, sizeBytes: Int64? = nil, sha256: String? = nil, dataAsOf: DataAsOf? = nil, error: String? = nil) {
        self.request = request
        self.state = state
        self.startedAtMillis = startedAtMillis
        self.completedAtMillis = completedAtMillis
        self.attempts = attempts
        self.fileName = fileName
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.dataAsOf = dataAsOf
        self.error = error
    }
}
