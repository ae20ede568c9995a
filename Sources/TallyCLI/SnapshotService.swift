import Foundation
import Logging
import ServiceLifecycle
import TallySettings
import TallyStore

/// Periodic snapshots inside `tally serve`: one every `interval` into `<data-dir>/snapshots`,
/// keeping the newest `keep`.
///
/// A failed snapshot (disk full, say) is logged and retried at the next tick rather than stopping
/// the server: ingest and reports matter more than a backup. Graceful shutdown cancels the wait or
/// the copy in progress at once; a cancelled copy leaves no file behind.
struct SnapshotService: Service {
    /// The live store, read at each tick so that a store switched in by a rebuild is the one copied.
    let currentStore: @Sendable () -> TallyStore
    let dataDirectory: String
    let interval: Duration
    let keep: Int
    let logger: Logger
    /// Where each snapshot is recorded (`store.snapshot` by `system:serve`).
    let audit: AuditRecorder

    func run() async {
        await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var next = clock.now + interval
            while !Task.isCancelled {
                do {
                    try await Task.sleep(until: next, clock: clock)
                } catch {
                    return
                }
                await snapshotOnce()
                // Ticks stay on the original grid; one that a slow snapshot overran is skipped.
                while next <= clock.now { next += interval }
            }
        }
    }

    private func snapshotOnce() async {
        let started = ContinuousClock.now
        do {
            let info = try await currentStore().snapshot(to: TallyStore.defaultSnapshotPath(dataDirectory: dataDirectory))
            do throws(SettingsError) {
                try await audit.record(.storeSnapshot, target: info.path, context: AuditContext(actor: .system("serve")))
            } catch {
                logger.error("snapshot not recorded in the audit log", metadata: ["error": "\(error)"])
            }
            let removed = try TallyStore.pruneSnapshots(in: TallyStore.snapshotDirectory(in: dataDirectory), keep: keep)
            let milliseconds = Int(((ContinuousClock.now - started) / .milliseconds(1)).rounded())
            logger.info("snapshot written", metadata: [
                "path": "\(info.path)", "bytes": "\(info.bytes)", "committedOffsetTotal": "\(info.committedOffsetTotal)",
                "ms": "\(milliseconds)", "pruned": "\(removed.count)",
            ])
        } catch {
            if Task.isCancelled {
                logger.info("snapshot abandoned for shutdown")
            } else {
                logger.error("snapshot failed; retrying at the next interval", metadata: ["error": "\(error)"])
            }
        }
    }
}
