import Foundation
import TallyDomain

/// Computes ChatBotKit's per-bot reports directly from raw events, as JSON-ready dictionaries with
/// the field names of ChatBotKit's output schemas; it shares nothing with Tally's calculator.
public struct BotReportOracle {
    private let events: [Event]

    public init(events: [Event]) { self.events = events }

    /// The expected answer of report `reportId` for `tenant`'s bot `botId`, or nil for an id the
    /// oracle does not know.
    public func expected(reportId: String, tenant: String, botId: String, periodDays: Int, end: Day, limit: Int = 10) -> [String: Any]? {
        let mine = events.filter { $0.userId == tenant && $0.botId == botId }
        let start = end.advanced(by: -(periodDays - 1))
        let previousStart = start.advanced(by: -periodDays)
        let previousEnd = start.advanced(by: -1)
        let days = (0..<periodDays).map { start.advanced(by: $0) }
        let label = "last \(periodDays) day\(periodDays == 1 ? "" : "s")"

        func count(_ from: Day, _ to: Day, _ weight: (Event) -> Int) -> Int {
            mine.filter { $0.day >= from && $0.day <= to }.reduce(0) { $0 + weight($1) }
        }
        let conversation: (Event) -> Int = { $0.kind == .conversationCreated ? 1 : 0 }
        let message: (Event) -> Int = { if case .messageCreated = $0.kind { 1 } else { 0 } }
        let tokens: (Event) -> Int = { if case .messageCreated = $0.kind { $0.tokens ?? 0 } else { 0 } }
        let rating: (Event) -> Int = { if case .ratingCreated = $0.kind { 1 } else { 0 } }
        let up: (Event) -> Int = { if case .ratingCreated(let v) = $0.kind, v > 0 { 1 } else { 0 } }
        let down: (Event) -> Int = { if case .ratingCreated(let v) = $0.kind, v < 0 { 1 } else { 0 } }
        func sentiment(_ up: Int, _ down: Int) -> String {
            up + down == 0 ? "unknown" : up == down ? "neutral" : up > down ? "positive" : "negative"
        }
        let (thumbsUp, thumbsDown) = (count(start, end, up), count(start, end, down))

        switch reportId {
        case "clr3m5n8k000e08jqbs0t1u5o":
            return [
                "totalConversations": count(start, end, conversation), "totalMessages": count(start, end, message),
                "totalTokens": count(start, end, tokens), "totalRatings": count(start, end, rating),
                "thumbsUp": thumbsUp, "thumbsDown": thumbsDown, "sentimentSignal": sentiment(thumbsUp, thumbsDown), "period": label,
            ]
        case "clr3m5n8k000g08jqdt1u2v7q":
            func trend(_ weight: (Event) -> Int) -> [String: Any] {
                let current = count(start, end, weight)
                let previous = count(previousStart, previousEnd, weight)
                return ["current": current, "previous": previous, "change": current - previous,
                        "breakdown": days.map { ["date": $0.iso, "total": count($0, $0, weight)] }]
            }
            let ratings: [String: Any] = [
                "thumbsUp": thumbsUp, "thumbsDown": thumbsDown, "total": count(start, end, rating),
                "change": count(start, end, rating) - count(previousStart, previousEnd, rating),
                "sentimentSignal": sentiment(thumbsUp, thumbsDown),
                "breakdown": days.map { ["date": $0.iso, "total": count($0, $0, rating), "thumbsUp": count($0, $0, up), "thumbsDown": count($0, $0, down)] },
            ]
            return ["conversations": trend(conversation), "messages": trend(message), "tokens": trend(tokens), "ratings": ratings, "period": label]
        case "clr3m5n8k000h08jqeu2v3w8r":
            // Each figure is the tenant oracle's own figure over the bot's events alone.
            let oracle = ReportOracle(events: mine)
            func figure(_ id: String) -> ReportOracle.Expected? { oracle.expected(reportId: id, tenant: tenant, periodDays: periodDays, end: end) }
            guard let depth = figure("tly7r2q9w000b08jqk3cdep5b"), let buckets = depth.buckets,
                  let user = figure("clr3m5n8k000a08jq7o4p5q1k"), let bot = figure("clr3m5n8k000b08jq8p5q6r2l"),
                  let activity = figure("clr3m5n8k000c08jq9q6r7s3m"), let abandonment = figure("tly7r2q9w000808jqh0abnd2y"),
                  let tokensPerConversation = figure("tly7r2q9w000508jqe7tkcv9v") else { return nil }
            let bucket = Dictionary(uniqueKeysWithValues: buckets.map { ($0.bucket, $0.total) })
            let messages = count(start, end, message)
            let perMessage = messages == 0 ? 0 : (Double(count(start, end, tokens) * 100) / Double(messages)).rounded() / 100
            return [
                "avgMessagesPerConversation": ["user": user.value, "bot": bot.value, "activity": activity.value],
                "conversationDepth": ["singleTurn": bucket["1"] ?? -1, "short": bucket["2-3"] ?? -1, "medium": bucket["4-10"] ?? -1, "long": bucket[">10"] ?? -1],
                "totalConversations": depth.value, "abandonmentRate": abandonment.value,
                "avgTokensPerConversation": tokensPerConversation.value, "avgTokensPerMessage": perMessage,
                "topActions": [Any](), "period": label,
            ]
        case "clr3m5n8k000j08jqgw4x5y0t":
            // Newest first, ties by id; the first 1 000 characters of a reason.
            let negative = mine.filter { if case .ratingCreated(let v) = $0.kind { v < 0 && $0.day >= start && $0.day <= end } else { false } }
                .sorted { $0.occurredAtMillis != $1.occurredAtMillis ? $0.occurredAtMillis > $1.occurredAtMillis : $0.id < $1.id }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            formatter.timeZone = TimeZone(identifier: "UTC")
            let items: [[String: Any]] = negative.prefix(limit).map { e in
                guard case .ratingCreated(let value) = e.kind else { return [:] }
                return ["id": e.id, "value": value, "reason": e.reason.map { String($0.prefix(1000)) } ?? NSNull(),
                        "conversationId": e.conversationId ?? NSNull(), "messageId": e.messageId ?? NSNull(),
                        "contactId": e.contactId ?? NSNull(), "contactName": NSNull(),
                        "createdAt": formatter.string(from: Date(timeIntervalSince1970: Double(e.occurredAtMillis) / 1000))]
            }
            return ["items": items, "total": count(start, end, rating), "thumbsDown": thumbsDown, "thumbsUp": thumbsUp, "period": label]
        case "clr3m5n8k000i08jqfv3w4x9s":
            let (now, before) = (AlertOracle.abandonment(mine, start, end), AlertOracle.abandonment(mine, previousStart, previousEnd))
            return AlertOracle.document([
                AlertOracle.rise("negativeFeedback", "Negative feedback surge", "Thumbs down ratings", thumbsDown, count(previousStart, previousEnd, down), label),
                AlertOracle.rise("tokenSpike", "Token spike", "Tokens", count(start, end, tokens), count(previousStart, previousEnd, tokens), label),
                AlertOracle.drop("conversationDrop", "Conversation drop", "Conversations", count(start, end, conversation),
                                 count(previousStart, previousEnd, conversation), label),
                AlertOracle.rateRise("abandonmentSpike", "Abandonment spike", "The abandonment rate",
                                     a1: now.single, e1: now.engaged, a0: before.single, e0: before.engaged, label),
            ], label)
        default:
            return nil
        }
    }
}

extension BotReportOracle {
    /// Gives ratings reasons, some hostile (markup, a spreadsheet formula, line breaks) and one far
    /// longer than is kept, so that the list's every field is exercised.
    public static func withReasons(_ events: [Event]) -> [Event] {
        let reasons = ["too slow", "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "line one\r\nBcc: x@y", String(repeating: "ä", count: 1_500)]
        return events.enumerated().map { index, event in
            var event = event
            if case .ratingCreated = event.kind, index % 3 != 0 { event.reason = reasons[index % reasons.count] }
            return event
        }
    }

    /// A JSON-ready value as canonical text (sorted keys), so that an answer parsed from a response
    /// and an expected dictionary compare by content, whatever Foundation types hold them.
    public static func canonical(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "not JSON: \(object)" }
        return String(decoding: data, as: UTF8.self)
    }
}
