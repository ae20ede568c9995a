import Foundation
import GRDB
import TallyDomain

/// The raw-scan peer's three reports, each one statement (or three, for a distinct count whose
/// period, previous period and days cannot share a `COUNT(DISTINCT)`), prepared once and computing
/// the whole answer of the report's fetch: value, previous value and the daily breakdown. Days are
/// UTC days, as Tally's for a tenant without a time zone.
struct RawScanQueries {
    /// A report's answer as the fetch gives it: value, change and one breakdown entry per day.
    struct Answer {
        var value: Double
        var change: Double
        var breakdown: [Double]
    }

    /// `kind` as the peer stores it.
    static func kind(_ event: Event) -> Int {
        switch event.kind {
        case .conversationCreated: 0
        case .messageCreated: 1
        case .ratingCreated: 2
        }
    }

    private let messagesPerDay: Statement
    private let distinctContacts: Statement
    private let distinctContactsPerDay: Statement
    private let averagePerDay: Statement
    private let averageOverRange: Statement
    private let window: ReportWindow
    private let tenant: String

    init(_ db: Database, tenant: String, window: ReportWindow) throws {
        self.tenant = tenant
        self.window = window
        messagesPerDay = try db.makeStatement(sql: """
            SELECT occurred_at / 86400000 AS day, COUNT(*) FROM events
            WHERE tenant = ? AND occurred_at >= ? AND occurred_at < ? AND kind = 1 GROUP BY day
            """)
        distinctContacts = try db.makeStatement(sql: """
            SELECT COUNT(DISTINCT contact_id) FROM events WHERE tenant = ? AND occurred_at >= ? AND occurred_at < ?
            """)
        distinctContactsPerDay = try db.makeStatement(sql: """
            SELECT occurred_at / 86400000 AS day, COUNT(DISTINCT contact_id) FROM events
            WHERE tenant = ? AND occurred_at >= ? AND occurred_at < ? GROUP BY day
            """)
        averagePerDay = try db.makeStatement(sql: """
            SELECT occurred_at / 86400000 AS day, COUNT(*), COUNT(DISTINCT conversation_id) FROM events
            WHERE tenant = ? AND occurred_at >= ? AND occurred_at < ? AND kind = 1 GROUP BY day
            """)
        averageOverRange = try db.makeStatement(sql: """
            SELECT COUNT(*), COUNT(DISTINCT conversation_id) FROM events
            WHERE tenant = ? AND occurred_at >= ? AND occurred_at < ? AND kind = 1
            """)
    }

    private func millis(_ day: Day) -> Int64 { Int64(day.number) * 86_400_000 }

    /// Total Messages: messages per day over both periods, summed per period.
    func totalMessages() throws -> Answer {
        var value: Int64 = 0, previous: Int64 = 0, perDay: [Int32: Int64] = [:]
        let rows = try Row.fetchCursor(messagesPerDay, arguments: [tenant, millis(window.previousStart), millis(window.end) + 86_400_000])
        while let row = try rows.next() {
            let day: Int32 = row[0], count: Int64 = row[1]
            if day >= window.start.number { value += count; perDay[day] = count } else { previous += count }
        }
        return Answer(value: Double(value), change: Double(value - previous), breakdown: window.days.map { Double(perDay[$0.number] ?? 0) })
    }

    /// Active Contacts: distinct contacts in the period and in the previous one, and per day.
    func activeContacts() throws -> Answer {
        let value = try Int64.fetchOne(distinctContacts, arguments: [tenant, millis(window.start), millis(window.end) + 86_400_000]) ?? 0
        let previous = try Int64.fetchOne(distinctContacts, arguments: [tenant, millis(window.previousStart), millis(window.start)]) ?? 0
        let perDay = Dictionary(try Row.fetchAll(distinctContactsPerDay, arguments: [tenant, millis(window.start), millis(window.end) + 86_400_000])
            .map { (row: Row) -> (Int32, Int64) in (row[0], row[1]) }, uniquingKeysWith: +)
        return Answer(value: Double(value), change: Double(value - previous), breakdown: window.days.map { Double(perDay[$0.number] ?? 0) })
    }

    /// Average Messages per Conversation: messages ÷ distinct conversations among them, in the
    /// period, the previous one and per day, rounded to hundredths as Tally rounds.
    func averageMessagesPerConversation() throws -> Answer {
        func ratio(_ messages: Int64, _ conversations: Int64) -> Double {
            conversations > 0 ? (Double(messages * 100) / Double(conversations)).rounded() / 100 : 0
        }
        func range(_ from: Day, _ through: Day) throws -> Double {
            guard let row = try Row.fetchOne(averageOverRange, arguments: [tenant, millis(from), millis(through) + 86_400_000]) else { return 0 }
            return ratio(row[0], row[1])
        }
        let value = try range(window.start, window.end)
        let previous = try range(window.previousStart, window.previousEnd)
        let perDay = Dictionary(try Row.fetchAll(averagePerDay, arguments: [tenant, millis(window.start), millis(window.end) + 86_400_000])
            .map { (row: Row) -> (Int32, Double) in (row[0], ratio(row[1], row[2])) }, uniquingKeysWith: +)
        // The change of an average is the difference of the rounded values, as Tally's.
        return Answer(value: value, change: ((value - previous) * 100).rounded() / 100, breakdown: window.days.map { perDay[$0.number] ?? 0 })
    }
}
