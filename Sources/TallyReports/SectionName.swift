/// The stable names of report sections: the API's `sections` values, the document's section
/// `name`s and the first column of the CSV. Never rename one.
///
/// The enum lists every section the Reports API defines, built or not, so that a request naming a
/// planned section gets a clear `section_unavailable` rather than `unknown_section`, and adding one
/// later is a new case plus its builder.
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

    /// Why a section cannot be built yet, or nil when it can. A report naming one is refused at
    /// request time (400 `section_unavailable`), never generated with the section left empty.
    public var unavailableReason: String? {
        switch self {
        case .topConversations:
            "top_conversations needs a per-conversation ranking of the period's messages that the rollups do not keep yet"
        default:
            nil
        }
    }

    /// The facts beside the rollups this section reads, which the job runner reads for it.
    public var readsIngestHealth: Bool { self == .ingestHealth || self == .dataRetention }
    public var readsAuditLog: Bool { self == .auditTrail || self == .dataRetention }
    public var readsKeys: Bool { self == .accessReview }

    /// True when `ReportDocumentBuilder` can build this section now.
    public var isAvailable: Bool { unavailableReason == nil }

    /// `usage_summary, …`, for the 400 that lists the valid values.
    public static var validList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
