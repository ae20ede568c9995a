import Foundation
import Logging
import TallyKafka
import TallyStore

/// Applies batches to the store on its own thread, so that decoding the next batch overlaps with
/// writing the previous one.
///
/// At most one batch waits while another is written; `submit` blocks beyond that, which is the
/// back-pressure that keeps memory bounded when the disk is slower than the network. Batches are
/// applied strictly in order, each in its own transaction with its offsets, so exactly-once holds
/// exactly as with a single thread.
final class BatchWriter: @unchecked Sendable {
    /// What one applied batch did, handed back to the consuming thread.
    struct Completion {
        var offsets: [TopicPartition: Int64]
        var outcome: ApplyOutcome
        var rejected: Int
        /// What the submitter noted of the batch for the metrics, handed back with its outcome.
        var figures: SubmittedBatchFigures?
    }

    private struct Job {
        var batch: IngestBatch
        var offsets: [TopicPartition: Int64]
        var rejected: Int
        var figures: SubmittedBatchFigures?
    }

    private var store: TallyStore
    private let dedupeDays: Int
    private let logger: Logger
    private let shouldStop: @Sendable () -> Bool
    private let reportError: @Sendable (String?) -> Void
    /// Told after each commit which tenants the batch touched; nil in rebuilds, whose store is not
    /// the one served until it switches in.
    private let notifier: CommitNotifier?
    private let condition = NSCondition()
    private var pending: Job?
    private var writing = false
    private var closed = false
    private var completions: [Completion] = []
    /// Applied batches, handed back so that the consuming thread frees them: releasing twenty
    /// thousand events is measurable, and the writer is the busier of the two threads.
    private var applied: [IngestBatch] = []

    init(store: TallyStore, dedupeDays: Int, logger: Logger, shouldStop: @escaping @Sendable () -> Bool,
         reportError: @escaping @Sendable (String?) -> Void, notifier: CommitNotifier? = nil) {
        self.store = store
        self.notifier = notifier
        self.dedupeDays = dedupeDays
        self.logger = logger
        self.shouldStop = shouldStop
        self.reportError = reportError
        let thread = Thread { [self] in self.run() }
        thread.name = "tally-writer"
        thread.start()
    }

    /// Queues a batch; waits while another one is already queued.
    func submit(_ batch: IngestBatch, offsets: [TopicPartition: Int64], rejected: Int, figures: SubmittedBatchFigures? = nil) {
        condition.lock()
        while pending != nil { condition.wait() }
        pending = Job(batch: batch, offsets: offsets, rejected: rejected, figures: figures)
        condition.broadcast()
        condition.unlock()
    }

    /// Whether a batch waits behind the one being written, so that `submit` would block.
    var hasQueuedBatch: Bool {
        condition.withLock { pending != nil }
    }

    /// Waits until every submitted batch is applied (or abandoned at a stop).
    func waitUntilIdle() {
        condition.lock()
        while pending != nil || writing { condition.wait() }
        condition.unlock()
    }

    /// The batches applied since the last call, oldest first.
    func takeCompletions() -> [Completion] {
        condition.lock()
        let taken = completions
        completions = []
        var finished: [IngestBatch] = []
        swap(&finished, &applied)
        condition.unlock()
        // `finished` goes out of scope here, so its events are released on the caller's thread.
        return taken
    }

    /// Sends later batches to `replacement`; call only when idle (after `waitUntilIdle`).
    func replaceStore(with replacement: TallyStore) {
        condition.lock()
        store = replacement
        condition.unlock()
    }

    /// Lets the thread finish once the queue is empty.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while pending == nil && !closed { condition.wait() }
            guard let job = pending else {
                condition.unlock()
                return
            }
            pending = nil
            writing = true
            condition.broadcast()
            condition.unlock()

            let outcome = apply(job.batch)
            // After the transaction, never inside it: listeners only note the news.
            if outcome != nil, let notifier, notifier.hasListeners { notifier.committed(job.batch.events) }

            condition.lock()
            writing = false
            if let outcome { completions.append(Completion(offsets: job.offsets, outcome: outcome, rejected: job.rejected, figures: job.figures)) }
            applied.append(job.batch)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Applies one batch, retrying with backoff while the store fails (disk full, read-only file
    /// system). Offsets advance only with the batch, so a failure can never skip events. A stop
    /// requested while the store keeps failing abandons the batch: its offsets were not stored
    /// either, so the next start consumes it again. Returns nil when abandoned.
    private func apply(_ batch: IngestBatch) -> ApplyOutcome? {
        var delay: UInt32 = 100_000
        var failing = false
        while true {
            do {
                let target = condition.withLock { store }
                let outcome = try target.apply(batch, dedupeDays: dedupeDays)
                if failing {
                    logger.info("store writes recovered; ingest resumed")
                    reportError(nil)
                }
                return outcome
            } catch {
                if shouldStop() {
                    logger.error("stopping with an uncommitted batch; it will be consumed again on restart",
                                 metadata: ["events": "\(batch.events.count)", "error": "\(error)"])
                    return nil
                }
                if !failing {
                    logger.error("store write failed; ingest paused and retrying", metadata: ["error": "\(error)"])
                    failing = true
                }
                reportError("\(error)")
                usleep(delay)
                delay = min(delay * 2, 5_000_000)
            }
        }
    }
}
