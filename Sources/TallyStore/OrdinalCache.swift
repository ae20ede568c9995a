import Foundation
import TallyDomain

/// Remembers member ordinals and per-tenant sequences between batches.
///
/// Only the ingest writer touches it, inside its write transaction. Members go in as the
/// transaction reads or inserts them, and a transaction that fails resets the cache
/// (`TallyStore.apply`); sequences are staged and published only after commit. So the cache never
/// holds an ordinal the database does not keep. Whatever deletes members (a transplant) or writes
/// from elsewhere resets it too. So a space never holds more members than the store has for it,
/// and when it holds as many as its sequence has given out, it holds them all (see
/// `TallyStore.resolveMembers`).
///
/// Members are kept per space (one tenant's or slice's members of one kind), and a batch takes out
/// each space it resolves, works on it alone and puts it back: its members are looked up by their
/// id alone, with no lock and no hash of the tenant per member.
final class OrdinalCache: @unchecked Sendable {
    /// One ordinal space: a tenant's (or slice's) members of one kind.
    struct SpaceKey: Hashable {
        var tenant: String
        var kind: MemberKind
    }

    struct Entry {
        var ordinal: UInt32
        var firstDay: Int32
    }

    /// The cached members of one space, and its sequence as the last committed batch left it.
    struct Space {
        var members: [String: Entry] = [:]
        /// The next ordinal the space gives out; nil until a committed batch told it.
        var sequence: UInt32?
    }

    private let lock = NSLock()
    private var spaces: [SpaceKey: Space] = [:]
    /// Members held in `spaces`, for the bound.
    private var memberTotal = 0
    private var dataVersion: Int64?
    private var generation = 0
    /// Bounds memory: past this many members the cache starts afresh.
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Takes a space out for the open transaction to resolve members in; `checkIn` puts it back.
    /// Out of the cache, it is the writer's alone.
    func checkOut(_ key: SpaceKey) -> Space {
        lock.withLock {
            guard let space = spaces.removeValue(forKey: key) else { return Space() }
            memberTotal -= space.members.count
            return space
        }
    }

    /// Puts back a space that `checkOut` gave, with the members the transaction read, inserted or
    /// moved. Past the bound, every space forgets its members (sequences stay: they are committed).
    func checkIn(_ key: SpaceKey, _ space: Space) {
        lock.withLock {
            var space = space
            if memberTotal + space.members.count > capacity {
                for spaceKey in spaces.keys { spaces[spaceKey]!.members.removeAll() }
                memberTotal = 0
                if space.members.count > capacity { space.members.removeAll() }
            }
            memberTotal += space.members.count
            spaces[key] = space
        }
    }

    /// Counts resets; a batch reads it inside its transaction and publishes its sequences only if no
    /// reset came between (a transplant committed after the batch must not see them put back).
    var currentGeneration: Int { lock.withLock { generation } }

    /// Publishes the sequences a committed batch advanced, unless the cache was reset since `generation`.
    func publish(sequences stagedSequences: [SpaceKey: UInt32], generation stagedGeneration: Int) {
        lock.withLock {
            guard generation == stagedGeneration else { return }
            for (key, next) in stagedSequences { spaces[key, default: Space()].sequence = next }
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
            spaces.removeAll()
            memberTotal = 0
            generation += 1
        }
    }
}
