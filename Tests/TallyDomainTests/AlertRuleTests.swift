import Foundation
import Testing
import TallyDomain

/// The alert rules at their documented thresholds, computed by hand: a spike alerts from +20 %,
/// is a warning from +50 % and critical from +100 %; a drop mirrors it down to none at all; a
/// share of thumbs down alerts above half; the previous period must have had some.
@Suite("Alert rules")
struct AlertRuleTests {
    static func counters(messages: Int64 = 0, tokens: Int64 = 0, conversations: Int64 = 0, up: Int64 = 0, down: Int64 = 0) -> DailyCounters {
        var c = DailyCounters()
        c.messages = messages
        c.tokens = tokens
        c.conversations = conversations
        c.thumbsUp = up
        c.thumbsDown = down
        c.ratings = up + down
        return c
    }

    static func messageSpike(_ current: Int64, _ baseline: Int64) -> Alert? {
        AlertRule.tenantAlerts(current: counters(messages: current), previous: counters(messages: baseline), period: "last 7 days").alerts.first
    }

    @Test("message spikes by threshold", arguments: [
        (119, 100, nil), (120, 100, "info"), (149, 100, "info"), (150, 100, "warning"), (199, 100, "warning"), (200, 100, "critical"),
        (5, 0, nil), (0, 0, nil), (6, 5, "info"), (1, 3, nil),
    ] as [(Int64, Int64, String?)])
    func spikes(current: Int64, baseline: Int64, severity: String?) {
        #expect(Self.messageSpike(current, baseline)?.severity.rawValue == severity, "\(current) against \(baseline)")
    }

    @Test("a spike carries its figures, its percentage rounded to 2 decimals, and a message that states them")
    func spikeFigures() throws {
        let alert = try #require(Self.messageSpike(7, 3))
        #expect(alert.type == .usageSpike && alert.title == "Message volume spike")
        #expect(alert.metric == .init(current: .count(7), baseline: .count(3), percentage: .hundredths(13_333)))
        #expect(alert.message == "Messages rose 133.33% to 7 in the last 7 days, against 3 in the previous period of the same length.")
    }

    @Test("conversation drops by threshold, with a negative percentage", arguments: [
        (81, 100, nil, nil), (80, 100, "info", -2_000), (51, 100, "info", -4_900), (50, 100, "warning", -5_000),
        (1, 100, "warning", -9_900), (0, 100, "critical", -10_000), (2, 3, "info", -3_333), (0, 0, nil, nil),
    ] as [(Int64, Int64, String?, Int64?)])
    func drops(current: Int64, baseline: Int64, severity: String?, hundredths: Int64?) {
        let alert = AlertRule.tenantAlerts(current: Self.counters(conversations: current), previous: Self.counters(conversations: baseline),
                                           period: "last 30 days").alerts.first
        #expect(alert?.severity.rawValue == severity)
        #expect(alert?.metric?.percentage == hundredths.map(ReportNumber.hundredths))
        if let alert { #expect(alert.type == .activity && alert.message.hasPrefix("Conversations fell ")) }
    }

    @Test("negative sentiment above half of the ratings, critical from three quarters", arguments: [
        (5, 5, nil), (4, 5, "warning"), (2, 3, "warning"), (1, 2, "warning"), (1, 3, "critical"), (1, 4, "critical"), (0, 1, "critical"), (0, 0, nil), (3, 0, nil),
    ] as [(Int64, Int64, String?)])
    func sentiment(up: Int64, down: Int64, severity: String?) {
        // Same thumbs down in both periods, so that only the sentiment rule can alert.
        let alerts = AlertRule.tenantAlerts(current: Self.counters(up: up, down: down), previous: Self.counters(up: up, down: down), period: "p").alerts
        #expect(alerts.first { $0.type == .sentiment }?.severity.rawValue == severity)
        #expect(alerts.allSatisfy { $0.type == .sentiment })
    }

    @Test("alerts come most severe first, rules in order within a severity, and the summary counts them")
    func order() {
        // Messages +20 % (info), tokens +100 % (critical), conversations −50 % (warning), thumbs down +50 % (warning) with 3 of 4 ratings down (critical).
        let document = AlertRule.tenantAlerts(current: Self.counters(messages: 12, tokens: 20, conversations: 5, up: 1, down: 3),
                                              previous: Self.counters(messages: 10, tokens: 10, conversations: 10, up: 0, down: 2), period: "p")
        #expect(document.alerts.map(\.title) == ["Token usage spike", "Negative sentiment", "Conversation drop", "Negative feedback surge", "Message volume spike"])
        let summary = document.summary
        #expect([summary.totalAlerts, summary.criticalCount, summary.warningCount, summary.infoCount] == [5, 2, 2, 1])
    }

    @Test("abandonment spikes relatively: 20 % to 24 % is +20 %, and a period without engaged conversations raises none")
    func abandonment() throws {
        func metrics(single: Int64, engaged: Int64) -> ConversationDayMetrics {
            ConversationDayMetrics(depthCounts: [0, single, engaged - single, 0, 0], firstResponses: LogHistogram(), durations: LogHistogram())
        }
        func alert(_ now: (Int64, Int64), _ before: (Int64, Int64)) -> Alert? {
            AlertRule.botAlerts(current: DailyCounters(), previous: DailyCounters(), started: metrics(single: now.0, engaged: now.1),
                                startedBefore: metrics(single: before.0, engaged: before.1), period: "last 7 days").alerts.first
        }
        let rise = try #require(alert((6, 25), (2, 10)))
        #expect(rise.type == .abandonmentSpike && rise.severity == .info)
        #expect(rise.metric == .init(current: .hundredths(2_400), baseline: .hundredths(2_000), percentage: .hundredths(2_000)))
        #expect(rise.message == "The abandonment rate rose 20.00% to 24.00% in the last 7 days, against 20.00% in the previous period of the same length.")
        #expect(alert((23, 100), (2, 10)) == nil, "+15 %")
        #expect(alert((4, 4), (1, 2))?.severity == .critical, "50 % to 100 %")
        #expect(alert((0, 0), (1, 2)) == nil)
        #expect(alert((3, 3), (0, 2)) == nil, "no rise from a rate of 0")
    }
}
