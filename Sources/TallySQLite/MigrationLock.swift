import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Opens SQLite stores so that processes starting together on a new or older file migrate it once.
///
/// `tally serve` and `tally keys create` are started together on a new data directory by
/// deployment scripts. Each found the store unmigrated and ran the migrations, and the second one
/// failed on a table the first had just created. GRDB's migrator checks what has been applied
/// before it takes SQLite's write lock, so SQLite alone cannot serialise it. An advisory `flock`
/// on a file beside the database does: the second process waits for the first, then finds every
/// migration applied and has nothing left to do.
///
/// The lock file exists only while a file is created or upgraded: an up-to-date store is opened
/// without it, and it is removed once the migrations are in. (A waiter may then hold the removed
/// file's lock; that is harmless, because nobody migrates after the migrations are complete.)
/// Every Tally store opens through here, whatever its schema: the rollup store (`tally.sqlite`)
/// and the settings store (`settings.sqlite`) each have their own lock file beside them.
public enum MigrationLock {
    /// The suffix of the lock file beside a database.
    public static let suffix = "-migrating"

    /// Opens a pool on `path` and applies `migrator`, serialised with other processes doing the same.
    public static func openPool(path: String, configuration: Configuration, migrator: DatabaseMigrator) throws -> DatabasePool {
        if FileManager.default.fileExists(atPath: path) {
            let pool = try openRetryingWhileLocked(path: path, configuration: configuration)
            if try pool.read({ try migrator.hasCompletedMigrations($0) }) { return pool }
            try exclusively(beside: path) { try migrator.migrate(pool) }
            return pool
        }
        // A new file: creating it (WAL mode included) happens under the lock as well.
        return try exclusively(beside: path) {
            let pool = try openRetryingWhileLocked(path: path, configuration: configuration)
            try migrator.migrate(pool)
            return pool
        }
    }

    /// How long opening a pool may keep meeting "database is locked" before that is an error.
    static let openBusyTimeout: TimeInterval = 10

    /// Opens a pool, retrying while SQLite answers "database is locked".
    ///
    /// Opening a pool runs `PRAGMA journal_mode = WAL`, and SQLite does not call the busy handler
    /// (`Configuration.busyMode`) there: while another process holds the file for a moment, having
    /// just created it and not yet switched it to WAL, or recovering its WAL, the open fails at
    /// once. Seen in about 1 of 50 rounds of `serve` and two `keys create` started together. The
    /// other process lets go within milliseconds, so a short bounded retry is the busy handler
    /// SQLite does not apply.
    static func openRetryingWhileLocked(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(openBusyTimeout)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) && Date() < deadline {
                usleep(20_000)
            }
        }
    }

    /// Runs `body` while holding an exclusive advisory lock on `<path>-migrating`.
    ///
    /// Where the lock file cannot be created (a read-only directory), `body` runs without it: such
    /// a store cannot be migrated by anyone, and `body` reports why.
    static func exclusively<T>(beside path: String, _ body: () throws -> T) throws -> T {
        let lockPath = path + suffix
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return try body() }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { return try body() }
        }
        let result = try body()
        unlink(lockPath)
        return result
    }
}
