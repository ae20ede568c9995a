import Foundation
import GRDB

/// What one snapshot file holds: where it is, its size, and the consumed offsets inside it.
///
/// The offsets are read back from the snapshot file itself, not from the live store, because they
/// are what a restored instance will resume from: its tail starts exactly there.
public struct SnapshotInfo: Sendable, Equatable {
    public var path: String
    public var bytes: Int64
    /// The next offset of every partition the snapshot's rollups include.
    public var offsets: [PartitionOffset]

    public init(path: String, bytes: Int64, offsets: [PartitionOffset]) {
        self.path = path
        self.bytes = bytes
        self.offsets = offsets
    }

    /// The sum of the next offsets: the number of messages the snapshot has consumed when every
    /// partition started at offset 0.
    public var committedOffsetTotal: Int64 { offsets.reduce(0) { $0 + $1.nextOffset } }
}

/// Snapshots: consistent single-file copies of the store, taken while ingest keeps writing, and
/// the restore that bootstraps a new instance from one.
///
/// Rollups and the offsets that produced them live in the same database, so one consistent copy of
/// the database is a consistent copy of both. `VACUUM INTO` reads inside one SQLite read
/// transaction (a WAL snapshot), so concurrent ingest commits, in this process or another, are
/// either wholly in the copy or wholly absent, and the writer is never blocked. A snapshot is
/// written under a temporary name, fsynced, verified and only then linked to its final name, so a
/// crash never leaves a partial file where a snapshot is expected.
extension TallyStore {
    /// The directory, inside a data directory, that default and periodic snapshots go to.
    public static let snapshotDirectoryName = "snapshots"

    /// The live store file inside `dataDirectory` (`tally.sqlite` unless a rebuild switched it).
    public static func storePath(in dataDirectory: String) -> String {
        StoreLocation(dataDirectory: dataDirectory).currentPath
    }

    /// True when `dataDirectory` already holds a store (or the remains of one).
    public static func storeExists(in dataDirectory: String) -> Bool {
        !existingStoreFiles(in: dataDirectory).isEmpty
    }

    /// `<dataDirectory>/snapshots`.
    public static func snapshotDirectory(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent(snapshotDirectoryName)
    }

    /// `<dataDirectory>/snapshots/tally-<UTC timestamp>.sqlite`. The timestamp is ISO 8601 basic
    /// format with milliseconds, so names sort in time order and two snapshots rarely collide.
    public static func defaultSnapshotPath(dataDirectory: String, at date: Date = Date()) -> String {
        (snapshotDirectory(in: dataDirectory) as NSString).appendingPathComponent(snapshotFileName(at: date))
    }

    /// Writes a consistent copy of the store to `path`, which must not exist.
    ///
    /// Safe while another handle or process ingests into the same store: the copy is one
    /// transaction-consistent state, rollups and offsets together.
    public func snapshot(to path: String) throws(StoreError) -> SnapshotInfo {
        let temporary = try Self.prepareSnapshotTarget(path)
        do {
            // VACUUM cannot run inside a transaction, and `read` opens one: `unsafeRead` gives a
            // reader connection in autocommit mode, and VACUUM INTO takes its own read transaction.
            try writer.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [temporary]) }
            let offsets = try Self.openSnapshot(temporary).read { db in try Self.inspect(db, thorough: false) }
            return try Self.publish(temporary, as: path, offsets: offsets)
        } catch {
            Self.removeQuietly(temporary)
            throw Self.snapshotError(error, path: path)
        }
    }

    /// The same as ``snapshot(to:)`` for async callers: SQLite work runs on GRDB's queues, off the
    /// cooperative pool, and cancelling the task interrupts a running `VACUUM INTO`.
    public func snapshot(to path: String) async throws(StoreError) -> SnapshotInfo {
        let temporary = try Self.prepareSnapshotTarget(path)
        do {
            try await writer.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [temporary]) }
            let offsets = try await Self.openSnapshot(temporary).read { db in try Self.inspect(db, thorough: false) }
            try Task.checkCancellation()
            return try Self.publish(temporary, as: path, offsets: offsets)
        } catch {
            Self.removeQuietly(temporary)
            throw Self.snapshotError(error, path: path)
        }
    }

    /// Checks that `path` is an intact Tally store this version can open, and reads its offsets.
    ///
    /// Runs `PRAGMA integrity_check` (every page, every index entry), then requires the migrations
    /// table, no migration unknown to this version, and the `consumed_offsets` table.
    public static func inspectSnapshot(at path: String) throws(StoreError) -> SnapshotInfo {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw StoreError(.invalidSnapshot, "no snapshot file at '\(path)'")
        }
        // A non-empty WAL beside the file holds commits the file alone lacks; copying just the file
        // would silently drop them.
        if let walBytes = fileSize(path + "-wal"), walBytes > 0 {
            throw StoreError(.invalidSnapshot, "'\(path)' has a write-ahead log beside it, so it is a live store, not a snapshot; take one with `tally snapshot create`")
        }
        do {
            let offsets = try openSnapshot(path).read { db in try inspect(db, thorough: true) }
            return SnapshotInfo(path: path, bytes: fileSize(path) ?? 0, offsets: offsets)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.invalidSnapshot, "'\(path)' is not a readable SQLite database: \(error)")
        }
    }

    /// Bootstraps `dataDirectory` from a snapshot: validates it, then copies it in as the store.
    ///
    /// Refuses when the directory already holds a store, since replacing one would throw away
    /// committed rollups and offsets. The copy lands under a temporary name and is linked into
    /// place only once complete and fsynced. Open the store afterwards as usual; it resumes
    /// consuming right after the snapshot's offsets.
    @discardableResult
    public static func restore(snapshot: String, into dataDirectory: String) throws(StoreError) -> SnapshotInfo {
        try refuseExistingStore(in: dataDirectory)
        let info = try inspectSnapshot(at: snapshot)
        let target = storePath(in: dataDirectory)
        let temporary = target + ".restoring-" + shortIdentifier()
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: snapshot, toPath: temporary)
            try SnapshotFiles.fsync(temporary)
            try SnapshotFiles.linkWithoutReplacing(temporary, to: target)
            removeQuietly(temporary)
            SnapshotFiles.fsyncDirectory(of: target)
        } catch let error as SnapshotFiles.TargetExists {
            removeQuietly(temporary)
            throw StoreError(.storeExists, "'\(error.path)' appeared while restoring; nothing was overwritten")
        } catch {
            removeQuietly(temporary)
            throw StoreError(.writeFailed, "cannot copy snapshot '\(snapshot)' into '\(dataDirectory)': \(error)")
        }
        return SnapshotInfo(path: target, bytes: info.bytes, offsets: info.offsets)
    }

    /// Deletes the oldest `tally-*.sqlite` snapshots in `directory` beyond the newest `keep`.
    /// Returns the deleted paths. Files of any other name, partial ones included, are left alone.
    @discardableResult
    public static func pruneSnapshots(in directory: String, keep: Int) throws(StoreError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasPrefix("tally-") && $0.hasSuffix(".sqlite") }
                .sorted()
        } catch {
            throw StoreError(.snapshotFailed, "cannot list snapshots in '\(directory)': \(error.localizedDescription)")
        }
        var removed: [String] = []
        for name in names.dropLast(max(0, keep)) {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                throw StoreError(.snapshotFailed, "cannot delete old snapshot '\(path)': \(error.localizedDescription)")
            }
            removed.append(path)
        }
        return removed
    }

    // MARK: - Steps

    /// Every file that shows a store lives (or lived) in `dataDirectory`: the default and the
    /// current database with their WAL and shared memory, and the pointer a rebuild writes. A stale
    /// WAL alone counts too, since SQLite would replay it into a copied-in file.
    private static func existingStoreFiles(in dataDirectory: String) -> [String] {
        let location = StoreLocation(dataDirectory: dataDirectory)
        let databases = [StoreLocation.defaultFileName] + (location.currentFileName == StoreLocation.defaultFileName ? [] : [location.currentFileName])
        let candidates = [location.path(StoreLocation.pointerFileName)] + databases.flatMap { name in
            StoreLocation.databaseFileSuffixes.map { location.path(name + $0) }
        }
        return candidates.filter { FileManager.default.fileExists(atPath: $0) }
    }

    private static func refuseExistingStore(in dataDirectory: String) throws(StoreError) {
        let existing = existingStoreFiles(in: dataDirectory)
        guard existing.isEmpty else {
            throw StoreError(.storeExists, """
                '\(dataDirectory)' already holds a store (\(existing.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))); \
                restoring only bootstraps an empty data directory and never overwrites one: use a new --data-dir or move the store away
                """)
        }
    }

    /// Refuses an existing target and returns the temporary path to write first, beside it so that
    /// the final link stays within one file system.
    private static func prepareSnapshotTarget(_ path: String) throws(StoreError) -> String {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.snapshotExists, "'\(path)' already exists; snapshots never overwrite a file, choose another --out")
        }
        do {
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        } catch {
            throw StoreError(.snapshotFailed, "cannot create the directory for '\(path)': \(error.localizedDescription)")
        }
        return path + ".partial-" + shortIdentifier()
    }

    /// Makes the verified temporary file durable and gives it its final name.
    private static func publish(_ temporary: String, as path: String, offsets: [PartitionOffset]) throws -> SnapshotInfo {
        // VACUUM INTO does not fsync its output; without this a power loss after the link could
        // leave a named but empty or torn snapshot.
        try SnapshotFiles.fsync(temporary)
        try SnapshotFiles.linkWithoutReplacing(temporary, to: path)
        removeQuietly(temporary)
        SnapshotFiles.fsyncDirectory(of: path)
        return SnapshotInfo(path: path, bytes: fileSize(path) ?? 0, offsets: offsets)
    }

    /// Integrity, schema and offsets of an opened snapshot.
    private static func inspect(_ db: Database, thorough: Bool) throws -> [PartitionOffset] {
        let check = try String.fetchAll(db, sql: thorough ? "PRAGMA integrity_check" : "PRAGMA quick_check")
        guard check == ["ok"] else {
            throw StoreError(.invalidSnapshot, "integrity check failed: \(check.prefix(3).joined(separator: "; "))")
        }
        guard try db.tableExists("grdb_migrations") else {
            throw StoreError(.invalidSnapshot, "not a Tally store: it has no migrations table")
        }
        let applied = try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
        let known = StoreMigrations.migrator.migrations
        let unknown = applied.subtracting(known)
        guard unknown.isEmpty else {
            throw StoreError(.invalidSnapshot, "written by a newer Tally: unknown migrations \(unknown.sorted().joined(separator: ", "))")
        }
        guard let first = known.first, applied.contains(first), try db.tableExists("consumed_offsets") else {
            throw StoreError(.invalidSnapshot, "not a Tally store: it has no consumed_offsets table")
        }
        return try Row.fetchAll(db, sql: "SELECT topic, partition, next_offset FROM consumed_offsets ORDER BY topic, partition").map {
            PartitionOffset(topic: $0[0], partition: $0[1], nextOffset: $0[2])
        }
    }

    /// Opens a snapshot read-only, so validating a file never changes it.
    private static func openSnapshot(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    private static func snapshotError(_ error: any Error, path: String) -> StoreError {
        switch error {
        case let error as StoreError:
            return error
        case let error as SnapshotFiles.TargetExists:
            return StoreError(.snapshotExists, "'\(error.path)' appeared while the snapshot was written; it was not overwritten")
        case is CancellationError:
            return StoreError(.snapshotFailed, "snapshot to '\(path)' was cancelled")
        default:
            return StoreError(.snapshotFailed, "cannot write snapshot '\(path)': \(error)")
        }
    }

    static func snapshotFileName(at date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "tally-%04d%02d%02dT%02d%02d%02d.%03dZ.sqlite",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(millis % 1000))
    }

    private static func fileSize(_ path: String) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size].flatMap { ($0 as? NSNumber)?.int64Value }
    }

    private static func removeQuietly(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func shortIdentifier() -> String {
        String(UUID().uuidString.prefix(8)).lowercased()
    }
}

/// The POSIX file steps that make a snapshot durable and its final name atomic.
private enum SnapshotFiles {
    /// The final name was taken between the up-front check and the link.
    struct TargetExists: Error {
        var path: String
    }

    struct SystemCallFailed: Error, CustomStringConvertible {
        var call: String
        var path: String
        var code: Int32
        var description: String { "\(call)('\(path)'): \(String(cString: strerror(code)))" }
    }

    /// Flushes a file's (or a directory's entries') data to stable storage.
    static func fsync(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw SystemCallFailed(call: "open", path: path, code: errno) }
        defer { close(descriptor) }
        guard Foundation.fsync(descriptor) == 0 else { throw SystemCallFailed(call: "fsync", path: path, code: errno) }
    }

    /// Makes a new name in `path`'s directory durable. Best effort: some file systems refuse to
    /// fsync a directory, and by now the file itself is complete under its final name.
    static func fsyncDirectory(of path: String) {
        let parent = (path as NSString).deletingLastPathComponent
        try? fsync(parent.isEmpty ? "." : parent)
    }

    /// Gives `source` the name `target` only if nothing has it: `link(2)` fails with EEXIST rather
    /// than replace, where `rename(2)` would silently overwrite. Where hard links are unsupported,
    /// falls back to a checked rename.
    static func linkWithoutReplacing(_ source: String, to target: String) throws {
        if link(source, target) == 0 { return }
        let code = errno
        if code == EEXIST { throw TargetExists(path: target) }
        guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EXDEV else {
            throw SystemCallFailed(call: "link", path: target, code: code)
        }
        guard !FileManager.default.fileExists(atPath: target) else { throw TargetExists(path: target) }
        guard rename(source, target) == 0 else { throw SystemCallFailed(call: "rename", path: target, code: errno) }
    }
}
