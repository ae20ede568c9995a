/// Failures of the store, each with a stable code for logs, the CLI and HTTP.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The data directory cannot be created or opened.
        case cannotOpen = "store_cannot_open"
        /// A write failed (disk full, read-only file system, I/O error); nothing of it was kept.
        case writeFailed = "store_write_failed"
        /// A read failed.
        case readFailed = "store_read_failed"
        /// A stored value could not be decoded (corruption).
        case corrupt = "store_corrupt"
        /// `snapshot create` found a file at the target path; snapshots never overwrite.
        case snapshotExists = "snapshot_exists"
        /// A snapshot could not be written (VACUUM INTO, fsync or rename failed); no file was left under its name.
        case snapshotFailed = "snapshot_failed"
        /// `--restore-from` found a store already in the data directory; restoring never overwrites one.
        case storeExists = "store_exists"
        /// The data directory holds no store, where one is required (e.g. to snapshot it).
        case storeNotFound = "store_not_found"
        /// The file given as a snapshot is missing, not SQLite, damaged, or not a Tally store.
        case invalidSnapshot = "invalid_snapshot"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
