import Foundation
import TallyDomain

/// The alert rules the README documents, restated naively over plain counts: each threshold as the
/// inequality of integers it amounts to (a 20 % rise is 5 × current ≥ 6 × baseline), so that
/// nothing is shared with Tally's `AlertRule`.
enum AlertOracle {
    static let samePeriod = "in the previous period of the same length."

    static func twoDecimals(_ value: Double) -> String { String(format: "%.2f", value) }

    /// `numerator ÷ denominator × 100`, rounded to 2 decimals.
    static func percent(_ numerator: Int, _ denominator: Int) -> Double {
        (Double(numerator * 10_000) / Double(denominator)).rounded() / 100
    }

    static func alert(_ type: String, _ severity: String, _ title: String, _ message: String, current: Any, baseline: Any, percentage: Double) -> [String: Any] {
        ["type": type, "severity": severity, "title": title, "message": message,
         "metric": ["current": current, "baseline": baseline, "percentage": percentage]]
    }

    static func rise(_ type: String, _ title: String, _ subject: String, _ current: Int, _ baseline: Int, _ label: String) -> [String: Any]? {
        guard baseline > 0 else { return nil }
        let severity: String
        if current >= 2 * baseline { severity = "critical" } else if 2 * current >= 3 * baseline { severity = "warning" }
        else if 5 * current >= 6 * baseline { severity = "info" } else { return nil }
        let change = percent(current - baseline, baseline)
        return alert(type, severity, title, "\(subject) rose \(twoDecimals(change))% to \(current) in the \(label), against \(baseline) \(samePeriod)",
                     current: current, baseline: baseline, percentage: change)
    }

    static func drop(_ type: String, _ title: String, _ subject: String, _ current: Int, _ baseline: Int, _ label: String) -> [String: Any]? {
        guard baseline > 0 else { return nil }
        let severity: String
        if current == 0 { severity = "critical" } else if 2 * current <= baseline { severity = "warning" }
        else if 5 * current <= 4 * baseline { severity = "info" } else { return nil }
        let fall = percent(baseline - current, baseline)
        return alert(type, severity, title, "\(subject) fell \(twoDecimals(fall))% to \(current) in the \(label), against \(baseline) \(samePeriod)",
                     current: current, baseline: baseline, percentage: -fall)
    }

    /// The rate `a1 / e1` against `a0 / e0`, relatively.
    static func rateRise(_ type: String, _ title: String, _ subject: String, a1: Int, e1: Int, a0: Int, e0: Int, _ label: String) -> [String: Any]? {
        guard a0 > 0, e0 > 0, e1 > 0 else { return nil }
        let severity: String
        if a1 * e0 >= 2 * a0 * e1 { severity = "critical" } else if 2 * a1 * e0 >= 3 * a0 * e1 { severity = "warning" }
        else if 5 * a1 * e0 >= 6 * a0 * e1 { severity = "info" } else { return nil }
        let change = percent(a1 * e0 - a0 * e1, a0 * e1)
        let (now, before) = (percent(a1, e1), percent(a0, e0))
        return alert(type, severity, title,
                     "\(subject) rose \(twoDecimals(change))% to \(twoDecimals(now))% in the \(label), against \(twoDecimals(before))% \(samePeriod)",
                     current: now, baseline: before, percentage: change)
    }

    static func sentiment(down: Int, ratings: Int, _ label: String) -> [String: Any]? {
        guard ratings > 0, 2 * down > ratings else { return nil }
        let share = percent(down, ratings)
        return alert("sentiment", 4 * down >= 3 * ratings ? "critical" : "warning", "Negative sentiment",
                     "\(twoDecimals(share))% of the \(ratings) ratings in the \(label) are thumbs down.", current: down, baseline: ratings, percentage: share)
    }

    /// The report's answer: critical alerts first, then warnings, then infos, each in rule order.
    static func document(_ raised: [[String: Any]?], _ label: String) -> [String: Any] {
        let alerts = raised.compactMap { $0 }
        func of(_ severity: String) -> [[String: Any]] { alerts.filter { $0["severity"] as? String == severity } }
        return ["alerts": of("critical") + of("warning") + of("info"),
                "summary": ["totalAlerts": alerts.count, "criticalCount": of("critical").count, "warningCount": of("warning").count,
                            "infoCount": of("info").count],
                "period": label]
    }

    /// Started conversations of `events` (one tenant's or one bot's) whose start day is in
    /// `from...to`, as (exactly one user message, at least one): a conversation starts on the day
    /// of its earliest conversation.created, or else of its earliest event.
    static func abandonment(_ events: [Event], _ from: Day, _ to: Day) -> (single: Int, engaged: Int) {
        var single = 0
        var engaged = 0
        for (_, events) in Dictionary(grouping: events.filter { $0.conversationId != nil }, by: { $0.conversationId! }) {
            let created = events.filter { $0.kind == .conversationCreated }.min { $0.occurredAtMillis < $1.occurredAtMillis }
            let start = (created ?? events.min { $0.occurredAtMillis < $1.occurredAtMillis }!).day
            guard start >= from && start <= to else { continue }
            let users = events.filter { $0.kind == .messageCreated(.user) }.count
            if users >= 1 { engaged += 1 }
            if users == 1 { single += 1 }
        }
        return (single, engaged)
    }
}
