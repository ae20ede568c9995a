/// The rules by which Alerts and Bot Alerts raise alerts, in one place so that each can be
/// recomputed from the reports' own figures (README, "Alert rules").
///
/// Every rule compares the report's period (`periodDays` days ending today) with the previous
/// period of the same length, the days just before it, from the same daily counters the other
/// reports sum. Thresholds apply to the exact figures, before any rounding; the `percentage` an
/// alert shows is then rounded half away from zero to 2 decimals. No rule has a minimum volume:
/// a count that goes from 1 to 2 is a 100 % rise.
public enum AlertRule {
    /// The relative change at which a spike or drop alerts, most severe first: ChatBotKit's
    /// definition (info for 20 %+, warning for 50 %+, critical for 100 %+).
    public static let changeThresholds: [(severity: Alert.Severity, percent: Int64)] = [(.critical, 100), (.warning, 50), (.info, 20)]

    /// The severity of the relative change `change ÷ base` (both exact integers), nil under 20 %.
    static func severity(change: Int64, base: Int64) -> Alert.Severity? {
        changeThresholds.first { 100 * change >= $0.percent * base }?.severity
    }

    /// A spike of a count: raised when the previous period had some (`baseline` > 0) and the
    /// period has at least 20 % more; `percentage` = (current − baseline) ÷ baseline × 100.
    static func rise(_ kind: Alert.Kind, title: String, subject: String, current: Int64, baseline: Int64, period: String) -> Alert? {
        guard baseline > 0, current > baseline, let severity = severity(change: current - baseline, base: baseline) else { return nil }
        let percentage = ReportNumber.percentage(current - baseline, baseline)
        return Alert(type: kind, severity: severity, title: title,
                     message: "\(subject) rose \(percentage)% to \(current) in the \(period), against \(baseline) in the previous period of the same length.",
                     metric: .init(current: .count(current), baseline: .count(baseline), percentage: percentage))
    }

    /// A drop of a count: raised when the previous period had some and the period has at least
    /// 20 % fewer (100 %: none at all); `percentage` = (current − baseline) ÷ baseline × 100,
    /// negative.
    static func drop(_ kind: Alert.Kind, title: String, subject: String, current: Int64, baseline: Int64, period: String) -> Alert? {
        guard baseline > 0, current < baseline, let severity = severity(change: baseline - current, base: baseline) else { return nil }
        let percentage = ReportNumber.percentage(current - baseline, baseline)
        return Alert(type: kind, severity: severity, title: title,
                     message: "\(subject) fell \(ReportNumber.percentage(baseline - current, baseline))% to \(current) in the \(period), against \(baseline) in the previous period of the same length.",
                     metric: .init(current: .count(current), baseline: .count(baseline), percentage: percentage))
    }

    /// A spike of a rate `part ÷ whole`: raised when the previous period's rate is above 0 and the
    /// period's is at least 20 % higher, relatively (a rate going from 20 % to 24 % is a 20 %
    /// rise). `current` and `baseline` are the two rates as percentages; `percentage` is
    /// (current − baseline) ÷ baseline × 100, computed from the exact fractions.
    static func rateRise(_ kind: Alert.Kind, title: String, subject: String, current: (part: Int64, whole: Int64),
                         baseline: (part: Int64, whole: Int64), period: String) -> Alert? {
        guard baseline.part > 0, baseline.whole > 0, current.whole > 0 else { return nil }
        // current.part / current.whole − baseline.part / baseline.whole over the baseline rate.
        let change = current.part * baseline.whole - baseline.part * current.whole
        let base = baseline.part * current.whole
        guard change > 0, let severity = severity(change: change, base: base) else { return nil }
        let percentage = ReportNumber.percentage(change, base)
        let now = ReportNumber.percentage(current.part, current.whole)
        let before = ReportNumber.percentage(baseline.part, baseline.whole)
        return Alert(type: kind, severity: severity, title: title,
                     message: "\(subject) rose \(percentage)% to \(now)% in the \(period), against \(before)% in the previous period of the same length.",
                     metric: .init(current: now, baseline: before, percentage: percentage))
    }

    /// Ratings that lean negative: raised when more than half of the period's ratings are thumbs
    /// down (ChatBotKit's negative sentiment signal); warning above 50 %, critical from 75 %.
    /// `current` is the thumbs down, `baseline` the ratings, `percentage` their share.
    static func negativeShare(thumbsDown: Int64, ratings: Int64, period: String) -> Alert? {
        guard ratings > 0, 2 * thumbsDown > ratings else { return nil }
        let share = ReportNumber.percentage(thumbsDown, ratings)
        return Alert(type: .sentiment, severity: 4 * thumbsDown >= 3 * ratings ? .critical : .warning, title: "Negative sentiment",
                     message: "\(share)% of the \(ratings) ratings in the \(period) are thumbs down.",
                     metric: .init(current: .count(thumbsDown), baseline: .count(ratings), percentage: share))
    }

    /// Alerts' rules, over the tenant's counters of the period and of the previous period:
    /// messages (every type) and tokens spiking (`usageSpike`), conversations dropping
    /// (`activity`), thumbs down spiking (`negativeFeedback`) and ratings leaning negative
    /// (`sentiment`). `limit` alerts are never raised: Tally knows no limits.
    public static func tenantAlerts(current: DailyCounters, previous: DailyCounters, period: String) -> AlertsDocument {
        AlertsDocument(raised: [
            rise(.usageSpike, title: "Message volume spike", subject: "Messages", current: current.messages, baseline: previous.messages, period: period),
            rise(.usageSpike, title: "Token usage spike", subject: "Tokens", current: current.tokens, baseline: previous.tokens, period: period),
            drop(.activity, title: "Conversation drop", subject: "Conversations", current: current.conversations, baseline: previous.conversations,
                 period: period),
            rise(.negativeFeedback, title: "Negative feedback surge", subject: "Thumbs down ratings", current: current.thumbsDown,
                 baseline: previous.thumbsDown, period: period),
            negativeShare(thumbsDown: current.thumbsDown, ratings: current.ratings, period: period),
        ], period: period)
    }

    /// Bot Alerts' rules, over the bot's counters of both periods and its conversations started in
    /// each: thumbs down spiking (`negativeFeedback`), tokens spiking (`tokenSpike`),
    /// conversations dropping (`conversationDrop`), and the abandonment rate (conversations with
    /// exactly one user message ÷ those with at least one, as Abandonment Rate) spiking
    /// (`abandonmentSpike`).
    public static func botAlerts(current: DailyCounters, previous: DailyCounters, started: ConversationDayMetrics,
                                 startedBefore: ConversationDayMetrics, period: String) -> AlertsDocument {
        AlertsDocument(raised: [
            rise(.negativeFeedback, title: "Negative feedback surge", subject: "Thumbs down ratings", current: current.thumbsDown,
                 baseline: previous.thumbsDown, period: period),
            rise(.tokenSpike, title: "Token spike", subject: "Tokens", current: current.tokens, baseline: previous.tokens, period: period),
            drop(.conversationDrop, title: "Conversation drop", subject: "Conversations", current: current.conversations,
                 baseline: previous.conversations, period: period),
            rateRise(.abandonmentSpike, title: "Abandonment spike", subject: "The abandonment rate",
                     current: (started.withOneUserMessage, started.withUserMessages),
                     baseline: (startedBefore.withOneUserMessage, startedBefore.withUserMessages), period: period),
        ], period: period)
    }
}
