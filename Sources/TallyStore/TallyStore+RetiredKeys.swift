import GRDB

/// A row of the `api_keys` table in which versions before the settings store kept API keys.
///
/// Only the rollup store knows its own tables, so it hands these rows out as plain values; the
/// upgrade turns them into settings commands. Role is the stored text, unchecked.
public struct RetiredApiKey: Sendable, Equatable {
    public var id: String
    public var name: String
    public var role: String
    public var userId: String?
    /// The SHA-256 of the secret, lowercase hex; the secret itself was never stored.
    public var keyHash: String
    public var createdAtMillis: Int64
    public var revokedAtMillis: Int64?

    public init(id: String, name: String, role: String, userId: String?, keyHash: String, createdAtMillis: Int64, revokedAtMillis: Int64?) {
        self.id = id
        self.name = name
        self.role = role
        self.userId = userId
        self.keyHash = keyHash
        self.createdAtMillis = createdAtMillis
        self.revokedAtMillis = revokedAtMillis
    }
}

extension TallyStore {
    /// The keys an older version left in this store, oldest first, so an import replays their
    /// history in order. Empty for new stores and for stores whose keys were imported.
    public func retiredApiKeys() throws(StoreError) -> [RetiredApiKey] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, name, role, user_id, key_hash, created_at, revoked_at FROM api_keys ORDER BY created_at, id
                """).map {
                RetiredApiKey(id: $0[0], name: $0[1], role: $0[2], userId: $0[3], keyHash: $0[4], createdAtMillis: $0[5], revokedAtMillis: $0[6])
            }
        }
    }

    /// Deletes retired rows once the settings store holds them. Left behind, a stale copy could
    /// come back to life through a snapshot restored into a new directory, with any revocation
    /// made since lost.
    public func forgetRetiredApiKeys(ids: [String]) throws(StoreError) {
        guard !ids.isEmpty else { return }
        try write { db in
            for id in ids { try db.execute(sql: "DELETE FROM api_keys WHERE id = ?", arguments: [id]) }
        }
    }
}
