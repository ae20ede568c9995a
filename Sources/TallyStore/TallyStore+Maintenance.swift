import Foundation
import GRDB
import TallyDomain

extension TallyStore {
    /// Forgets counted event ids older than `day`: the dedupe window has passed them, which is what
    /// keeps the dedupe state bounded. Returns how many were removed.
    @discardableResult
    public func pruneSeenEvents(before day: Day) throws(StoreError) -> Int {
        var removed = 0
        while let count = try pruneOldestSeenDay(before: day) { removed += count }
        return removed
    }

    /// Forgets the counted event ids of the oldest day before `day`, in one short transaction.
    /// Returns how many were removed, or nil when no day before `day` is left.
    ///
    /// A store that was stopped for weeks, or restored from an old snapshot, may hold many days past
    /// the window; deleting them a day at a time keeps each transaction, and the ingest batches
    /// waiting behind it, short.
    public func pruneOldestSeenDay(before day: Day) throws(StoreError) -> Int? {
        try write { db in
            guard let oldest = try Int32.fetchOne(db, sql: "SELECT MIN(day) FROM seen_events"), oldest < day.number else { return nil }
            try db.execute(sql: "DELETE FROM seen_events WHERE day = ?", arguments: [oldest])
            return db.changesCount
        }
    }

    /// Deletes dead letters received before `millis` (the retention). Returns how many were removed.
    @discardableResult
    public func pruneDeadLetters(receivedBefore millis: Int64) throws(StoreError) -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM dead_letters WHERE received_at < ?", arguments: [millis])
            return db.changesCount
        }
    }

    /// A store-wide running total, e.g. `duplicates`.
    public func total(_ name: String) throws(StoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT value FROM store_totals WHERE name = ?", arguments: [name]) ?? 0 }
    }

    /// How many event ids the dedupe state holds.
    public func seenEventCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM seen_events") ?? 0 }
    }
}
