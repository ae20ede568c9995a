/// The stable names of report sections: the API's `sections` values, the document's section
/// `name`s and the first column of the CSV. Never rename one.
/// A new section is a new case plus its builder in `SectionReader`.
public enum SectionName: String, CaseIterable, Sendable, Codable {
    case usageSummary = "usage_summary"
    case topConversations = "top_conversations"
    case satisfactionScores = "satisfaction_scores"
    case messageMix = "message_mix"
    case contactsGrowth = "contacts_growth"
    case conversationDepth = "conversation_depth"
    case responseTimes = "response_times"
    case hourlyHeatmap = "hourly_heatmap"
    case botBreakdown = "bot_breakdown"
    case channelBreakdown = "channel_breakdown"
    case alerts
    case ingestHealth = "ingest_health"
    case auditTrail = "audit_trail"
    case accessReview = "access_review"
    case dataRetention = "data_retention"

    /// The heading a rendered section carries.
    public var title: String {
        switch self {
        case .usageSummary: "Usage summary"
        case .topConversations: "Top conversations"
        case .satisfactionScores: "Satisfaction scores"
        case .messageMix: "Message mix"
        case .contactsGrowth: "Contacts growth"
        case .conversationDepth: "Conversation depth"
        case .responseTimes: "Response times"
        case .hourlyHeatmap: "Hourly activity"
        case .botBreakdown: "Bots"
        case .channelBreakdown: "Channels"
        case .alerts: "Alerts"
        case .ingestHealth: "Ingest health"
        case .auditTrail: "Audit trail"
        case .accessReview: "Access review"
        case .dataRetention: "Data retention"
        }
    }

    /// The facts beside the rollups this section reads, which the job runner reads for it.
    public var readsIngestHealth: Bool { self == .ingestHealth || self == .dataRetention }
    public var readsAuditLog: Bool { self == .auditTrail || self == .dataRetention }
    public var readsKeys: Bool { self == .accessReview }

    /// How many rows the section lists when its request gives no `limit`; nil for a section that
    /// lists no rows and takes no `limit`. The breakdowns keep the 100 they always listed.
    public var defaultLimit: Int? {
        switch self {
        case .topConversations, .satisfactionScores: 10
        case .botBreakdown, .channelBreakdown: 100
        default: nil
        }
    }

    /// The `limit` a section that lists rows accepts.
    public static let limitRange = 1...100

    /// `top_conversations, …`: the sections that take a `limit`, for the 400 that names them.
    public static var limitedList: String { allCases.filter { $0.defaultLimit != nil }.map(\.rawValue).joined(separator: ", ") }

    /// `usage_summary, …`, for the 400 that lists the valid values.
    public static var validList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
