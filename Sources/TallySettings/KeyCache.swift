import Foundation
import GRDB

/// The active keys that authenticated recently, by the SHA-256 of their secret, so that a request
/// does not wait on a read of the settings file for its key.
///
/// The cache holds only while nothing has committed to the settings store since it was filled,
/// from this process or from another (`tally keys revoke`): a connection of its own that never
/// writes sees SQLite's `PRAGMA data_version` change with every commit by any other connection, and
/// this process's own writes also bump `localChanges` (an in-memory store has no other
/// connection). The version is read before the key, so a revoke that commits during a look-up
/// empties the cache on the next request: a revocation takes effect at once, as with no cache.
/// Misses are not kept, so unknown secrets cannot fill it; it holds at most `capacity` keys.
final class KeyCache: @unchecked Sendable {
    static let capacity = 10_000

    private let probe: DatabaseQueue?
    private let lock = NSLock()
    private var keys: [String: ApiKey] = [:]
    private var version: (data: Int64, local: UInt64) = (-1, 0)
    private var localChanges: UInt64 = 0

    /// - Parameter path: the settings file, or nil for an in-memory store.
    init(path: String?) throws {
        guard let path else {
            probe = nil
            return
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        probe = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Called by every write of this process, after it commits.
    func noteLocalChange() {
        lock.withLock { localChanges &+= 1 }
    }

    /// The store's current version: read before a look-up whose answer may be kept.
    func currentVersion() throws -> (data: Int64, local: UInt64) {
        let data = try probe?.inDatabase { try Int64.fetchOne($0, sql: "PRAGMA data_version") } ?? 0
        return (data, lock.withLock { localChanges })
    }

    /// The key kept for `hash`, if the store is still at `version`; empties itself otherwise.
    func key(hash: String, at current: (data: Int64, local: UInt64)) -> ApiKey? {
        lock.withLock {
            guard current == version else {
                keys.removeAll(keepingCapacity: true)
                version = current
                return nil
            }
            return keys[hash]
        }
    }

    /// Keeps `key`, found while the store was at `version`.
    func keep(_ key: ApiKey, hash: String, foundAt found: (data: Int64, local: UInt64)) {
        lock.withLock {
            guard found == version else { return }
            if keys.count >= Self.capacity { keys.removeAll(keepingCapacity: true) }
            keys[hash] = key
        }
    }
}
