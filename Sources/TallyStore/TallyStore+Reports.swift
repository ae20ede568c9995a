import Foundation
import GRDB
import TallyDomain

extension TallyStore {
    /// Computes a report from one consistent snapshot of the store.
    public func report(_ definition: ReportDefinition, tenant: String, window: ReportWindow) throws(StoreError) -> ReportResult {
        try read { db in
            try ReportCalculator().compute(definition, tenant: tenant, window: window, from: SnapshotReader(db: db))
        }
    }

    /// Computes a report off the caller's thread (for HTTP handlers).
    public func reportAsync(_ definition: ReportDefinition, tenant: String, window: ReportWindow) async throws(StoreError) -> ReportResult {
        try await readAsync { db in
            try ReportCalculator().compute(definition, tenant: tenant, window: window, from: SnapshotReader(db: db))
        }
    }
}

/// Reads rollups inside one read transaction, so that every part of a report sees the same commit.
struct SnapshotReader: RollupReading {
    let db: Database

    func counters(tenant: String, from: Day, through: Day) throws -> [Day: DailyCounters] {
        let statement = try db.cachedStatement(sql: """
            SELECT day, conversations, messages, msg_user, msg_bot, msg_activity, msg_reasoning, msg_context,
                   msg_instruction, msg_backstory, msg_checkpoint, ratings, thumbs_up, thumbs_down, new_contacts, tokens
            FROM daily_counters WHERE tenant = ? AND day BETWEEN ? AND ?
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
            SELECT day, h00, h01, h02, h03, h04, h05, h06, h07, h08, h09, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23
            FROM hourly_messages WHERE tenant = ? AND day BETWEEN ? AND ?
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

    func conversationMetrics(tenant: String, from: Day, through: Day) throws -> [Day: ConversationDayMetrics] {
        let statement = try db.cachedStatement(sql: """
            SELECT day, \(ConversationRows.metricsColumns) FROM conversation_metrics WHERE tenant = ? AND day BETWEEN ? AND ?
            """)
        var result: [Day: ConversationDayMetrics] = [:]
        let rows = try Row.fetchCursor(statement, arguments: [tenant, from.number, through.number])
        while let row = try rows.next() { result[Day(number: row[0])] = try ConversationRows.metrics(row, at: 1) }
        return result
    }

    func totalContacts(tenant: String, through day: Day) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT COALESCE(SUM(new_contacts), 0) FROM daily_counters WHERE tenant = ? AND day <= ?"),
            arguments: [tenant, day.number]) ?? 0
    }
}
