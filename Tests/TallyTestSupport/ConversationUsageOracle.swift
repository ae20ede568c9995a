import Foundation
import TallyDomain

/// Computes ChatBotKit's Conversation Usage Report directly from raw events, as a JSON-ready
/// dictionary with the field names of ChatBotKit's output schema; it shares nothing with Tally's
/// calculator or its conversation state.
public struct ConversationUsageOracle {
    private let events: [Event]

    public init(events: [Event]) { self.events = events }

    public static let id = "cru3m5n8k001008jq7h9e5b2c"

    /// The expected answer for `tenant`, the ids as requested, over `periodDays` days ending on `end`.
    public func expected(tenant: String, conversationIds: [String], periodDays: Int, end: Day) -> [String: Any] {
        let start = end.advanced(by: -(periodDays - 1))
        var messages: [String: Int] = [:]
        var tokens: [String: Int] = [:]
        for event in events where event.userId == tenant && event.day >= start && event.day <= end {
            guard case .messageCreated = event.kind, let conversation = event.conversationId else { continue }
            messages[conversation, default: 0] += 1
            tokens[conversation, default: 0] += event.tokens ?? 0
        }
        var items: [[String: Any]] = []
        var listed: [String] = []
        for id in conversationIds where !listed.contains(id) {
            listed.append(id)
            let count = messages[id] ?? 0
            items.append(["conversationId": id, "tokens": tokens[id] ?? 0, "conversations": count > 0 ? 1 : 0, "messages": count])
        }
        func total(_ key: String) -> Int { items.reduce(0) { $0 + ($1[key] as! Int) } }
        return [
            "totalTokens": total("tokens"), "totalConversations": total("conversations"), "totalMessages": total("messages"),
            "period": "last \(periodDays) day\(periodDays == 1 ? "" : "s")", "items": items,
        ]
    }
}
