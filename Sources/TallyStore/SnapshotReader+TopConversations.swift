import Foundation
import GRDB
import TallyDomain

/// The Reports API's top conversations, ranked from `conversation_states`.
///
/// A conversation that starts in the period has a part on its start day (the part of its start
/// event's own day, on the same clock), so one scan of the key's parts on the period's days finds
/// every candidate; each candidate's parts are then read whole by the primary key's prefix
/// (`ConversationPartStatements`), since parts before the period can move its start out of it and
/// parts after it add messages. Only the `limit` best are kept while ranking. Their bots and
/// channels come from primary-key look-ups of the tenant's slice keys active on their days, never
/// from a scan of the slices' parts.
extension SnapshotReader {
    func topConversations(tenant key: String, clock: LocalClock, from: Day, through: Day, limit: Int) throws -> [TopConversation] {
        guard limit > 0, from <= through else { return [] }
        let candidates = try String.fetchCursor(db.cachedStatement(sql: """
            SELECT DISTINCT conversation_id FROM conversation_states WHERE tenant = ? AND day BETWEEN ? AND ?
            """), arguments: [key, from.number, through.number])
        let parts = try ConversationPartStatements(readingFrom: db)
        var ranked = RankedConversations(limit: limit)
        while let conversation = try candidates.next() {
            let stored = try parts.parts(tenant: key, conversation: conversation)
            guard let state = ConversationRows.merged(stored.values) else { continue }
            let start = state.startDay(in: clock)
            guard start >= from, start <= through else { continue }
            ranked.offer(.init(id: conversation, state: state, firstDay: stored.keys.min()!, lastDay: stored.keys.max()!))
        }
        var top = ranked.best
        // A sliced ranking lists the bots and channels of the whole conversation, whose days are
        // those of the tenant's own parts.
        let owner = RollupScope.owner(ofKey: key)
        if owner != key {
            let days = try db.cachedStatement(sql: "SELECT MIN(day), MAX(day) FROM conversation_states WHERE tenant = ? AND conversation_id = ?")
            for index in top.indices {
                guard let row = try Row.fetchOne(days, arguments: [owner, top[index].id]), let first = row[0] as Int32?, let last = row[1] as Int32? else { continue }
                top[index].firstDay = min(top[index].firstDay, Day(number: first))
                top[index].lastDay = max(top[index].lastDay, Day(number: last))
            }
        }
        guard let firstDay = top.map(\.firstDay).min(), let lastDay = top.map(\.lastDay).max() else { return [] }

        // A conversation's part under a slice key comes with that slice's counters of the same
        // day, so the slices active on the top conversations' days are every one that may hold it.
        let holds = try db.cachedStatement(sql: "SELECT 1 FROM conversation_states WHERE tenant = ? AND conversation_id = ? LIMIT 1")
        func values(_ dimension: RollupScope.Dimension) throws -> [String] {
            try sliceValues(tenant: owner, dimension, from: firstDay, through: lastDay).sorted()
        }
        let bots = try values(.botId), channels = try values(.channel)
        func holding(_ conversation: String, _ dimension: RollupScope.Dimension, _ candidates: [String]) throws -> [String] {
            try candidates.filter { value in
                try Int.fetchOne(holds, arguments: [RollupScope.key(tenant: owner, dimension, value), conversation]) != nil
            }
        }
        return try top.map { item in
            TopConversation(id: item.id, botIds: try holding(item.id, .botId, bots), channels: try holding(item.id, .channel, channels),
                            state: item.state)
        }
    }
}

/// The best `limit` conversations offered so far, by `TopConversation.ranksBefore`, without
/// keeping every candidate of a busy tenant's period in memory.
struct RankedConversations {
    struct Item {
        var id: String
        var state: ConversationState
        /// The first and last day with a stored part.
        var firstDay: Day
        var lastDay: Day
        var rank: (id: String, messages: Int64) { (id, state.messages) }
    }

    let limit: Int
    private var items: [Item] = []

    init(limit: Int) { self.limit = limit }

    mutating func offer(_ item: Item) {
        items.append(item)
        // Trimmed in bulk: one sort per `limit` offers rather than one insertion each.
        if items.count >= 2 * limit + 64 { trim() }
    }

    var best: [Item] {
        var copy = self
        copy.trim()
        return copy.items
    }

    private mutating func trim() {
        items.sort { TopConversation.ranksBefore($0.rank, $1.rank) }
        if items.count > limit { items.removeSubrange(limit...) }
    }
}
