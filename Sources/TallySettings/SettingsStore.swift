import Foundation
import GRDB
import TallySQLite

/// The settings store: user-made state that no replay of the topics can rebuild. API keys today;
/// tenant settings, report jobs, templates, schedules, deliveries and the audit log belong here too.
///
/// It is the file `settings.sqlite` beside the rollup store in the data directory. Rollups are
/// derived and replaceable: a rebuild writes a new rollup file and switches to it, a snapshot
/// copies one, a restore copies one in. None of them opens this file, so none of them has to
/// carry keys across by hand, and none can lose or resurrect one.
///
/// Every change is a `SettingsCommand` applied by `apply(_:)`, recorded with a sequence number in
/// the `commands` table in the same transaction. Reads are plain queries. One `DatabasePool` per
/// process, in WAL mode, so `tally keys` in another process and `tally serve` share the file.
public final class SettingsStore: Sendable {
    /// The file name inside a data directory. Never replaced by a rebuild or a switch.
    public static let fileName = "settings.sqlite"

    let writer: any DatabaseWriter
    /// Keys that authenticated since the store last changed (see `authenticate`).
    let keyCache: KeyCache

    /// The database file this store reads and writes; nil in memory.
    public let path: String?

    /// Opens (creating if needed) `settings.sqlite` in `dataDirectory`.
    public convenience init(dataDirectory: String) throws(SettingsError) {
        do {
            try DataDirectory.create(dataDirectory)
        } catch {
            throw SettingsError(.cannotOpen, "cannot create data directory '\(dataDirectory)': \(error.reason)")
        }
        try self.init(path: Self.path(in: dataDirectory))
    }

    /// Opens (creating if needed) the settings file at `path`.
    public init(path: String) throws(SettingsError) {
        self.path = path
        do {
            // `serve` and `keys create` started together on a new directory: one migrates, the
            // other waits for it and finds nothing left to do.
            writer = try MigrationLock.openPool(path: path, configuration: Self.configuration(), migrator: SettingsMigrations.migrator)
            keyCache = try KeyCache(path: path)
        } catch {
            throw SettingsError(.cannotOpen, "cannot open settings store '\(path)': \(error)")
        }
    }

    /// An in-memory store, for tests.
    public init() throws(SettingsError) {
        path = nil
        do {
            let queue = try DatabaseQueue(configuration: Self.configuration())
            try SettingsMigrations.migrator.migrate(queue)
            writer = queue
            keyCache = try KeyCache(path: nil)
        } catch {
            throw SettingsError(.cannotOpen, "cannot open in-memory settings store: \(error)")
        }
    }

    /// `<dataDirectory>/settings.sqlite`.
    public static func path(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent(fileName)
    }

    private static func configuration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // Unlike rollups, nothing here can be consumed again: a key whose secret was printed
            // must survive a power loss right after. Writes are rare, so each commit is fsynced.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return config
    }

    func read<T>(_ body: (Database) throws -> T) throws(SettingsError) -> T {
        do {
            return try writer.read(body)
        } catch let error as SettingsError {
            throw error
        } catch {
            throw SettingsError(.readFailed, "\(error)")
        }
    }

    /// Runs a read off the caller's thread, for async callers such as HTTP middleware.
    func readAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(SettingsError) -> T {
        do {
            return try await writer.read(body)
        } catch let error as SettingsError {
            throw error
        } catch {
            throw SettingsError(.readFailed, "\(error)")
        }
    }

    /// Only `apply` and `importKeys` write, both through `execute`.
    func write<T>(_ body: (Database) throws -> T) throws(SettingsError) -> T {
        // After the commit (or the rollback, where it costs only a refill): cached keys go.
        defer { keyCache.noteLocalChange() }
        do {
            return try writer.write(body)
        } catch let error as SettingsError {
            throw error
        } catch {
            throw SettingsError(.writeFailed, "\(error)")
        }
    }
}
