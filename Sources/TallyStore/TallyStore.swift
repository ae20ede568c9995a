import Foundation
import GRDB
import TallyDomain
import TallySQLite

/// Tally's rollup store: rollups, bitmaps, consumed offsets and dead letters.
///
/// Everything in it is derived from the Kafka topics, so a rebuild can replace the whole file.
/// User-made state (API keys) lives in the settings store (`TallySettings`) instead, which no
/// rebuild, switch or snapshot touches.
///
/// One `DatabasePool` per process, in WAL mode, so that report reads run concurrently with the
/// single ingest writer and with other processes (a rebuild, a snapshot) on the same file.
public final class TallyStore: Sendable {
    /// The database file name inside a new data directory (see `StoreLocation` for rebuilt ones).
    public static let fileName = StoreLocation.defaultFileName

    let writer: any DatabaseWriter
    /// Ordinals and sequences known to be committed, so hot members skip a lookup per batch.
    let ordinalCache = OrdinalCache(capacity: TallyStore.memberCacheEntries)
    /// How many members (contacts and conversations, per tenant and slice) each store opened from
    /// now on keeps in its ordinal cache; past it the cache starts afresh. About 130 bytes per
    /// member with their identifiers (measured), so the default, 4 000 000, is up to about 500 MiB. Set once at
    /// start-up, before any store is opened (`serve --member-cache-entries`).
    nonisolated(unsafe) public static var memberCacheEntries = 4_000_000
    private let stageTotalsLock = NSLock()
    nonisolated(unsafe) private var stageTotals = ApplyStageTimes()

    /// Every batch applied through this handle, step by step (see `ApplyStage`): where the writer's
    /// time went since the store was opened.
    public var applyStageTotals: ApplyStageTimes { stageTotalsLock.withLock { stageTotals } }

    func addToStageTotals(_ times: ApplyStageTimes) { stageTotalsLock.withLock { stageTotals.add(times) } }
    /// Each tenant's clock as `tenant_time_zones` says, read at open and kept up to date by the
    /// only writers of that table (this store's `setTenantZone` and `transplant`).
    let clockBox = ClockBox()

    /// Opens (creating if needed) the store in `dataDirectory`.
    public convenience init(dataDirectory: String) throws(StoreError) {
        try Self.createDataDirectory(dataDirectory)
        try self.init(path: StoreLocation(dataDirectory: dataDirectory).currentPath)
    }

    /// Creates `dataDirectory` if needed, saying in the operator's terms why it cannot be.
    public static func createDataDirectory(_ dataDirectory: String) throws(StoreError) {
        do {
            try DataDirectory.create(dataDirectory)
        } catch {
            throw StoreError(.cannotOpen, "cannot create data directory '\(dataDirectory)': \(error.reason)")
        }
    }

    /// The database file this store reads and writes.
    public let path: String?

    /// Opens (creating if needed) the store file at `path`.
    public init(path: String) throws(StoreError) {
        self.path = path
        do {
            // Several processes may open a new store at once (`serve` and `keys create` in one
            // deployment script): the migrations run once, the others wait for them.
            writer = try MigrationLock.openPool(path: path, configuration: Self.configuration(), migrator: StoreMigrations.migrator)
        } catch {
            throw StoreError(.cannotOpen, "cannot open store '\(path)': \(error)")
        }
        try reloadClocks()
    }

    /// An in-memory store, for tests.
    public init() throws(StoreError) {
        path = nil
        do {
            let queue = try DatabaseQueue(configuration: Self.configuration())
            try StoreMigrations.migrator.migrate(queue)
            writer = queue
        } catch {
            throw StoreError(.cannotOpen, "cannot open in-memory store: \(error)")
        }
        try reloadClocks()
    }

    private static func configuration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // Offsets and rollups share each transaction, so losing the newest transactions on power
            // loss only means re-consuming them: NORMAL keeps exactly-once and saves an fsync per batch.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return config
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.readFailed, "\(error)")
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.writeFailed, "\(error)")
        }
    }
}

extension TallyStore {
    /// Runs a read off the caller's thread, for async callers such as HTTP handlers.
    func readAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await writer.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.readFailed, "\(error)")
        }
    }
}
