import Foundation
import TallyDomain
import TallyStore

/// A store's `rollupChecksums()`, computed on a thread of its own while the caller computes
/// another's (see `StoreRebuilder.differences`).
final class ChecksumThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once by the thread before it signals `done`, read only after waiting on it.
    private var outcome: Result<[RollupDelta.TenantDay: UInt64], StoreError>?

    init(_ store: TallyStore) {
        let thread = Thread { [self] in
            outcome = Result { () throws(StoreError) in try store.rollupChecksums() }
            done.signal()
        }
        thread.name = "tally-checksums"
        thread.start()
    }

    /// Waits for the thread and returns its checksums, or throws what it threw.
    func result() throws(StoreError) -> [RollupDelta.TenantDay: UInt64] {
        done.wait()
        return try outcome!.get()
    }
}
