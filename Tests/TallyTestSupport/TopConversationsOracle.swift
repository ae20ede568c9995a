import Foundation
import TallyDomain

/// Computes the Reports API's top conversations directly from raw events: groups a tenant's
/// events by conversation, works out each one's start, counts and times with plain loops, and
/// ranks them. It shares nothing with Tally's conversation state, store or section builder.
public struct TopConversationsOracle {
    /// One expected row, in plain numbers.
    public struct Row: Equatable, CustomStringConvertible {
        public var id: String
        public var botIds: [String]
        public var channels: [String]
        public var userMessages: Int
        public var botMessages: Int
        public var messages: Int
        public var durationMillis: Int64?
        public var firstResponseMillis: Int64?
        public var thumbsUp: Int
        public var thumbsDown: Int

        public var description: String {
            "\(id) bots \(botIds) channels \(channels) user \(userMessages) bot \(botMessages) all \(messages) duration \(durationMillis.map(String.init) ?? "-") response \(firstResponseMillis.map(String.init) ?? "-") up \(thumbsUp) down \(thumbsDown)"
        }
    }

    private let events: [Event]
    private let timeZones: [String: TimeZone]

    /// - Parameters:
    ///   - events: the valid events Tally should have counted, each once.
    ///   - timeZones: tenants' zones by `userId`; others are in UTC.
    public init(events: [Event], timeZones: [String: TimeZone] = [:]) {
        self.events = events
        self.timeZones = timeZones
    }

    /// The `limit` conversations of `tenant` starting on a local day in `start...end`, most
    /// messages first, ties by id. With `botId` or `channel`, only that slice's events count
    /// (a conversation is then the slice's events of it), but the bots and channels listed are
    /// all of the tenant's events' for that conversation.
    public func expected(tenant: String, start: Day, end: Day, limit: Int, botId: String? = nil, channel: String? = nil) -> [Row] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZones[tenant] ?? TimeZone(identifier: "UTC")!
        func localDay(_ millis: Int64) -> Day {
            let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
            let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            return Day(year: parts.year!, month: parts.month!, day: parts.day!)!
        }
        let tenantEvents = events.filter { $0.userId == tenant && $0.conversationId != nil }
        var bots: [String: Set<String>] = [:]
        var channels: [String: Set<String>] = [:]
        for event in tenantEvents {
            if let bot = event.botId { bots[event.conversationId!, default: []].insert(bot) }
            if let value = event.channel { channels[event.conversationId!, default: []].insert(value) }
        }
        let counted = tenantEvents.filter { event in
            (botId.map { event.botId == $0 } ?? true) && (channel.map { event.channel == $0 } ?? true)
        }
        var rows: [Row] = []
        for (id, own) in Dictionary(grouping: counted, by: { $0.conversationId! }) {
            let created = own.filter { $0.kind == .conversationCreated }.map(\.occurredAtMillis).min()
            let startAt = created ?? own.map(\.occurredAtMillis).min()!
            let day = localDay(startAt)
            guard day >= start, day <= end else { continue }
            var user: [Int64] = [], bot: [Int64] = [], all: [Int64] = []
            var up = 0, down = 0
            for event in own {
                switch event.kind {
                case .messageCreated(let type):
                    all.append(event.occurredAtMillis)
                    if type == .user { user.append(event.occurredAtMillis) }
                    if type == .bot { bot.append(event.occurredAtMillis) }
                case .ratingCreated(let value):
                    if value > 0 { up += 1 } else if value < 0 { down += 1 }
                case .conversationCreated:
                    break
                }
            }
            var response: Int64?
            if let firstUser = user.min(), let answer = bot.filter({ $0 >= firstUser }).min() { response = answer - firstUser }
            rows.append(Row(id: id, botIds: bots[id, default: []].sorted(), channels: channels[id, default: []].sorted(), userMessages: user.count,
                            botMessages: bot.count, messages: all.count, durationMillis: all.isEmpty ? nil : all.max()! - all.min()!,
                            firstResponseMillis: response, thumbsUp: up, thumbsDown: down))
        }
        rows.sort { $0.messages != $1.messages ? $0.messages > $1.messages : $0.id < $1.id }
        return Array(rows.prefix(limit))
    }
}
