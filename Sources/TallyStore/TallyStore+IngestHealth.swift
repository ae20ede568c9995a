import Foundation
import GRDB
import TallyDomain

/// Tally's own ingest figures (`IngestHealthDay`): written by each batch's transaction and by the
/// retention's deletes, read by the `ingest_health` report section.
extension TallyStore {
    static let millisPerHour: Int64 = 3_600_000

    /// Records what the batch being committed did, in its transaction: per tenant the events
    /// counted and skipped, and for the pipeline the batch, its dead letters, lag and freshness.
    func recordIngestHealth(_ batch: IngestBatch, fresh: [Event], nowMillis: Int64, db: Database) throws {
        let hour = nowMillis / Self.millisPerHour
        var perTenant: [String: (events: Int64, duplicates: Int64)] = [:]
        for event in fresh { perTenant[event.userId, default: (0, 0)].events += 1 }
        if fresh.count != batch.events.count {
            // Every event of the batch, less the counted ones, is a skipped copy.
            for event in batch.events { perTenant[event.userId, default: (0, 0)].duplicates += 1 }
            for event in fresh { perTenant[event.userId]!.duplicates -= 1 }
        }
        let tenants = try RawStatement(db, """
            INSERT INTO ingest_tenant_hours (tenant, hour, events, duplicates) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant, hour) DO UPDATE SET events = events + excluded.events, duplicates = duplicates + excluded.duplicates
            """)
        for (tenant, figures) in perTenant {
            tenants.bind(1, tenant)
            tenants.bind(2, hour)
            tenants.bind(3, figures.events)
            tenants.bind(4, figures.duplicates)
            try tenants.run()
        }
        // The oldest record of the batch waited longest for this commit.
        let freshness = batch.seenAtMillis.min().map { max(0, nowMillis - $0) }
        try db.execute(sql: """
            INSERT INTO ingest_hours (hour, batches, max_lag, max_freshness_ms) VALUES (?, 1, ?, ?)
            ON CONFLICT (hour) DO UPDATE SET batches = batches + 1,
                max_lag = CASE WHEN max_lag IS NULL OR excluded.max_lag > max_lag THEN coalesce(excluded.max_lag, max_lag) ELSE max_lag END,
                max_freshness_ms = CASE WHEN max_freshness_ms IS NULL OR excluded.max_freshness_ms > max_freshness_ms
                                        THEN coalesce(excluded.max_freshness_ms, max_freshness_ms) ELSE max_freshness_ms END
            """, arguments: [hour, batch.lagRecords, freshness])
        guard !batch.deadLetters.isEmpty else { return }
        var codes: [String: Int64] = [:]
        for letter in batch.deadLetters { codes[letter.code, default: 0] += 1 }
        for (code, count) in codes {
            try db.execute(sql: """
                INSERT INTO ingest_dead_letter_hours (hour, code, count) VALUES (?, ?, ?)
                ON CONFLICT (hour, code) DO UPDATE SET count = count + excluded.count
                """, arguments: [hour, code, count])
        }
    }

    /// Adds rows the retention deleted to the hour's figures, in the delete's transaction.
    func recordPruned(dedupeIds: Int, deadLetters: Int, nowMillis: Int64, db: Database) throws {
        guard dedupeIds > 0 || deadLetters > 0 else { return }
        try db.execute(sql: """
            INSERT INTO ingest_hours (hour, pruned_dedupe_ids, pruned_dead_letters) VALUES (?, ?, ?)
            ON CONFLICT (hour) DO UPDATE SET pruned_dedupe_ids = pruned_dedupe_ids + excluded.pruned_dedupe_ids,
                pruned_dead_letters = pruned_dead_letters + excluded.pruned_dead_letters
            """, arguments: [nowMillis / Self.millisPerHour, dedupeIds, deadLetters])
    }

    /// The figures of each local day of `tenant` in `from...through` that has any, with hours
    /// given to the local day they start in (on the tenant's current clock).
    public func ingestHealth(tenant: String, from: Day, through: Day) async throws(StoreError) -> [Day: IngestHealthDay] {
        let clock = tenantClocks.clock(forTenant: tenant)
        // A local day lies within a day of the UTC day of the same date.
        let first = (Int64(from.number) - 1) * 24, last = (Int64(through.number) + 2) * 24
        return try await readAsync { db in
            var days: [Day: IngestHealthDay] = [:]
            func add(_ hour: Int64, _ change: (inout IngestHealthDay) -> Void) {
                let day = clock.day(epochMillis: hour * Self.millisPerHour)
                guard day >= from, day <= through else { return }
                var figures = IngestHealthDay()
                change(&figures)
                days[day, default: IngestHealthDay()].add(figures)
            }
            for row in try Row.fetchAll(db, sql: "SELECT hour, events, duplicates FROM ingest_tenant_hours WHERE tenant = ? AND hour BETWEEN ? AND ?",
                                        arguments: [tenant, first, last]) {
                add(row[0]) { $0.eventsCounted = row[1]; $0.duplicatesSkipped = row[2] }
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT hour, batches, max_lag, max_freshness_ms, pruned_dedupe_ids, pruned_dead_letters FROM ingest_hours WHERE hour BETWEEN ? AND ?
                """, arguments: [first, last]) {
                add(row[0]) {
                    $0.batches = row[1]
                    $0.maximumLag = row[2]
                    $0.maximumFreshnessMillis = row[3]
                    $0.prunedDedupeIds = row[4]
                    $0.prunedDeadLetters = row[5]
                }
            }
            for row in try Row.fetchAll(db, sql: "SELECT hour, code, count FROM ingest_dead_letter_hours WHERE hour BETWEEN ? AND ?",
                                        arguments: [first, last]) {
                add(row[0]) { $0.deadLetters[row[1]] = row[2] }
            }
            return days
        }
    }
}
