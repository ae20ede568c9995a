import Foundation
import TallyDomain

/// Computes ChatBotKit's tenant-wide reports (Alerts, Comprehensive Overview and Analytics,
/// Platform Overview) directly from raw events, as JSON-ready dictionaries with the field names of
/// ChatBotKit's output schemas; it shares nothing with Tally's calculators.
public struct TenantReportOracle {
    private let events: [Event]

    public init(events: [Event]) { self.events = events }

    public static let alerts = "clr3m5n8k000f08jqcs1u2v6p"
    public static let comprehensiveOverview = "clr3m5n8k000d08jqar7s8t4n"
    public static let comprehensiveAnalytics = "gpv2an25fuhe2k6v6ckv85v8"
    public static let platformOverview = "pov1s2k3l4m5n6o7p8q9r0sov"
    public static let ids = [alerts, comprehensiveOverview, comprehensiveAnalytics, platformOverview]

    /// The expected answer of report `reportId` for `tenant`, or nil for an id the oracle does not know.
    public func expected(reportId: String, tenant: String, periodDays: Int, end: Day, topBotsLimit: Int = 5) -> [String: Any]? {
        let mine = events.filter { $0.userId == tenant }
        let start = end.advanced(by: -(periodDays - 1))
        let previousStart = start.advanced(by: -periodDays)
        let previousEnd = start.advanced(by: -1)
        let days = (0..<periodDays).map { start.advanced(by: $0) }
        let label = "last \(periodDays) day\(periodDays == 1 ? "" : "s")"

        func count(_ events: [Event], _ from: Day, _ to: Day, _ weight: (Event) -> Int) -> Int {
            events.filter { $0.day >= from && $0.day <= to }.reduce(0) { $0 + weight($1) }
        }
        let conversation: (Event) -> Int = { $0.kind == .conversationCreated ? 1 : 0 }
        let message: (Event) -> Int = { if case .messageCreated = $0.kind { 1 } else { 0 } }
        let tokens: (Event) -> Int = { if case .messageCreated = $0.kind { $0.tokens ?? 0 } else { 0 } }
        let rating: (Event) -> Int = { if case .ratingCreated = $0.kind { 1 } else { 0 } }
        let up: (Event) -> Int = { if case .ratingCreated(let v) = $0.kind, v > 0 { 1 } else { 0 } }
        let down: (Event) -> Int = { if case .ratingCreated(let v) = $0.kind, v < 0 { 1 } else { 0 } }
        func contacts(_ events: [Event], _ from: Day, _ to: Day) -> Int {
            Set(events.filter { $0.day >= from && $0.day <= to }.compactMap(\.contactId)).count
        }
        func now(_ weight: (Event) -> Int) -> Int { count(mine, start, end, weight) }
        func before(_ weight: (Event) -> Int) -> Int { count(mine, previousStart, previousEnd, weight) }
        /// Bots with any event in `from...to`, and each one's events (of every day).
        func bots(_ from: Day, _ to: Day) -> [String: [Event]] {
            let ids = Set(mine.filter { $0.day >= from && $0.day <= to }.compactMap(\.botId))
            return Dictionary(grouping: mine.filter { $0.botId.map(ids.contains) ?? false }, by: { $0.botId! })
        }

        switch reportId {
        case Self.alerts:
            return AlertOracle.document([
                AlertOracle.rise("usageSpike", "Message volume spike", "Messages", now(message), before(message), label),
                AlertOracle.rise("usageSpike", "Token usage spike", "Tokens", now(tokens), before(tokens), label),
                AlertOracle.drop("activity", "Conversation drop", "Conversations", now(conversation), before(conversation), label),
                AlertOracle.rise("negativeFeedback", "Negative feedback surge", "Thumbs down ratings", now(down), before(down), label),
                AlertOracle.sentiment(down: now(down), ratings: now(rating), label),
            ], label)

        case Self.comprehensiveOverview, Self.comprehensiveAnalytics:
            let active = bots(start, end)
            func item(_ title: String, _ description: String, value: Int, previous: Int, chart: [[String: Any]],
                      perBot: (String, [Event]) -> Int, one: String, many: String) -> [String: Any] {
                var figures: [(id: String, figure: Int)] = []
                for (id, events) in active where perBot(id, events) > 0 { figures.append((id, perBot(id, events))) }
                figures.sort { a, b in a.figure == b.figure ? a.id < b.id : a.figure > b.figure }
                var list: [[String: Any]] = []
                for (id, figure) in figures.prefix(10) {
                    let unit = figure == 1 ? one : many
                    list.append(["id": id, "name": id, "description": "\(figure) \(unit)"])
                }
                let metric: [String: Any] = ["title": title, "description": description, "value": value, "change": value - previous, "period": label]
                return metric.merging(["details": ["metric": metric, "chart": ["type": "line", "data": chart], "list": list]]) { a, _ in a }
            }
            func counted(_ title: String, _ description: String, _ weight: @escaping (Event) -> Int, _ one: String, _ many: String) -> [String: Any] {
                item(title, description, value: now(weight), previous: before(weight),
                     chart: days.map { ["date": $0.iso, "total": count(mine, $0, $0, weight)] },
                     perBot: { count($1, start, end, weight) }, one: one, many: many)
            }
            var data = [
                item("Total Ratings", "Number of ratings received in the period", value: now(rating), previous: before(rating),
                     chart: days.map { ["date": $0.iso, "total": count(mine, $0, $0, rating), "thumbsUp": count(mine, $0, $0, up),
                                        "thumbsDown": count(mine, $0, $0, down)] },
                     perBot: { count($1, start, end, rating) }, one: "rating", many: "ratings"),
                item("Active Contacts", "Distinct contacts with any event in the period", value: contacts(mine, start, end),
                     previous: contacts(mine, previousStart, previousEnd), chart: days.map { ["date": $0.iso, "total": contacts(mine, $0, $0)] },
                     perBot: { contacts($1, start, end) }, one: "active contact", many: "active contacts"),
                counted("Total Conversations", "Number of conversations created in the period", conversation, "conversation", "conversations"),
                counted("Total Messages", "Number of messages of every type created in the period", message, "message", "messages"),
            ]
            if reportId == Self.comprehensiveAnalytics {
                data.append(counted("Total Tokens", "Model tokens of the messages created in the period", tokens, "token", "tokens"))
            }
            return ["data": data]

        case Self.platformOverview:
            func series(_ weight: (Event) -> Int) -> [String: Any] {
                ["value": now(weight), "change": now(weight) - before(weight),
                 "breakdown": days.map { ["date": $0.iso, "total": count(mine, $0, $0, weight)] }]
            }
            let active = bots(start, end)
            struct Bot { var id: String; var tokens, conversations, up, down: Int; var sparkline: [Int] }
            let ranked = active.map { id, events in
                Bot(id: id, tokens: count(events, start, end, tokens), conversations: count(events, start, end, conversation),
                    up: count(events, start, end, up), down: count(events, start, end, down),
                    sparkline: days.map { count(events, $0, $0, tokens) })
            }.sorted { a, b in
                (a.tokens, a.conversations, b.id) > (b.tokens, b.conversations, a.id)
            }
            let top: [[String: Any]] = ranked.prefix(topBotsLimit).map { bot in
                let ratings = bot.up + bot.down
                return ["id": bot.id, "name": bot.id, "tokens": bot.tokens, "conversations": bot.conversations, "thumbsUp": bot.up,
                        "thumbsDown": bot.down, "thumbsUpRate": ratings == 0 ? NSNull() : AlertOracle.percent(bot.up, ratings) as Any,
                        "sparkline": bot.sparkline]
            }
            let zero: [String: Any] = ["value": 0, "change": 0]
            return [
                "period": label, "rangeLabel": periodDays == 1 ? end.iso : "\(start.iso) to \(end.iso)",
                "resources": ["blueprints": zero, "portals": zero,
                              "bots": ["value": active.count, "change": active.count - bots(previousStart, previousEnd).count]],
                "tokens": series(tokens), "conversations": series(conversation), "messages": series(message),
                "negativeRatings": series(down), "positiveRatings": ["value": now(up), "change": now(up) - before(up)],
                "topBots": top, "recentWork": [Any](),
            ]
        default:
            return nil
        }
    }
}
