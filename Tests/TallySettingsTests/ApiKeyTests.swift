import Foundation
import GRDB
import Testing
import TallyDomain
import TallySettings

/// API keys: secrets are shown once, stored only as SHA-256, and revocation is immediate.
@Suite("API keys")
struct ApiKeyTests {
    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tally-settings-\(UUID().uuidString)").path
    }

    @Test("keys kept in memory after authenticating: another handle's unrelated write keeps them right, its revoke is refused at the next look-up, in memory too")
    func cachedKeysFollowEveryCommit() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SettingsStore(dataDirectory: directory)
        let other = try SettingsStore(dataDirectory: directory)
        let (first, firstSecret) = try store.createKey(name: "a", role: .admin, userId: nil)
        for _ in 0..<3 { #expect(try await store.authenticate(secret: firstSecret) == first) }
        // Another process's key, created after the first was kept, authenticates here at once.
        let (second, secondSecret) = try other.createKey(name: "b", role: .reportViewer, userId: "tenant-2")
        #expect(try await store.authenticate(secret: secondSecret) == second)
        #expect(try await store.authenticate(secret: firstSecret) == first)
        try other.revokeKey(id: first.id)
        #expect(try await store.authenticate(secret: firstSecret) == nil)
        #expect(try await store.authenticate(secret: secondSecret) == second)

        let memory = try SettingsStore()
        let (kept, keptSecret) = try memory.createKey(name: "m", role: .admin, userId: nil)
        #expect(try await memory.authenticate(secret: keptSecret) == kept)
        try memory.revokeKey(id: kept.id)
        #expect(try await memory.authenticate(secret: keptSecret) == nil)
    }

    @Test("a created key authenticates, lists without its secret, and stops working when revoked")
    func keyLifecycle() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SettingsStore(dataDirectory: directory)
        let (key, secret) = try store.createKey(name: "dash", role: .reportViewer, userId: "tenant-9")
        #expect(secret.hasPrefix("tly_") && secret.count == 52)
        #expect(key.id.hasPrefix("key_") && key.id.count == 16)
        #expect(try await store.authenticate(secret: secret) == key)
        #expect(try await store.authenticate(secret: secret + "x") == nil)

        // A second process (here: a second handle on the same file) sees and revokes it.
        let other = try SettingsStore(dataDirectory: directory)
        #expect(try other.listKeys() == [key])
        try other.revokeKey(id: key.id)
        #expect(try await store.authenticate(secret: secret) == nil)
        #expect(try store.listKeys().first?.revokedAtMillis != nil)

        // Only the hash is on disk (in the database file or its write-ahead log), command log included.
        let path = SettingsStore.path(in: directory)
        #expect(path.hasSuffix("/settings.sqlite"))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes += (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
        #expect(bytes.range(of: Data(secret.utf8)) == nil)
        #expect(bytes.range(of: Data(SHA256.hex(Array(secret.utf8)).utf8)) != nil)
    }

    @Test("revoking an unknown key is key_not_found, revoking twice key_already_revoked, and neither is logged")
    func revokeErrors() throws {
        let store = try SettingsStore()
        let key = try store.createKey(name: "ops", role: .admin, userId: nil).key
        let unknown = #expect(throws: SettingsError.self) { try store.revokeKey(id: "key_000000000000") }
        #expect(unknown?.code == .keyNotFound)
        #expect(unknown?.code.rawValue == "key_not_found")
        #expect(unknown?.message.contains("key_000000000000") == true)

        try store.revokeKey(id: key.id)
        let twice = #expect(throws: SettingsError.self) { try store.revokeKey(id: key.id) }
        #expect(twice?.code.rawValue == "key_already_revoked")
        #expect(try store.commands().map(\.command.type) == ["createKey", "revokeKey"])
    }

    @Test("list is newest first and keeps revoked keys; roles and tenants come back as created")
    func listing() throws {
        let store = try SettingsStore()
        let commands: [SettingsCommand] = [
            .createKey(id: "key_a", name: "first", role: .reportAdmin, userId: nil, secretSha256: KeySecrets.sha256("a"), createdAtMillis: 1_000),
            .createKey(id: "key_b", name: "second", role: .reportCreator, userId: "t2", secretSha256: KeySecrets.sha256("b"), createdAtMillis: 2_000),
            .revokeKey(id: "key_a", revokedAtMillis: 3_000),
        ]
        for command in commands { try store.apply(command) }
        #expect(try store.listKeys() == [
            ApiKey(id: "key_b", name: "second", role: .reportCreator, userId: "t2", createdAtMillis: 2_000, revokedAtMillis: nil),
            ApiKey(id: "key_a", name: "first", role: .reportAdmin, userId: nil, createdAtMillis: 1_000, revokedAtMillis: 3_000),
        ])
    }

    @Test("the settings file is in WAL mode")
    func walMode() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try SettingsStore(dataDirectory: directory)
        let mode = try DatabaseQueue(path: SettingsStore.path(in: directory)).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}
