/// ChatBotKit's per-bot reports that Tally's events support, with ChatBotKit's ids and names.
///
/// Each answers a document of several figures of one bot (not the one figure with a daily
/// breakdown that `ReportDefinition` describes), computed from that bot's slice of the tenant's
/// rollups (`RollupScope`), so it reads precomputed counters only, like every other report.
public enum BotReport: String, CaseIterable, Sendable {
    /// Totals of the period: conversations, messages, tokens, ratings and a sentiment signal.
    case stats = "clr3m5n8k000e08jqbs0t1u5o"
    /// Conversations, messages, tokens and ratings with the previous period and daily breakdowns.
    case performance = "clr3m5n8k000g08jqdt1u2v7q"
    /// The bot's most recent negative ratings, with reasons and what they point at.
    case negativeFeedback = "clr3m5n8k000j08jqgw4x5y0t"
    /// Depth distribution, abandonment and token efficiency of the bot's conversations.
    case conversationQuality = "clr3m5n8k000h08jqeu2v3w8r"
    /// Alerts on the bot's negative feedback, tokens, conversations and abandonment, each the
    /// period against the previous period of the same length (`AlertRule`).
    case alerts = "clr3m5n8k000i08jqfv3w4x9s"

    public var id: String { rawValue }

    public var name: String {
        switch self {
        case .stats: "Bot Stats Report"
        case .performance: "Bot Performance Report"
        case .negativeFeedback: "Bot Negative Feedback Report"
        case .conversationQuality: "Bot Conversation Quality Report"
        case .alerts: "Bot Alerts Report"
        }
    }

    public var description: String {
        switch self {
        case .stats: "Statistics for a specific bot including conversations, messages, token consumption, ratings, and sentiment signal"
        case .performance: "Per-bot performance metrics with period-over-period trends and daily breakdowns for conversations, messages, tokens, and ratings"
        case .negativeFeedback: "Recent negative ratings for a specific bot with user reasons and linked conversations for drill-down"
        case .conversationQuality: "Per-bot conversation quality metrics including depth distribution, abandonment rate, token efficiency, and top actions used"
        case .alerts: "Per-bot alerts detecting negative feedback surges, token spikes, conversation drops, and abandonment increases"
        }
    }

    /// When Tally first served the report (ISO 8601, as the list endpoint shows it).
    public var createdAt: String { "2026-12-02T00:00:00.000Z" }
    public var updatedAt: String { createdAt }

    /// `periodDays` when the input leaves it out: ChatBotKit's schema default, 7 days for Bot
    /// Alerts (a week against the week before) and 30 for the others.
    public var defaultPeriodDays: Int { self == .alerts ? 7 : ReportWindow.defaultPeriodDays }

    /// The input properties besides `botId` and `periodDays`.
    public var extraInputProperties: [String] { self == .negativeFeedback ? ["limit"] : [] }

    /// Bot Negative Feedback's `limit`: at most this many ratings, and this many by default.
    public static let feedbackLimitRange = 1...50
    public static let defaultFeedbackLimit = 10

    /// The report with this id, or nil.
    public init?(id: String) { self.init(rawValue: id) }
}
