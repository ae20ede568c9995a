/// A custom report template as the settings store keeps it: a named set of sections and defaults
/// of one tenant (or of the platform, `userId` nil), at a version that every update increments.
/// Types, formats and sections are the API's strings, as in `ReportJob`.
public struct ReportTemplateRecord: Sendable, Equatable {
    public var id: String
    /// The tenant it belongs to, or nil for a platform template (made with a platform-wide admin key).
    public var userId: String?
    public var name: String
    public var description: String
    public var type: String
    public var sections: [String]
    /// The `limit` of sections that list rows, by section name; empty when none has one.
    public var sectionLimits: [String: Int]
    public var format: String
    public var includeCharts: Bool
    public var periodDays: Int
    /// 1 when created; each update carries the stored version + 1, so two concurrent updates
    /// cannot both apply.
    public var version: Int
    public var createdByKeyId: String
    public var createdAtMillis: Int64
    public var updatedAtMillis: Int64

    public init(id: String, userId: String?, name: String, description: String, type: String, sections: [String], format: String,
                includeCharts: Bool, periodDays: Int, version: Int, createdByKeyId: String, createdAtMillis: Int64, updatedAtMillis: Int64,
                sectionLimits: [String: Int] = [:]) {
        self.id = id
        self.userId = userId
        self.name = name
        self.description = description
        self.type = type
        self.sections = sections
        self.sectionLimits = sectionLimits
        self.format = format
        self.includeCharts = includeCharts
        self.periodDays = periodDays
        self.version = version
        self.createdByKeyId = createdByKeyId
        self.createdAtMillis = createdAtMillis
        self.updatedAtMillis = updatedAtMillis
    }
}
