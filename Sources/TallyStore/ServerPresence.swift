import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether a `tally serve` runs on a data directory, known exactly rather than guessed.
///
/// A rebuild must know: beside a live server it asks the server to pause and lets it switch
/// stores; without one it switches the data directory itself. A heartbeat is no proof: a server
/// starved of CPU on a busy machine can be silent for seconds, and a rebuild that took the silence
/// for "no server" would skip the pause, compare the live store while it goes on ingesting, and
/// report differences that are not there (or, with nothing to differ, switch the directory under
/// a running server). A lock the server holds for its whole life cannot be mistaken that way, and
/// the kernel releases it when the server dies, `kill -9` included.
///
/// Servers hold `serve.lock` shared; a rebuild without a server holds it exclusively until it has
/// switched, so a server started meanwhile waits and then opens the switched store.
public final class ServerPresence: @unchecked Sendable {
    /// The lock file inside a data directory.
    public static let fileName = "serve.lock"

    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Announces a server on `dataDirectory` for as long as the returned value lives. Waits while a
    /// rebuild switches the directory, calling `waiting` once first.
    public static func announceServer(dataDirectory: String, waiting: () -> Void = {}) throws(StoreError) -> ServerPresence {
        let descriptor = try open(dataDirectory)
        if flock(descriptor, LOCK_SH | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else { throw failure(descriptor, "lock") }
            waiting()
            while flock(descriptor, LOCK_SH) != 0 {
                guard errno == EINTR else { throw failure(descriptor, "lock") }
            }
        }
        return ServerPresence(descriptor: descriptor)
    }

    /// Keeps servers off `dataDirectory` for as long as the returned value lives, or returns nil
    /// when a server runs there now.
    public static func excludeServers(dataDirectory: String) throws(StoreError) -> ServerPresence? {
        let descriptor = try open(dataDirectory)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            guard errno == EWOULDBLOCK else { throw failure(descriptor, "lock") }
            close(descriptor)
            return nil
        }
        return ServerPresence(descriptor: descriptor)
    }

    private static func open(_ dataDirectory: String) throws(StoreError) -> Int32 {
        let path = StoreLocation(dataDirectory: dataDirectory).path(fileName)
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError(.cannotOpen, "cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    private static func failure(_ descriptor: Int32, _ what: String) -> StoreError {
        let reason = String(cString: strerror(errno))
        close(descriptor)
        return StoreError(.cannotOpen, "cannot \(what) \(fileName): \(reason)")
    }
}
