/// How a report reads its input and answers on ChatBotKit's routes
/// (`POST /api/v1/platform/report/{id}/generate`), following its schemas in ChatBotKit's
/// `report.json`.
///
/// ChatBotKit's schemas differ from Tally's `/fetch` in three ways, each decided here once: there is
/// no `endDate` (a period always ends today), the averages answer only `value` and `period`, and
/// Total Contacts is all-time, named by `userId` instead of a period. The shape follows from the
/// metric, so a report added to the catalog gets one without a list to keep in step, and a new kind
/// of metric does not compile until someone decides its shape.
public enum ChatBotKitShape: Sendable, Equatable {
    /// Input `{periodDays}`; output `value`, `change`, `period` and the daily `breakdown` (counts).
    case periodWithBreakdown
    /// Input `{periodDays}`; output `value` and `period` only (the averages).
    case periodValue
    /// Input `{userId}` (required); output `value` and `period`: everything up to today.
    case allTime

    public init(_ metric: ReportDefinition.Metric) {
        switch metric {
        // Hourly Activity's heatmap is Tally's own: its ChatBotKit-style answer is the daily counts.
        // So are the percentiles and depth buckets: the ChatBotKit-style answer is value, change and breakdown.
        case .counter, .distinct, .returningContacts, .hourlyActivity, .firstResponseTime, .conversationDuration, .conversationDepth:
            self = .periodWithBreakdown
        case .averagePerConversation, .percentage, .engagementRate, .abandonmentRate: self = .periodValue
        case .totalContacts: self = .allTime
        }
    }

    /// The `period` an all-time answer carries.
    public static let allTimePeriod = "all time"

    /// The properties the input may carry; anything else is refused (`additionalProperties: false`).
    public var inputProperties: [String] {
        switch self {
        case .periodWithBreakdown, .periodValue: ["periodDays"]
        case .allTime: ["userId"]
        }
    }

    /// Whether the input must carry `userId` (ChatBotKit's Total Contacts requires it).
    public var requiresUserId: Bool { self == .allTime }

    /// The days to compute: `periodDays` ending today, or for an all-time answer a single day
    /// ending today, whose running total is every contact seen up to today.
    public func window(periodDays: Int, today: Day) -> ReportWindow {
        switch self {
        case .periodWithBreakdown, .periodValue: ReportWindow(periodDays: periodDays, end: today)
        case .allTime: ReportWindow(periodDays: 1, end: today)
        }
    }
}
