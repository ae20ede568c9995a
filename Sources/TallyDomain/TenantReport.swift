/// ChatBotKit's tenant-wide reports of several figures, with ChatBotKit's ids and names.
///
/// Like `BotReport`, each answers a document rather than the one figure with a daily breakdown of
/// `ReportDefinition`; unlike it, each covers the whole tenant (its per-bot parts read the bots'
/// slices), so their input names no bot. They read precomputed counters only.
public enum TenantReport: String, CaseIterable, Sendable {
    /// Alerts on the tenant's messages, tokens, conversations and ratings (`AlertRule.tenantAlerts`).
    case alerts = "clr3m5n8k000f08jqcs1u2v6p"
    /// Ratings, active contacts, conversations and messages, each with a chart and its top bots.
    case comprehensiveOverview = "clr3m5n8k000d08jqar7s8t4n"
    /// Comprehensive Overview's figures and tokens.
    case comprehensiveAnalytics = "gpv2an25fuhe2k6v6ckv85v8"
    /// The dashboard: resource counts, usage series, top bots.
    case platformOverview = "pov1s2k3l4m5n6o7p8q9r0sov"

    public var id: String { rawValue }

    public var name: String {
        switch self {
        case .alerts: "Alerts Report"
        case .comprehensiveOverview: "Comprehensive Overview Report"
        case .comprehensiveAnalytics: "Comprehensive Analytics Report"
        case .platformOverview: "Platform Overview Report"
        }
    }

    public var description: String {
        switch self {
        case .alerts: "Compiles a list of alerts for the current user including usage warnings, limit warnings, and sentiment alerts"
        case .comprehensiveOverview: "Complete analytics overview with ratings, contacts, conversations, and messages including detailed breakdowns and lists"
        case .comprehensiveAnalytics: "Complete analytics overview with ratings, contacts, conversations, messages, and token usage including detailed breakdowns and lists"
        case .platformOverview: "Single-call dashboard payload for the platform overview screen with resource counts, usage time series, top bots, and recent work"
        }
    }

    /// When Tally first served the report (ISO 8601, as the list endpoint shows it).
    public var createdAt: String { "2026-12-02T00:00:00.000Z" }
    public var updatedAt: String { createdAt }

    /// `periodDays` when the input leaves it out: ChatBotKit's schema default, 7 days for Platform
    /// Overview and 30 for the others.
    public var defaultPeriodDays: Int { self == .platformOverview ? 7 : ReportWindow.defaultPeriodDays }

    /// The input properties besides `periodDays`.
    public var extraInputProperties: [String] { self == .platformOverview ? ["topBotsLimit", "recentWorkLimit"] : [] }

    /// Platform Overview's `topBotsLimit` and `recentWorkLimit`: 1 to 20 (ChatBotKit's bounds).
    public static let listLimitRange = 1...20
    public static let defaultTopBotsLimit = 5
    public static let defaultRecentWorkLimit = 4

    /// The report with this id, or nil.
    public init?(id: String) { self.init(rawValue: id) }
}
