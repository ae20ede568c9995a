import Foundation
import TallyDomain

/// Remembers member ordinals and per-tenant sequences between batches.
///
/// Only the ingest writer touches it, inside its write transaction. Members go in as the
/// transaction reads or inserts them, and a transaction that fails resets the cache
/// (`TallyStore.apply`); sequences are staged and published only after commit. So the cache never
/// holds an ordinal the database does not keep. Whatever deletes members (a transplant) or writes
/// from elsewhere resets it too. So its count of a tenant's members of a kind never exceeds the
/// store's, and when it equals the sequence the cache holds them all (see `TallyStore.lookup`).
final class OrdinalCache: @unchecked Sendable {
    struct Key: Hashable {
        var tenant: String
        var kind: MemberKind
        var member: String
    }

    struct Entry {
        var ordinal: UInt32
        var firstDay: Int32
    }

    struct SequenceKey: Hashable {
        var tenant: String
        var kind: MemberKind
    }

    private let lock = NSLock()
    private var members: [Key: Entry] = [:]
    private var sequences: [SequenceKey: UInt32] = [:]
    /// How many members of each tenant and kind `members` holds.
    private var counts: [SequenceKey: Int] = [:]
    private var dataVersion: Int64?
    private var generation = 0
    /// Bounds memory: past this many members the cache starts afresh.
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func member(_ key: Key) -> Entry? { lock.withLock { members[key] } }
    func sequence(_ key: SequenceKey) -> UInt32? { lock.withLock { sequences[key] } }
    /// How many of the members of `key`'s tenant and kind the cache holds.
    func memberCount(_ key: SequenceKey) -> Int { lock.withLock { counts[key] ?? 0 } }

    /// Counts resets; a batch reads it inside its transaction and publishes its sequences only if no
    /// reset came between (a transplant committed after the batch must not see them put back).
    var currentGeneration: Int { lock.withLock { generation } }

    /// Records a member the open transaction read from the store, inserted or moved.
    func record(_ key: Key, _ entry: Entry) {
        lock.withLock {
            if members.count >= capacity {
                members.removeAll(keepingCapacity: true)
                counts.removeAll()
            }
            if members.updateValue(entry, forKey: key) == nil { counts[SequenceKey(tenant: key.tenant, kind: key.kind), default: 0] += 1 }
        }
    }

    /// Publishes the sequences a committed batch advanced, unless the cache was reset since `generation`.
    func publish(sequences stagedSequences: [SequenceKey: UInt32], generation stagedGeneration: Int) {
        lock.withLock {
            guard generation == stagedGeneration else { return }
            sequences.merge(stagedSequences) { _, new in new }
        }
    }

    /// Records the writer connection's `PRAGMA data_version` and returns the previous one.
    func exchangeDataVersion(_ version: Int64) -> Int64? {
        lock.withLock {
            defer { dataVersion = version }
            return dataVersion
        }
    }

    /// Forgets everything, e.g. when another process wrote to the store.
    func reset() {
        lock.withLock {
            members.removeAll()
            sequences.removeAll()
            counts.removeAll()
            generation += 1
        }
    }
}
