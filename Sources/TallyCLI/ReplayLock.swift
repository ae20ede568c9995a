import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a data directory for `tally dead-letters replay`.
///
/// Each replay chunk counts its events and resolves their dead letters in one transaction, but two
/// replays could both read the same unresolved rows before either commits; with dedupe off (or
/// past its window) both would count them. An advisory `flock` on a file next to the store makes
/// the second replay fail at once instead. The kernel drops the lock when the process dies, so a
/// crashed replay never leaves it held.
struct ReplayLock {
    /// The lock file's name inside the data directory.
    static let fileName = "dead-letter-replay.lock"

    /// Why the lock was not taken, with a stable code: `replay_in_progress` or `replay_lock_failed`.
    struct Failure: Error, CustomStringConvertible {
        var code: String
        var message: String
        var description: String { "\(code): \(message)" }
    }

    private let descriptor: Int32

    /// Takes the lock, or throws at once when another replay holds it.
    init(dataDirectory: String) throws {
        let path = (dataDirectory as NSString).appendingPathComponent(Self.fileName)
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Failure(code: "replay_lock_failed", message: "cannot open lock file '\(path)': \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Failure(code: "replay_in_progress", message: "another `tally dead-letters replay` is running on '\(dataDirectory)'; wait for it to finish")
        }
        self.descriptor = descriptor
    }

    /// Releases the lock; the file stays, empty, for the next replay.
    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
