import Foundation
import Testing
import TallyDomain
import TallyStore

/// API keys: secrets are shown once, stored only as SHA-256, and revocation is immediate.
@Suite("API keys")
struct StoreKeyTests {
    @Test("a created key authenticates, lists without its secret, and stops working when revoked")
    func keyLifecycle() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-keys-\(UUID().uuidString)").path
        let store = try TallyStore(dataDirectory: directory)
        let (key, secret) = try store.createKey(name: "dash", role: .reportViewer, userId: "tenant-9")
        #expect(secret.hasPrefix("tly_") && secret.count > 40)
        #expect(try await store.authenticate(secret: secret)?.id == key.id)
        #expect(try await store.authenticate(secret: secret + "x") == nil)

        // A second process (here: a second handle on the same file) sees and revokes it.
        let other = try TallyStore(dataDirectory: directory)
        #expect(try other.listKeys().map(\.id) == [key.id])
        try other.revokeKey(id: key.id)
        #expect(try await store.authenticate(secret: secret) == nil)
        #expect(throws: StoreError.self) { try other.revokeKey(id: key.id) }

        // Only the hash is on disk (in the database file or its write-ahead log).
        let path = directory + "/" + TallyStore.fileName
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes += (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
        #expect(bytes.range(of: Data(secret.utf8)) == nil)
        #expect(bytes.range(of: Data(SHA256.hex(Array(secret.utf8)).utf8)) != nil)
    }
}
