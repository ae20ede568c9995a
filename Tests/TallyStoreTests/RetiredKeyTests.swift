import Foundation
import GRDB
import Testing
import TallyStore

/// The rollup store's retired `api_keys` table: readable for the upgrade import, then emptied.
@Suite("Retired API keys in the rollup store")
struct RetiredKeyTests {
    @Test("rows an older version wrote are read oldest first and deleted by id once imported")
    func readAndForget() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-retired-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try TallyStore(dataDirectory: directory)
        #expect(try store.retiredApiKeys().isEmpty)
        // As the old `createKey` and `revokeKey` wrote them.
        let database = try DatabaseQueue(path: directory + "/" + TallyStore.fileName)
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO api_keys (id, name, role, user_id, key_hash, created_at, revoked_at) VALUES
                    ('key_b', 'dash', 'report_viewer', 't1', 'hash-b', 2000, NULL),
                    ('key_a', 'ops', 'admin', NULL, 'hash-a', 1000, 1500)
                """)
        }
        try database.close()
        #expect(try store.retiredApiKeys() == [
            RetiredApiKey(id: "key_a", name: "ops", role: "admin", userId: nil, keyHash: "hash-a", createdAtMillis: 1000, revokedAtMillis: 1500),
            RetiredApiKey(id: "key_b", name: "dash", role: "report_viewer", userId: "t1", keyHash: "hash-b", createdAtMillis: 2000, revokedAtMillis: nil),
        ])
        try store.forgetRetiredApiKeys(ids: ["key_a"])
        #expect(try store.retiredApiKeys().map(\.id) == ["key_b"])
        try store.forgetRetiredApiKeys(ids: ["key_b", "key_unknown"])
        #expect(try store.retiredApiKeys().isEmpty)
    }
}
