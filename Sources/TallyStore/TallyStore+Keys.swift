import Foundation
import GRDB
import TallyDomain

extension TallyStore {
    /// Creates a key and returns its record with the secret, which is shown once and never stored.
    public func createKey(name: String, role: ApiKey.Role, userId: String?) throws(StoreError) -> (key: ApiKey, secret: String) {
        let secret = "tly_" + Self.randomHex(bytes: 24)
        let key = ApiKey(id: "key_" + Self.randomHex(bytes: 6), name: name, role: role, userId: userId,
                         createdAtMillis: Int64(Date().timeIntervalSince1970 * 1000), revokedAtMillis: nil)
        try write { db in
            try db.execute(sql: """
                INSERT INTO api_keys (id, name, role, user_id, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [key.id, key.name, key.role.rawValue, key.userId, SHA256.hex(Array(secret.utf8)), key.createdAtMillis])
        }
        return (key, secret)
    }

    /// Every key, newest first, including revoked ones.
    public func listKeys() throws(StoreError) -> [ApiKey] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, role, user_id, created_at, revoked_at FROM api_keys ORDER BY created_at DESC")
                .map(Self.key(from:))
        }
    }

    /// Revokes a key by id; later requests with it get 401.
    public func revokeKey(id: String) throws(StoreError) {
        let changed = try write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                           arguments: [Int64(Date().timeIntervalSince1970 * 1000), id])
            return db.changesCount
        }
        guard changed > 0 else { throw StoreError(.keyNotFound, "no active key with id '\(id)'") }
    }

    /// The active key whose secret is `secret`, or nil; runs off the caller's thread.
    public func authenticate(secret: String) async throws(StoreError) -> ApiKey? {
        let hash = SHA256.hex(Array(secret.utf8))
        return try await readAsync { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT id, name, role, user_id, created_at, revoked_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL
                """), arguments: [hash]).map(Self.key(from:))
        }
    }

    private static func key(from row: Row) -> ApiKey {
        ApiKey(id: row[0], name: row[1], role: ApiKey.Role(rawValue: row[2]) ?? .reportViewer, userId: row[3],
               createdAtMillis: row[4], revokedAtMillis: row[5])
    }

    private static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}
