import Foundation
import GRDB
import TallyDomain

extension TallyStore {
    /// Forgets counted event ids first seen before `millis`: the dedupe window has passed them,
    /// which is what keeps the dedupe state bounded. Returns how many were removed.
    @discardableResult
    public func pruneSeenEvents(seenBefore millis: Int64) throws(StoreError) -> Int {
        var removed = 0
        while let count = try pruneOldestSeenDay(seenBefore: millis) { removed += count }
        return removed
    }

    /// Forgets the counted event ids of the oldest day of sightings before `millis`, in one short
    /// transaction. Returns how many were removed, or nil when none before `millis` is left.
    ///
    /// A store that was stopped for weeks, or restored from an old snapshot, may hold many days past
    /// the window; deleting them a day at a time keeps each transaction, and the ingest batches
    /// waiting behind it, short.
    public func pruneOldestSeenDay(seenBefore millis: Int64) throws(StoreError) -> Int? {
        try write { db in
            guard let oldest = try Int64.fetchOne(db, sql: "SELECT MIN(seen_at) FROM seen_event_ids"), oldest < millis else { return nil }
            try db.execute(sql: "DELETE FROM seen_event_ids WHERE seen_at < ?", arguments: [min(millis, oldest + 86_400_000)])
            let removed = db.changesCount
            try self.recordPruned(dedupeIds: removed, deadLetters: 0, nowMillis: Int64(Date().timeIntervalSince1970 * 1000), db: db)
            return removed
        }
    }

    /// Deletes dead letters received before `millis` (the retention). Returns how many were removed.
    @discardableResult
    public func pruneDeadLetters(receivedBefore millis: Int64) throws(StoreError) -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM dead_letters WHERE received_at < ?", arguments: [millis])
            let removed = db.changesCount
            try self.recordPruned(dedupeIds: 0, deadLetters: removed, nowMillis: Int64(Date().timeIntervalSince1970 * 1000), db: db)
            return removed
        }
    }

    /// A store-wide running total, e.g. `duplicates`.
    public func total(_ name: String) throws(StoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT value FROM store_totals WHERE name = ?", arguments: [name]) ?? 0 }
    }

    /// How many event ids the dedupe state holds.
    public func seenEventCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM seen_event_ids") ?? 0 }
    }
}
