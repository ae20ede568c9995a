import GRDB
import TallyDomain

/// What the access_review report section reads about keys: who exists, and when each was used.
extension SettingsStore {
    /// One key's use on the UTC days `from...through`.
    public struct KeyUse: Sendable, Equatable {
        public var days: Int
        public var firstUsedAtMillis: Int64
        public var lastDay: String
    }

    /// The use of every key used on some UTC day of `from...through` (`YYYY-MM-DD`), by key id.
    public func keyUse(from: String, through: String) async throws(SettingsError) -> [String: KeyUse] {
        try await readAsync { db in
            var uses: [String: KeyUse] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT key_id, COUNT(*), MIN(first_used_at), MAX(day) FROM key_use_days WHERE day BETWEEN ? AND ? GROUP BY key_id
                """, arguments: [from, through]) {
                uses[row[0]] = KeyUse(days: row[1], firstUsedAtMillis: row[2], lastDay: row[3])
            }
            return uses
        }
    }

    /// Every key, active and revoked; runs off the caller's thread.
    public func allKeys() async throws(SettingsError) -> [ApiKey] {
        try await readAsync { db in try Self.fetchKeys(db) }
    }
}
