import Foundation
import GRDB

extension TallyStore {
    /// A named coordination value and when it was written (ms since the epoch).
    public func control(_ name: String) throws(StoreError) -> (value: String, updatedAtMillis: Int64)? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT value, updated_at FROM control WHERE name = ?"), arguments: [name])
                .map { ($0[0], $0[1]) }
        }
    }

    /// Sets a named coordination value, or removes it with nil.
    public func setControl(_ name: String, _ value: String?) throws(StoreError) {
        try write { db in
            if let value {
                try db.execute(sql: """
                    INSERT INTO control (name, value, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                    """, arguments: [name, value, Int64(Date().timeIntervalSince1970 * 1000)])
            } else {
                try db.execute(sql: "DELETE FROM control WHERE name = ?", arguments: [name])
            }
        }
    }

    /// Moves everything that is committed in the write-ahead log into the database file, so the
    /// file alone is complete (before it is renamed or copied).
    public func checkpoint() throws(StoreError) {
        do {
            _ = try writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        } catch {
            throw StoreError(.writeFailed, "checkpoint: \(error)")
        }
    }
}
