import Foundation

/// The ids of jobs waiting for a worker, first in first out. An id already queued or running is
/// not queued again, so a job found at start-up and announced by its request runs once.
final class ReportJobQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String] = []
    private var known: Set<String> = []
    private var waiters: [CheckedContinuation<String?, Never>] = []
    private var closed = false

    func push(_ id: String) {
        lock.withLock {
            guard !closed, known.insert(id).inserted else { return }
            if waiters.isEmpty { ids.append(id) } else { waiters.removeFirst().resume(returning: id) }
        }
    }

    /// The next id, waiting for one; nil once the queue is closed.
    func next() async -> String? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                lock.withLock {
                    if !ids.isEmpty {
                        continuation.resume(returning: ids.removeFirst())
                    } else if closed {
                        continuation.resume(returning: nil)
                    } else {
                        waiters.append(continuation)
                    }
                }
            }
        } onCancel: {
            close()
        }
    }

    /// The job has finished; its id may be queued again.
    func done(_ id: String) { lock.withLock { _ = known.remove(id) } }

    /// Stops handing out ids; waiting workers get nil. Queued jobs stay pending in the store and
    /// run after the next start.
    func close() {
        lock.withLock {
            closed = true
            for waiter in waiters { waiter.resume(returning: nil) }
            waiters = []
        }
    }
}
