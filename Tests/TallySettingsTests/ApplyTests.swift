import Foundation
import GRDB
import Testing
import TallySettings

/// `apply` is the only write path: every accepted command changes state and is logged with the
/// next sequence number in one transaction; a rejected one leaves both untouched.
@Suite("Applying settings commands")
struct ApplyTests {
    static func create(_ id: String, secret: String, at millis: Int64 = 1_000, userId: String? = nil) -> SettingsCommand {
        .createKey(id: id, name: "key \(id)", role: .admin, userId: userId, secretSha256: KeySecrets.sha256(secret), createdAtMillis: millis)
    }

    @Test("applied commands are logged in order with increasing sequence numbers, exactly as encoded")
    func logged() throws {
        let store = try SettingsStore()
        let commands = [Self.create("key_a", secret: "a"), Self.create("key_b", secret: "b", at: 2_000), .revokeKey(id: "key_a", revokedAtMillis: 3_000)]
        let sequences = try commands.map { try store.apply($0) }
        #expect(sequences == [1, 2, 3])
        let log = try store.commands()
        #expect(log.map(\.sequence) == [1, 2, 3])
        #expect(log.map(\.command) == commands)
        #expect(try store.commands(after: 1).map(\.sequence) == [2, 3])
        #expect(try store.commands(after: 1, limit: 1).map(\.sequence) == [2])
        #expect(try store.commands(after: 3).isEmpty)
    }

    @Test("a created key authenticates by its secret and carries what the command said")
    func createAndAuthenticate() async throws {
        let store = try SettingsStore()
        try store.apply(Self.create("key_t", secret: "tly_secret", at: 42, userId: "tenant-3"))
        let key = try #require(try await store.authenticate(secret: "tly_secret"))
        #expect(key == ApiKey(id: "key_t", name: "key key_t", role: .admin, userId: "tenant-3", createdAtMillis: 42, revokedAtMillis: nil))
        try store.apply(.revokeKey(id: "key_t", revokedAtMillis: 43))
        #expect(try await store.authenticate(secret: "tly_secret") == nil)
        #expect(try store.listKeys().map(\.revokedAtMillis) == [43])
    }

    @Test("rejected commands change nothing and are not logged", arguments: [
        (ApplyTests.create("key_a", secret: "other"), SettingsError.Code.keyExists),
        (ApplyTests.create("key_new", secret: "a"), .keyExists),
        (.revokeKey(id: "key_missing", revokedAtMillis: 1), .keyNotFound),
        (.revokeKey(id: "key_gone", revokedAtMillis: 1), .keyAlreadyRevoked),
        (.createKey(id: "key_c", name: "n", role: .admin, userId: nil, secretSha256: "ABC", createdAtMillis: 1), .invalidCommand),
        (.createKey(id: "", name: "n", role: .admin, userId: nil, secretSha256: KeySecrets.sha256("c"), createdAtMillis: 1), .invalidCommand),
        (ApplyTests.create("key_c", secret: "c", userId: ""), .invalidCommand),
    ])
    func rejected(command: SettingsCommand, code: SettingsError.Code) throws {
        let store = try SettingsStore()
        try store.apply(Self.create("key_a", secret: "a"))
        try store.apply(Self.create("key_gone", secret: "gone"))
        try store.apply(.revokeKey(id: "key_gone", revokedAtMillis: 2))
        let keys = try store.listKeys()
        let error = #expect(throws: SettingsError.self) { try store.apply(command) }
        #expect(error?.code == code)
        #expect(try store.listKeys() == keys)
        #expect(try store.commands().count == 3)
        // The next accepted command takes the next number: nothing was used up by the rejection.
        #expect(try store.apply(Self.create("key_z", secret: "z")) == 4)
    }

    @Test("replaying the log into an empty store gives the same keys")
    func replay() throws {
        let store = try SettingsStore()
        let first = try store.createKey(name: "one", role: .reportViewer, userId: "t1").key
        _ = try store.createKey(name: "two", role: .admin, userId: nil)
        try store.revokeKey(id: first.id)
        let copy = try SettingsStore()
        for entry in try store.commands() { try copy.apply(entry.command) }
        #expect(try copy.listKeys() == store.listKeys())
        #expect(try copy.commands().map(\.command) == store.commands().map(\.command))
    }

    @Test("importKeys applies into a store without keys only, once, as logged commands")
    func importOnce() throws {
        let store = try SettingsStore()
        let imported = [Self.create("key_old", secret: "old"), .revokeKey(id: "key_old", revokedAtMillis: 5), Self.create("key_kept", secret: "kept")]
        #expect(try store.importKeys(imported) == 3)
        #expect(try store.commands().map(\.command) == imported)
        #expect(try store.importKeys([Self.create("key_late", secret: "late")]) == 0)
        #expect(try Set(store.listKeys().map(\.id)) == ["key_old", "key_kept"])

        // One bad command rolls the whole import back.
        let fresh = try SettingsStore()
        #expect(throws: SettingsError.self) { try fresh.importKeys([Self.create("key_1", secret: "1"), .revokeKey(id: "key_2", revokedAtMillis: 1)]) }
        #expect(try fresh.listKeys().isEmpty && fresh.commands().isEmpty)
    }

    @Test("handles on one file importing at the same moment import once")
    func concurrentImport() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-settings-import-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let commands = (0..<20).map { Self.create("key_\($0)", secret: "s\($0)", at: Int64($0)) }
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask { try SettingsStore(dataDirectory: directory).importKeys(commands) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts.sorted() == [0, 0, 0, 20])
        let store = try SettingsStore(dataDirectory: directory)
        #expect(try store.listKeys().count == 20)
        #expect(try store.commands(limit: 100).count == 20)
    }
}
