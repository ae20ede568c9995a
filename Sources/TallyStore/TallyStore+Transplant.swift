import Foundation
import GRDB
import TallyDomain

/// Partial rebuilds: the rows a scoped replay rebuilt replace the same rows of a copy of the live
/// store, and everything outside the scope stays as it was.
///
/// Members are numbered per store, so the replay's bitmaps are renumbered to this store's ordinals
/// by member identity. Total Contacts is the running sum of `new_contacts`, each contact counted on
/// its first day, so when a range of days is replaced a contact's first day is worked out again
/// from the days before the range (kept), the range (rebuilt) and the days after it (kept).
/// Conversations are stored per day of their events for the same reason: a conversation whose
/// events straddle the range is merged again from its kept and its rebuilt days.
extension TallyStore {
    /// Replaces this store's rollups inside `scope` with those of `rebuilt`, a store that holds only
    /// in-scope events, in one transaction.
    ///
    /// - Returns: tenant-days outside the scope whose rows changed too: days after the range whose
    ///   `new_contacts` moved because a contact's first day moved into or out of the range, and
    ///   days outside it whose conversation metrics moved because a conversation with events in
    ///   the range starts there (or started there before). A
    ///   verification must compare them as well as the in-scope days.
    @discardableResult
    public func transplant(_ scope: RebuildScope, from rebuilt: TallyStore) throws(StoreError) -> Set<RollupDelta.TenantDay> {
        let range = DayRange(scope)
        let rebuiltTenants = try rebuilt.read { db in try String.fetchSet(db, sql: "SELECT tenant FROM daily_counters UNION SELECT tenant FROM members") }
        // The zone a tenant is bucketed in belongs to its rollups: a tenant's rebuild brings its own.
        let rebuiltZones = try rebuilt.tenantZones()
        let previousClocks = tenantClocks
        var clocks = previousClocks
        if let tenant = scope.tenant { clocks.set(rebuilt.clock(forTenant: tenant), forTenant: tenant) }
        defer { ordinalCache.reset() }
        let outside = try write { db in
            // Inside the transaction too, so that a batch committed just before cannot publish
            // ordinals of the rows replaced here (see `OrdinalCache.currentGeneration`).
            self.ordinalCache.reset()
            if let tenant = scope.tenant { try Self.saveZone(tenant, rebuiltZones[tenant], db: db) }
            var tenants = rebuiltTenants.filter(scope.contains(tenant:))
            if let tenant = scope.tenant {
                // The tenant and every slice of it the live store holds, so that a slice the
                // replay no longer has loses its rows too.
                tenants.insert(tenant)
                let bounds = RollupScope.keyBounds(tenant: tenant)
                tenants.formUnion(try String.fetchSet(db, sql: """
                    SELECT tenant FROM daily_counters WHERE tenant > ? AND tenant < ? UNION SELECT tenant FROM members WHERE tenant > ? AND tenant < ?
                    """, arguments: [bounds.lower, bounds.upper, bounds.lower, bounds.upper]))
            } else {
                tenants.formUnion(try String.fetchSet(db, sql: "SELECT DISTINCT tenant FROM daily_counters WHERE day BETWEEN ? AND ?",
                                                      arguments: [range.first, range.last]))
            }
            var outside: Set<RollupDelta.TenantDay> = []
            for tenant in tenants.sorted() {
                let rows = try rebuilt.read { try ScopedRows(tenant: tenant, range: range, db: $0) }
                if scope.isDateBounded {
                    outside.formUnion(try replaceRange(of: tenant, range: range, with: rows,
                                                           clocks: (previousClocks.clock(forKey: tenant), clocks.clock(forKey: tenant)), db: db))
                } else {
                    try replaceTenant(tenant, with: rows, db: db)
                }
            }
            return outside
        }
        try reloadClocks()
        return outside
    }

    /// A tenant rebuilt on every day: all its rows, members included, become the replay's.
    private func replaceTenant(_ tenant: String, with rows: ScopedRows, db: Database) throws {
        for table in ["members", "member_sequences", "daily_counters", "hourly_messages", "daily_bitmaps", "seen_event_ids",
                      "conversation_states", "conversation_metrics", "negative_ratings"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE tenant = ?", arguments: [tenant])
        }
        try Self.insert(rows.members, into: "members", db: db)
        try Self.insert(rows.sequences, into: "member_sequences", db: db)
        try Self.insert(rows.counters, into: "daily_counters", db: db)
        try Self.insert(rows.hourly, into: "hourly_messages", db: db)
        try Self.insert(rows.bitmaps, into: "daily_bitmaps", db: db)
        try Self.insert(rows.seen, into: "seen_event_ids", db: db)
        try Self.insert(rows.negativeRatings, into: "negative_ratings", db: db)
        try Self.insert(rows.conversationStates, into: "conversation_states", db: db)
        try Self.insert(rows.conversationMetrics, into: "conversation_metrics", db: db)
    }

    /// A tenant rebuilt on a range of days: the range's rows are replaced, the replay's members are
    /// renumbered to this store's ordinals, and contacts' first days are settled again.
    private func replaceRange(of tenant: String, range: DayRange, with rows: ScopedRows, clocks: (old: LocalClock, new: LocalClock),
                              db: Database) throws -> Set<RollupDelta.TenantDay> {
        let members = try MemberRenumbering(tenant: tenant, members: rows.members, db: db)

        for table in ["daily_counters", "hourly_messages", "daily_bitmaps", "negative_ratings"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE tenant = ? AND day BETWEEN ? AND ?", arguments: [tenant, range.first, range.last])
        }
        try db.execute(sql: "DELETE FROM seen_event_ids WHERE tenant = ? AND event_day BETWEEN ? AND ?", arguments: [tenant, range.first, range.last])
        try Self.insert(rows.counters, into: "daily_counters", db: db)
        try Self.insert(rows.hourly, into: "hourly_messages", db: db)
        try Self.insert(rows.negativeRatings, into: "negative_ratings", db: db)
        // An id is one event: a copy with another occurredAt outside the range is the same event.
        try Self.insert(rows.seen, into: "seen_event_ids", orReplace: true, db: db)
        for row in rows.bitmaps {
            let set = try MemberSet(rawValue: row["set_kind"]).unwrapOrThrow("unknown member set \(row["set_kind"] as Int)")
            let renumbered = OrdinalBitmap(try OrdinalBitmap(serialized: row["bitmap"] as Data).sorted().map {
                try members.ordinal(ofRebuilt: $0, kind: set.memberKind).unwrapOrThrow("the rebuilt bitmap names an unknown member \($0)")
            })
            try db.execute(sql: "INSERT INTO daily_bitmaps (tenant, set_kind, day, cardinality, bitmap) VALUES (?, ?, ?, ?, ?)",
                           arguments: [tenant, set.rawValue, row["day"] as Int64, renumbered.count, Data(renumbered.serialized())])
        }

        // First days: one before the range stands; otherwise it is the contact's first day in the
        // range (rebuilt), else its first active day after the range (kept), else it has no event left.
        var moved: [(contact: String, from: Int32, to: Int32?)] = []
        var unresolved: [UInt32: (contact: String, from: Int32)] = [:]
        let candidates = try Row.fetchAll(db, sql: "SELECT member_id, ordinal, first_day FROM members WHERE tenant = ? AND kind = ? AND first_day >= ?",
                                          arguments: [tenant, MemberKind.contact.rawValue, range.first])
        for row in candidates {
            let contact: String = row[0]
            let firstDay: Int32 = row[2]
            if let rebuiltDay = members.rebuiltFirstDays[contact] {
                if rebuiltDay != firstDay { moved.append((contact, firstDay, rebuiltDay)) }
            } else if firstDay <= range.last {
                unresolved[row[1]] = (contact, firstDay)
            }
        }
        if !unresolved.isEmpty, range.last < Int32.max {
            let later = try Row.fetchCursor(db, sql: "SELECT day, bitmap FROM daily_bitmaps WHERE tenant = ? AND set_kind = ? AND day > ? ORDER BY day",
                                            arguments: [tenant, MemberSet.activeContacts.rawValue, range.last])
            while !unresolved.isEmpty, let row = try later.next() {
                let bitmap = try OrdinalBitmap(serialized: row[1] as Data)
                for (ordinal, contact) in unresolved where bitmap.contains(ordinal) {
                    moved.append((contact.contact, contact.from, row[0]))
                    unresolved[ordinal] = nil
                }
            }
        }
        for contact in unresolved.values { moved.append((contact.contact, contact.from, nil)) }
        var outside: Set<Int32> = []
        for move in moved {
            try members.setFirstDay(of: move.contact, to: move.to, db: db)
            for day in [move.from, move.to].compactMap({ $0 }) where !range.contains(day) { outside.insert(day) }
        }
        try members.saveSequences(db: db)
        outside.formUnion(try replaceConversations(of: tenant, range: range, with: rows.conversationStates, clocks: clocks, db: db))

        // Total Contacts: each affected day counts the contacts first seen on it.
        let days = Set(try Int32.fetchAll(db, sql: "SELECT day FROM daily_counters WHERE tenant = ? AND day BETWEEN ? AND ?",
                                          arguments: [tenant, range.first, range.last])).union(outside)
        let firstSeen = try members.contactsPerFirstDay(db: db)
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO daily_counters (tenant, day, new_contacts) VALUES (?, ?, ?)
            ON CONFLICT (tenant, day) DO UPDATE SET new_contacts = excluded.new_contacts
            """)
        for day in days.union(firstSeen.keys.filter(range.contains)) {
            try upsert.execute(arguments: [tenant, day, firstSeen[day] ?? 0])
        }
        return Set(outside.map { RollupDelta.TenantDay(tenant: tenant, day: Day(number: $0)) })
    }

    /// A range of days of one tenant's conversations: the parts (states of one day's events) in the
    /// range become the replay's, and each conversation with a part in the range, before or after,
    /// is merged again from its kept and rebuilt parts. Days in the range get their aggregates
    /// anew from those conversations (every conversation starting there has its start day's part
    /// there); a day outside it moves by the old and new contributions of the conversations whose
    /// start lies there, as ingest would move it.
    ///
    /// - Returns: the days outside the range whose aggregates changed.
    private func replaceConversations(of tenant: String, range: DayRange, with rebuilt: [Row], clocks: (old: LocalClock, new: LocalClock),
                                      db: Database) throws -> Set<Int32> {
        let clock = clocks.new
        var rebuiltParts: [String: [(day: Day, state: ConversationState)]] = [:]
        for row in rebuilt {
            rebuiltParts[row["conversation_id"], default: []].append((Day(number: row["day"]), try ConversationRows.state(row, at: 3)))
        }
        let conversations = Set(try String.fetchAll(db, sql: "SELECT DISTINCT conversation_id FROM conversation_states WHERE tenant = ? AND day BETWEEN ? AND ?",
                                                    arguments: [tenant, range.first, range.last])).union(rebuiltParts.keys)
        var inRange: [Int32: ConversationDayMetrics] = [:]
        var outsideDeltas: [Int32: ConversationDayMetrics] = [:]
        let deletePart = try db.cachedStatement(sql: "DELETE FROM conversation_states WHERE tenant = ? AND conversation_id = ? AND day BETWEEN ? AND ?")
        for conversation in conversations {
            var parts = try ConversationRows.parts(tenant: tenant, conversation: conversation, db: db)
            let old = ConversationRows.merged(parts.values)
            try deletePart.execute(arguments: [tenant, conversation, range.first, range.last])
            parts = parts.filter { !range.contains($0.key.number) }
            for part in rebuiltParts[conversation] ?? [] {
                parts[part.day] = part.state
                try ConversationRows.savePart(part.state, tenant: tenant, conversation: conversation, day: part.day, db: db)
            }
            // The old contribution was counted on the clock the tenant had (a rebuild that changes
            // the zone from a day on keeps the older days in the previous zone).
            if let old, !range.contains(old.startDay(in: clocks.old).number) {
                outsideDeltas[old.startDay(in: clocks.old).number, default: ConversationDayMetrics()].add(old.contribution(in: clocks.old), sign: -1)
            }
            if let new = ConversationRows.merged(parts.values) {
                let day = new.startDay(in: clock).number
                if range.contains(day) {
                    inRange[day, default: ConversationDayMetrics()].add(new.contribution(in: clock))
                } else {
                    outsideDeltas[day, default: ConversationDayMetrics()].add(new.contribution(in: clock))
                }
            }
        }
        try db.execute(sql: "DELETE FROM conversation_metrics WHERE tenant = ? AND day BETWEEN ? AND ?", arguments: [tenant, range.first, range.last])
        for (day, metrics) in inRange {
            try ConversationRows.saveMetrics(metrics, tenant: tenant, day: Day(number: day), db: db)
        }
        var changed: Set<Int32> = []
        for (day, delta) in outsideDeltas {
            if try ConversationRows.addMetrics(delta, tenant: tenant, day: Day(number: day), db: db) { changed.insert(day) }
        }
        return changed
    }

    /// Inserts rows read from another store's table of the same schema.
    static func insert(_ rows: [Row], into table: String, orReplace: Bool = false, db: Database) throws {
        guard let first = rows.first else { return }
        let columns = Array(first.columnNames)
        let statement = try db.makeStatement(sql: """
            INSERT \(orReplace ? "OR REPLACE " : "")INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))
            """)
        for row in rows { try statement.execute(arguments: StatementArguments(row.databaseValues)) }
    }
}

/// An inclusive range of day numbers; an open bound is the smallest or largest day.
struct DayRange {
    var first: Int32
    var last: Int32

    init(_ scope: RebuildScope) {
        first = scope.firstDay?.number ?? Int32.min
        last = scope.lastDay?.number ?? Int32.max
    }

    func contains(_ day: Int32) -> Bool { first <= day && day <= last }
}

/// One tenant's in-scope rows of a scoped replay, read whole (the replay holds only the scope).
struct ScopedRows {
    var members: [Row]
    var sequences: [Row]
    var counters: [Row]
    var hourly: [Row]
    var bitmaps: [Row]
    var seen: [Row]
    var negativeRatings: [Row]
    /// Conversation states of the events of the range's days; their aggregates, by start day.
    var conversationStates: [Row]
    var conversationMetrics: [Row]

    init(tenant: String, range: DayRange, db: Database) throws {
        let arguments: StatementArguments = [tenant, range.first, range.last]
        members = try Row.fetchAll(db, sql: "SELECT * FROM members WHERE tenant = ?", arguments: [tenant])
        sequences = try Row.fetchAll(db, sql: "SELECT * FROM member_sequences WHERE tenant = ?", arguments: [tenant])
        counters = try Row.fetchAll(db, sql: "SELECT * FROM daily_counters WHERE tenant = ? AND day BETWEEN ? AND ?", arguments: arguments)
        hourly = try Row.fetchAll(db, sql: "SELECT * FROM hourly_messages WHERE tenant = ? AND day BETWEEN ? AND ?", arguments: arguments)
        bitmaps = try Row.fetchAll(db, sql: "SELECT * FROM daily_bitmaps WHERE tenant = ? AND day BETWEEN ? AND ?", arguments: arguments)
        seen = try Row.fetchAll(db, sql: "SELECT * FROM seen_event_ids WHERE tenant = ? AND event_day BETWEEN ? AND ?", arguments: arguments)
        negativeRatings = try Row.fetchAll(db, sql: "SELECT * FROM negative_ratings WHERE tenant = ? AND day BETWEEN ? AND ?", arguments: arguments)
        conversationStates = try Row.fetchAll(db, sql: """
            SELECT tenant, conversation_id, day, \(ConversationRows.stateColumns) FROM conversation_states WHERE tenant = ? AND day BETWEEN ? AND ?
            """, arguments: arguments)
        conversationMetrics = try Row.fetchAll(db, sql: "SELECT * FROM conversation_metrics WHERE tenant = ? AND day BETWEEN ? AND ?", arguments: arguments)
    }
}
