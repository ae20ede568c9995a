import GRDB

/// API keys: made by commands, read by plain queries.
extension SettingsStore {
    /// Creates a key through a `createKey` command and returns its record with the secret, which
    /// is shown once: neither the store nor the command log holds it, only its SHA-256.
    /// With `audit`, a `key.create` entry is committed with the key.
    public func createKey(name: String, role: ApiKey.Role, userId: String?, audit: AuditContext? = nil) throws(SettingsError) -> (key: ApiKey, secret: String) {
        let secret = KeySecrets.newSecret()
        let key = ApiKey(id: KeySecrets.newKeyId(), name: name, role: role, userId: userId,
                         createdAtMillis: Self.nowMillis(), revokedAtMillis: nil)
        let command = SettingsCommand.createKey(id: key.id, name: key.name, role: key.role, userId: key.userId,
                                                secretSha256: KeySecrets.sha256(secret), createdAtMillis: key.createdAtMillis)
        try apply(command, audit: audit?.entry(.keyCreate, target: key.id, userId: userId, atMillis: key.createdAtMillis))
        return (key, secret)
    }

    /// Revokes a key by id through a `revokeKey` command; later requests with it get 401.
    /// Throws `key_not_found` for an unknown id and `key_already_revoked` for a revoked key.
    /// With `audit`, a `key.revoke` entry is committed with the revocation, or records the refusal.
    public func revokeKey(id: String, audit: AuditContext? = nil) throws(SettingsError) {
        let now = Self.nowMillis()
        let tenant = audit == nil ? nil : try? read { db in try String.fetchOne(db, sql: "SELECT user_id FROM api_keys WHERE id = ?", arguments: [id]) }
        try apply(.revokeKey(id: id, revokedAtMillis: now), audit: audit?.entry(.keyRevoke, target: id, userId: tenant ?? nil, atMillis: now))
    }

    /// Every key, newest first, including revoked ones.
    public func listKeys() throws(SettingsError) -> [ApiKey] {
        try read { db in try Self.fetchKeys(db) }
    }

    static func fetchKeys(_ db: Database) throws -> [ApiKey] {
        try Row.fetchAll(db, sql: "SELECT id, name, role, user_id, created_at, revoked_at FROM api_keys ORDER BY created_at DESC, id")
            .map(Self.key(from:))
    }

    /// The active key whose secret is `secret`, or nil.
    ///
    /// Asked on every request. A key that authenticated since the store last changed comes from
    /// `KeyCache` (one `PRAGMA data_version` on a connection of its own, no wait on the pool);
    /// otherwise it is read off the caller's thread. Any commit, a revocation from another process
    /// included, empties the cache, so a revoked key is refused on the next request.
    public func authenticate(secret: String) async throws(SettingsError) -> ApiKey? {
        let hash = KeySecrets.sha256(secret)
        let version: (data: Int64, local: UInt64)
        do {
            version = try keyCache.currentVersion()
        } catch {
            throw SettingsError(.readFailed, "\(error)")
        }
        if let cached = keyCache.key(hash: hash, at: version) { return cached }
        let found = try await readAsync { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT id, name, role, user_id, created_at, revoked_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL
                """), arguments: [hash]).map(Self.key(from:))
        }
        if let found { keyCache.keep(found, hash: hash, foundAt: version) }
        return found
    }

    private static func key(from row: Row) throws -> ApiKey {
        let role: String = row[2]
        guard let known = ApiKey.Role(rawValue: role) else {
            throw SettingsError(.corrupt, "key '\(row[0] as String)' has the unknown role '\(role)'")
        }
        return ApiKey(id: row[0], name: row[1], role: known, userId: row[3], createdAtMillis: row[4], revokedAtMillis: row[5])
    }
}
