/// A report schedule as the settings store keeps it: what to generate, when (a cron expression on
/// a zone's wall clock), for which period, and to whom it is mailed.
///
/// Types, formats and sections are the API's strings, as in `ReportJob`, so this store does not
/// depend on the report code. The record is Codable with camelCase keys: the schedule commands
/// carry it whole, as a nested `schedule` object.
public struct ReportSchedule: Sendable, Equatable, Codable {
    public var id: String
    /// The tenant whose figures it reports; schedules are always a tenant's.
    public var userId: String
    public var title: String
    public var type: String
    public var format: String
    public var sections: [String]
    public var sectionLimits: [String: Int]
    public var templateId: String?
    public var templateVersion: Int?
    public var includeCharts: Bool
    public var botId: String?
    public var channel: String?
    /// Five fields: minute, hour, day of month, month, day of week.
    public var cron: String
    /// The IANA zone the cron expression and the period are read in.
    public var timeZone: String
    /// 1 to 50 addresses, each checked by `MailAddress` when the schedule was accepted.
    public var recipients: [String]
    public var enabled: Bool
    /// `previous_day`, `previous_week`, `previous_month`, or `days` (then `periodDays` says how many).
    public var period: String
    public var periodDays: Int?
    /// 1 when created; each update carries the stored version + 1.
    public var version: Int
    public var createdAtMillis: Int64
    public var createdByKeyId: String
    public var createdByKeyName: String
    /// When the cron expression, zone or `enabled` last changed: fire instants before it are
    /// neither run nor counted as missed.
    public var activeSinceMillis: Int64
    public var updatedAtMillis: Int64

    public init(id: String, userId: String, title: String, type: String, format: String, sections: [String], sectionLimits: [String: Int] = [:],
                templateId: String? = nil, templateVersion: Int? = nil, includeCharts: Bool = true, botId: String? = nil, channel: String? = nil,
                cron: String, timeZone: String, recipients: [String], enabled: Bool = true, period: String, periodDays: Int? = nil,
                version: Int = 1, createdAtMillis: Int64, createdByKeyId: String, createdByKeyName: String,
                activeSinceMillis: Int64? = nil, updatedAtMillis: Int64? = nil) {
        self.id = id
        self.userId = userId
        self.title = title
        self.type = type
        self.format = format
        self.sections = sections
        self.sectionLimits = sectionLimits
        self.templateId = templateId
        self.templateVersion = templateVersion
        self.includeCharts = includeCharts
        self.botId = botId
        self.channel = channel
        self.cron = cron
        self.timeZone = timeZone
        self.recipients = recipients
        self.enabled = enabled
        self.period = period
        self.periodDays = periodDays
        self.version = version
        self.createdAtMillis = createdAtMillis
        self.createdByKeyId = createdByKeyId
        self.createdByKeyName = createdByKeyName
        self.activeSinceMillis = activeSinceMillis ?? createdAtMillis
        self.updatedAtMillis = updatedAtMillis ?? createdAtMillis
    }

    /// The most recipients one schedule mails.
    public static let maximumRecipients = 50
}
