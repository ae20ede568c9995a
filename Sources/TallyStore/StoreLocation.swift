import Foundation

/// Which database file in a data directory is the live store.
///
/// A rebuild writes a new file beside the live one; switching to it means rewriting the small
/// `CURRENT` file atomically (write, then rename). Without `CURRENT`, the store is `tally.sqlite`.
public struct StoreLocation: Sendable, Equatable {
    public static let defaultFileName = "tally.sqlite"
    public static let pointerFileName = "CURRENT"

    public let dataDirectory: String

    public init(dataDirectory: String) { self.dataDirectory = dataDirectory }

    /// The live store's file name.
    public var currentFileName: String {
        let pointer = (try? String(contentsOfFile: path(Self.pointerFileName), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pointer, !pointer.isEmpty, !pointer.contains("/") else { return Self.defaultFileName }
        return pointer
    }

    /// The live store's path.
    public var currentPath: String { path(currentFileName) }

    /// A path inside the data directory.
    public func path(_ fileName: String) -> String { (dataDirectory as NSString).appendingPathComponent(fileName) }

    /// Makes `fileName` the live store, atomically.
    public func setCurrent(_ fileName: String) throws(StoreError) {
        let temporary = path(Self.pointerFileName + ".tmp")
        do {
            try Data((fileName + "\n").utf8).write(to: URL(fileURLWithPath: temporary), options: .atomic)
            guard rename(temporary, path(Self.pointerFileName)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            throw StoreError(.writeFailed, "cannot switch the live store to \(fileName): \(error)")
        }
    }

    /// The suffixes of the files one SQLite database in WAL mode consists of: the database, its
    /// write-ahead log and its shared-memory index. They are moved or removed together.
    public static let databaseFileSuffixes = ["", "-wal", "-shm"]

    /// Deletes a store file with its WAL and shared-memory files, where they exist.
    public func remove(_ fileName: String) {
        for suffix in Self.databaseFileSuffixes { try? FileManager.default.removeItem(atPath: path(fileName + suffix)) }
    }

    /// Renames a retired store file (and its WAL and shared-memory files, consistently) to
    /// `<name>.previous`, replacing an older `.previous`.
    public func retire(_ fileName: String) throws(StoreError) {
        for suffix in Self.databaseFileSuffixes {
            let from = path(fileName + suffix)
            guard FileManager.default.fileExists(atPath: from) else { continue }
            guard rename(from, path(fileName + ".previous" + suffix)) == 0 else {
                throw StoreError(.writeFailed, "cannot keep \(fileName) as \(fileName).previous: errno \(errno)")
            }
        }
    }
}
