/// The kinds of report the Reports API generates, each with its documented default sections.
///
/// The raw values are the API's `type` values and the built-in templates' types; never rename one.
public enum ReportType: String, CaseIterable, Sendable, Codable {
    case usage
    case conversations
    case performance
    case compliance
    case custom

    /// The sections a report of this type holds when the request names none, in order. `custom`
    /// has none: its request must name them.
    public var defaultSections: [SectionName] {
        switch self {
        case .usage: [.usageSummary, .messageMix, .contactsGrowth, .botBreakdown, .channelBreakdown, .hourlyHeatmap]
        case .conversations: [.conversationDepth, .topConversations, .responseTimes, .satisfactionScores]
        case .performance: [.responseTimes, .botBreakdown, .alerts, .ingestHealth]
        case .compliance: [.auditTrail, .accessReview, .dataRetention, .ingestHealth]
        case .custom: []
        }
    }

    /// Compliance reports show who did what; only report_admin and admin keys may generate them.
    public var needsAdministrativeRole: Bool { self == .compliance }

    /// The title a report gets when its request names none.
    public var defaultTitle: String {
        switch self {
        case .usage: "Usage report"
        case .conversations: "Conversations report"
        case .performance: "Performance report"
        case .compliance: "Compliance report"
        case .custom: "Custom report"
        }
    }

    /// `usage, conversations, …`, for the 400 that lists the valid values.
    public static var validList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
