import Foundation
import GRDB
import TallyDomain

extension TallyStore {
    /// Computes a report from one consistent snapshot of the store.
    ///
    /// - Parameters:
    ///   - tenant: a tenant's storage key, or a slice's (`RollupScope.key`) for a sliced report.
    ///   - groupBy: adds the figure of each bot or channel (`ReportResult.groups`).
    public func report(_ definition: ReportDefinition, tenant: String, window: ReportWindow,
                       groupBy: RollupScope.Dimension? = nil) throws(StoreError) -> ReportResult {
        try read { db in
            try ReportCalculator().compute(definition, tenant: tenant, window: window, groupBy: groupBy, from: SnapshotReader(db: db))
        }
    }

    /// Computes a report off the caller's thread (for HTTP handlers).
    public func reportAsync(_ definition: ReportDefinition, tenant: String, window: ReportWindow,
                            groupBy: RollupScope.Dimension? = nil) async throws(StoreError) -> ReportResult {
        try await readAsync { db in
            try ReportCalculator().compute(definition, tenant: tenant, window: window, groupBy: groupBy, from: SnapshotReader(db: db))
        }
    }
}

/// Reads rollups inside one read transaction, so that every part of a report sees the same commit.
struct SnapshotReader: RollupReading {
    let db: Database

    func counters(tenant: String, from: Day, through: Day) throws -> [Day: DailyCounters] {
        let statement = try db.cachedStatement(sql: """
            SELECT day, \(TallyStore.counterColumns.joined(separator: ", ")) FROM daily_counters WHERE tenant = ? AND day BETWEEN ? AND ?
            """)
        var result: [Day: DailyCounters] = [:]
        let rows = try Row.fetchCursor(statement, arguments: [tenant, from.number, through.number])
        while let row = try rows.next() {
            var c = DailyCounters()
            c.conversations = row[1]
            c.messages = row[2]
            for i in 0..<MessageType.allCases.count { c.messagesByType[i] = row[3 + i] }
            c.ratings = row[11]
            c.thumbsUp = row[12]
            c.thumbsDown = row[13]
            c.newContacts = row[14]
            c.tokens = row[15]
            result[Day(number: row[0])] = c
        }
        return result
    }

    func dailyDistinctCounts(tenant: String, set: MemberSet, from: Day, through: Day) throws -> [Day: Int] {
        let statement = try db.cachedStatement(sql: """
            SELECT day, cardinality FROM daily_bitmaps WHERE tenant = ? AND set_kind = ? AND day BETWEEN ? AND ?
            """)
        var result: [Day: Int] = [:]
        let rows = try Row.fetchCursor(statement, arguments: [tenant, set.rawValue, from.number, through.number])
        while let row = try rows.next() { result[Day(number: row[0])] = row[1] }
        return result
    }

    func distinctCount(tenant: String, set: MemberSet, from: Day, through: Day) throws -> Int {
        let statement = try db.cachedStatement(sql: """
            SELECT bitmap FROM daily_bitmaps WHERE tenant = ? AND set_kind = ? AND day BETWEEN ? AND ?
            """)
        var bitmaps: [OrdinalBitmap] = []
        let rows = try Row.fetchCursor(statement, arguments: [tenant, set.rawValue, from.number, through.number])
        while let row = try rows.next() {
            try row.withUnsafeData(atIndex: 0) { data in
                guard let data else { return }
                bitmaps.append(try OrdinalBitmap(serialized: data))
            }
        }
        return OrdinalBitmap.unionCount(bitmaps)
    }

    func hourlyMessages(tenant: String, from: Day, through: Day) throws -> [Day: HourlyMessages] {
        let statement = try db.cachedStatement(sql: """
            SELECT day, \(TallyStore.hourColumns.joined(separator: ", ")) FROM hourly_messages WHERE tenant = ? AND day BETWEEN ? AND ?
            """)
        var result: [Day: HourlyMessages] = [:]
        let rows = try Row.fetchCursor(statement, arguments: [tenant, from.number, through.number])
        while let row = try rows.next() {
            var hours = HourlyMessages()
            for hour in 0..<HourlyMessages.hoursPerDay { hours[hour] = row[1 + hour] }
            result[Day(number: row[0])] = hours
        }
        return result
    }

    func sliceValues(tenant: String, _ dimension: RollupScope.Dimension, from: Day, through: Day) throws -> [String] {
        let bounds = RollupScope.keyBounds(tenant: tenant, dimension)
        let statement = try db.cachedStatement(sql: """
            SELECT DISTINCT tenant FROM daily_counters
            WHERE tenant > ? AND tenant < ? AND day BETWEEN ? AND ? AND conversations + messages + ratings > 0
            """)
        return try String.fetchAll(statement, arguments: [bounds.lower, bounds.upper, from.number, through.number])
            .compactMap { RollupScope.value(ofKey: $0, tenant: tenant, dimension) }
    }

    func negativeRatings(tenant: String, from: Day, through: Day, limit: Int) throws -> [NegativeRating] {
        let statement = try db.cachedStatement(sql: """
            SELECT event_id, value, occurred_at, reason, conversation_id, message_id, contact_id FROM negative_ratings
            WHERE tenant = ? AND day BETWEEN ? AND ? ORDER BY occurred_at DESC, event_id LIMIT ?
            """)
        return try Row.fetchAll(statement, arguments: [tenant, from.number, through.number, limit]).map { row in
            NegativeRating(id: row[0], value: row[1], occurredAtMillis: row[2], reason: row[3], conversationId: row[4], messageId: row[5], contactId: row[6])
        }
    }

    func conversationMetrics(tenant: String, from: Day, through: Day) throws -> [Day: ConversationDayMetrics] {
        let statement = try db.cachedStatement(sql: """
            SELECT day, \(ConversationRows.metricsColumns) FROM conversation_metrics WHERE tenant = ? AND day BETWEEN ? AND ?
            """)
        var result: [Day: ConversationDayMetrics] = [:]
        let rows = try Row.fetchCursor(statement, arguments: [tenant, from.number, through.number])
        while let row = try rows.next() { result[Day(number: row[0])] = try ConversationRows.metrics(row, at: 1) }
        return result
    }

    /// One read by the primary key's prefix per conversation, so a listed id costs its days' parts only.
    func conversationUsage(tenant: String, conversations: [String], from: Day, through: Day) throws -> [String: ConversationUsage] {
        let statement = try db.cachedStatement(sql: """
            SELECT COUNT(*), COALESCE(SUM(messages), 0), COALESCE(SUM(tokens), 0) FROM conversation_states
            WHERE tenant = ? AND conversation_id = ? AND day BETWEEN ? AND ?
            """)
        var result: [String: ConversationUsage] = [:]
        for conversation in conversations {
            guard let row = try Row.fetchOne(statement, arguments: [tenant, conversation, from.number, through.number]),
                  (row[0] as Int64) > 0 else { continue }
            result[conversation] = ConversationUsage(messages: row[1], tokens: row[2])
        }
        return result
    }

    func totalContacts(tenant: String, through day: Day) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT COALESCE(SUM(new_contacts), 0) FROM daily_counters WHERE tenant = ? AND day <= ?"),
            arguments: [tenant, day.number]) ?? 0
    }
}

extension TallyStore {
    /// Runs `body` over one consistent snapshot of the rollups, off the caller's thread: for
    /// answers that compute several reports (a batch) and must all see the same commit.
    public func withRollupsAsync<T: Sendable>(_ body: @escaping @Sendable (any RollupReading) throws -> T) async throws(StoreError) -> T {
        try await readAsync { db in try body(SnapshotReader(db: db)) }
    }

    /// Computes a per-bot report from one consistent snapshot of the store.
    public func botReport(_ report: BotReport, tenant: String, botId: String, window: ReportWindow,
                          limit: Int = BotReport.defaultFeedbackLimit) throws(StoreError) -> BotReportDocument {
        try read { db in
            try BotReportCalculator().compute(report, tenant: tenant, botId: botId, window: window, limit: limit, from: SnapshotReader(db: db))
        }
    }
}

extension TallyStore {
    /// Computes a tenant-wide report of several figures from one consistent snapshot of the store.
    public func tenantReport(_ report: TenantReport, tenant: String, window: ReportWindow,
                             topBotsLimit: Int = TenantReport.defaultTopBotsLimit) throws(StoreError) -> TenantReportDocument {
        try read { db in
            try TenantReportCalculator().compute(report, tenant: tenant, window: window, topBotsLimit: topBotsLimit, from: SnapshotReader(db: db))
        }
    }

    /// Computes the Conversation Usage Report from one consistent snapshot of the store.
    public func conversationUsage(tenant: String, conversationIds: [String], window: ReportWindow) throws(StoreError) -> ConversationUsageDocument {
        try read { db in
            try ConversationUsageCalculator().compute(tenant: tenant, conversationIds: conversationIds, window: window, from: SnapshotReader(db: db))
        }
    }
}
