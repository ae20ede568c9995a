import Foundation
import GRDB
import TallyDomain

extension TallyStore {
    /// Forgets counted event ids older than `day`: the dedupe window has passed them, which is what
    /// keeps the dedupe state bounded. Returns how many were removed.
    @discardableResult
    public func pruneSeenEvents(before day: Day) throws(StoreError) -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM seen_events WHERE day < ?", arguments: [day.number])
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
