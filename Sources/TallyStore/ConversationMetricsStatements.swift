import Foundation
import GRDB
import TallyDomain

/// The read, write and delete of one tenant-day's `conversation_metrics` row, bound in place (see
/// `RawStatement`): ingest adds a batch's moves to every day whose conversations changed, which
/// with many tenants and slices is thousands of rows per batch.
struct ConversationMetricsStatements {
    private let select: RawStatement
    private let save: RawStatement
    private let delete: RawStatement

    init(_ db: Database) throws {
        select = try RawStatement(db, "SELECT \(ConversationRows.metricsColumns) FROM conversation_metrics WHERE tenant = ? AND day = ?")
        save = try RawStatement(db, """
            INSERT OR REPLACE INTO conversation_metrics (tenant, day, \(ConversationRows.metricsColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        delete = try RawStatement(db, "DELETE FROM conversation_metrics WHERE tenant = ? AND day = ?")
    }

    /// Adds `delta` to a tenant-day's stored metrics (deleting a row left empty); false when the
    /// delta changes nothing.
    @discardableResult
    func add(_ delta: ConversationDayMetrics, tenant: String, day: Day) throws -> Bool {
        guard !delta.isEmpty else { return false }
        var metrics = try stored(tenant: tenant, day: day)
        metrics.add(delta)
        try write(metrics, tenant: tenant, day: day)
        return true
    }

    /// A tenant-day's stored metrics (empty without a row).
    func stored(tenant: String, day: Day) throws -> ConversationDayMetrics {
        select.bind(1, tenant)
        select.bind(2, Int64(day.number))
        guard try select.next() else { return ConversationDayMetrics() }
        defer { select.reset() }
        // Columns as `ConversationRows.metricsColumns` lists them.
        let depths = ConversationDepth.allCases.count
        return ConversationDayMetrics(depthCounts: (0..<depths).map { select.int64(Int32($0)) },
                                      firstResponses: try ConversationRows.histogram(select.bytes(Int32(depths)) ?? []),
                                      durations: try ConversationRows.histogram(select.bytes(Int32(depths + 1)) ?? []))
    }

    /// Writes a tenant-day's metrics, or deletes its row when nothing counts there.
    func write(_ metrics: ConversationDayMetrics, tenant: String, day: Day) throws {
        let statement = metrics.isEmpty ? delete : save
        statement.bind(1, tenant)
        statement.bind(2, Int64(day.number))
        if !metrics.isEmpty {
            for (index, count) in metrics.depthCounts.enumerated() { statement.bind(Int32(index + 3), count) }
            statement.bind(Int32(metrics.depthCounts.count + 3), bytes: metrics.firstResponses.serialized())
            statement.bind(Int32(metrics.depthCounts.count + 4), bytes: metrics.durations.serialized())
        }
        try statement.run()
    }
}
