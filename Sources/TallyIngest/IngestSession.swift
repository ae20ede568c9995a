import Foundation
import Logging
import TallyDomain
import TallyKafka
import TallyMetrics
import TallyStore

/// One consumer's life in the group: polls, batches, commits to the store, and answers rebalances
/// from the store's offsets. Used only from the ingest thread.
final class IngestSession: KafkaRebalanceHandler {
    private let configuration: IngestConfiguration
    /// The store batches go to; replaced when a rebuilt store takes over.
    var store: TallyStore
    let consumer: KafkaConsumer
    let logger: Logger
    /// Tells the rest of the process (HTTP) that a rebuilt store took over.
    let onStoreSwitch: @Sendable (TallyStore) -> Void
    /// Fetching is paused while a rebuild verifies against this store.
    var paused = false
    /// The partitions this session has paused and not resumed since.
    var pausedPartitions: Set<TopicPartition> = []
    /// Set by an assignment, so that the next step brings the new partitions in line with `paused`.
    var pauseNeedsAligning = false
    private var lastControlCheck: UInt64 = 0
    /// Wall-clock time for decoding, refreshed every few hundred messages.
    private var nowMillis = Int64(Date().timeIntervalSince1970 * 1000)
    private var stepCount = 0
    private let publish: @Sendable (_ update: (inout IngestStatus) -> Void) -> Void
    var builder: BatchBuilder
    let writer: BatchWriter
    /// The committed next offset of every assigned partition.
    var committed: [TopicPartition: Int64] = [:]
    private var lastStatusAt: UInt64 = 0
    private var lastKafkaError: String?
    private var counted: Int64 = 0
    private var rejected: Int64 = 0
    private var duplicates: Int64 = 0
    /// When expired dedupe ids and dead letters are next pruned (monotonic nanoseconds): a minute
    /// after start, so that a restart catches up before it does maintenance, then every 10 minutes,
    /// or every second while old days remain, one day per pass.
    private var nextMaintenanceAt: UInt64
    /// Partitions whose broker log has ended before their committed offset, and since when
    /// (monotonic nanoseconds): the sign of a topic recreated under the same name.
    var logEndsBeforeCommitted = LogEndWatch<TopicPartition>()
    /// Where committed batches are counted; nil in rebuilds and benchmarks.
    let metrics: IngestMetrics?

    init(configuration: IngestConfiguration, store: TallyStore, consumer: KafkaConsumer, logger: Logger,
         shouldStop: @escaping @Sendable () -> Bool, onStoreSwitch: @escaping @Sendable (TallyStore) -> Void = { _ in },
         publish: @escaping @Sendable (_ update: (inout IngestStatus) -> Void) -> Void, metrics: IngestMetrics? = nil,
         commitNotifier: CommitNotifier? = nil) {
        self.onStoreSwitch = onStoreSwitch
        self.metrics = metrics
        writer = BatchWriter(store: store, dedupeDays: configuration.dedupeDays, logger: logger, shouldStop: shouldStop,
                             reportError: { error in publish { $0.lastError = error } }, notifier: commitNotifier)
        self.configuration = configuration
        nextMaintenanceAt = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, configuration.firstMaintenanceDelaySeconds) * 1e9)
        self.store = store
        self.consumer = consumer
        self.logger = logger
        self.publish = publish
        self.builder = BatchBuilder(decoder: EventDecoder(retentionDays: configuration.retentionDays), clocks: store.tenantClocks)
        publish { $0.state = "connecting" }
    }

    /// Polls once and commits the open batch when it is full, old enough, or the input went quiet.
    func step() {
        let event = consumer.poll(timeoutMilliseconds: builder.isEmpty ? 100 : 10)
        if pauseNeedsAligning { alignPause() }
        switch event {
        case .message(let message)?:
            // Reading the clock per message is measurable at full speed; every 256 messages is
            // precise enough for the future-event check and the batch age, and for noticing that
            // the connection is back.
            if builder.messageCount & 255 == 0 {
                nowMillis = Int64(Date().timeIntervalSince1970 * 1000)
                if consumer.takeReportedTrouble() != nil || lastKafkaError != nil {
                    logger.notice("kafka connection recovered")
                    lastKafkaError = nil
                }
            }
            builder.add(message, nowMillis: nowMillis)
            if batchIsDue { commit() }
        case .endOfPartition?, nil:
            if !builder.isEmpty { commit() }
        case .error(let error, let fatal)?:
            // One line per change of state, not one per retry.
            if error.message != lastKafkaError {
                logger.warning("kafka: \(error.message)")
                lastKafkaError = error.message
            }
            if fatal { logger.critical("fatal kafka error; stopping") }
        }
        stepCount &+= 1
        guard stepCount & 63 == 0 || builder.isEmpty else { return }
        absorbCompletions()
        publishStatusIfDue()
        let now = DispatchTime.now().uptimeNanoseconds
        if now - lastControlCheck > 250_000_000 {
            lastControlCheck = now
            serviceControl()
            restartRecreatedLogs(now: now)
        }
    }

    /// Commits whatever is open and stops the writer; called at shutdown.
    func finish() {
        drain()
        writer.close()
        publishStatus(state: "stopped")
    }

    /// Whether the open batch goes to the writer now: once full or old, as soon as the writer has no
    /// batch queued (so `submit` would not wait), and at the catch-up size in any case. Checked on
    /// every 64th message past the size, since asking the writer takes its lock.
    private var batchIsDue: Bool {
        let count = builder.messageCount
        if count >= configuration.catchUpBatchMessages { return true }
        let full = count >= configuration.maximumBatchMessages
        guard (full && (count == configuration.maximumBatchMessages || count & 63 == 0)) || (count & 63 == 0 && batchIsOld) else { return false }
        return !writer.hasQueuedBatch
    }

    private var batchIsOld: Bool {
        guard let opened = builder.openedAt else { return false }
        return DispatchTime.now().uptimeNanoseconds - opened >= UInt64(configuration.maximumBatchMilliseconds) * 1_000_000
    }

    /// Hands the open batch to the writer thread and records whatever it has finished since.
    private func commit() {
        let rejectedInBatch = builder.rejected
        var (batch, offsets) = builder.take()
        // The ingest_health section's lag: how far behind its log end the batch's furthest
        // partition is, as the last fetch response told.
        batch.lagRecords = offsets.compactMap { partition, next in consumer.cachedWatermarks(partition).map { max(0, $0.high - next) } }.max()
        // The figures travel with the batch and come back with its completion.
        let figures = metrics == nil ? nil : SubmittedBatchFigures(batch: batch)
        writer.submit(batch, offsets: offsets, rejected: rejectedInBatch, figures: figures)
        absorbCompletions()
    }

    /// Advances committed offsets and counters for batches the writer has applied.
    private func absorbCompletions() {
        let completions = writer.takeCompletions()
        guard !completions.isEmpty else { return }
        var advanced: [TopicPartition: Int64] = [:]
        var before = committed
        for completion in completions {
            reportCommitted(completion, before: before)
            before.merge(completion.offsets) { _, new in new }
            advanced.merge(completion.offsets) { _, new in new }
            counted += Int64(completion.outcome.counted)
            duplicates += Int64(completion.outcome.duplicates)
            rejected += Int64(completion.rejected)
        }
        for (partition, offset) in advanced where committed[partition] != nil { committed[partition] = offset }
        consumer.commitAdvisory(advanced)
        publishStatus(state: "consuming")
    }

    /// Waits for the writer to apply everything submitted: before offsets are read or handed over.
    func drain() {
        if !builder.isEmpty { commit() }
        writer.waitUntilIdle()
        absorbCompletions()
    }

    func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        drain()
        var starts: [TopicPartition: Int64] = [:]
        for partition in partitions {
            do {
                if let offset = try store.consumedOffset(topic: partition.topic, partition: partition.partition) {
                    starts[partition] = offset
                    committed[partition] = offset
                } else {
                    committed[partition] = 0
                }
            } catch {
                logger.error("cannot read stored offsets; starting from the earliest", metadata: ["error": "\(error)"])
            }
        }
        pauseNeedsAligning = true
        publishStatus(state: "consuming")
        return starts
    }

    func partitionsRevoked(_ partitions: [TopicPartition]) {
        drain()
        for partition in partitions {
            committed[partition] = nil
            logEndsBeforeCommitted.forget(partition)
        }
        publishStatus(state: "rebalancing")
    }

    private func publishStatusIfDue() {
        let now = DispatchTime.now().uptimeNanoseconds
        if now - lastStatusAt > 200_000_000 { publishStatus(state: nil) }
        if now >= nextMaintenanceAt { pruneExpired(now: now) }
    }

    /// Drops dedupe ids past the window, one day per pass, and dead letters past their retention.
    ///
    /// An id is kept a day longer than the window: its copies are judged by their record times, and
    /// a copy read from a lagging partition may carry a record time a while back. Within that day
    /// of lag the live store decides as a replay (which never prunes) does.
    private func pruneExpired(now: UInt64) {
        nextMaintenanceAt = now + 600_000_000_000
        let nowMillis = configuration.maintenanceClock()
        do {
            if configuration.dedupeDays > 0 {
                let cutoff = nowMillis - Int64(configuration.dedupeDays + 1) * 86_400_000
                if try store.pruneOldestSeenDay(seenBefore: cutoff) != nil {
                    nextMaintenanceAt = now + 1_000_000_000
                }
            }
            try store.pruneDeadLetters(receivedBefore: nowMillis - Int64(configuration.deadLetterRetentionDays) * 86_400_000)
        } catch {
            logger.warning("pruning expired dedupe ids and dead letters failed; will retry", metadata: ["error": "\(error)"])
        }
    }

    func publishStatus(state: String?) {
        lastStatusAt = DispatchTime.now().uptimeNanoseconds
        let partitions = committed.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }.map { partition in
            IngestStatus.Partition(topic: partition.topic, partition: partition.partition, committedOffset: committed[partition] ?? 0,
                                   highWatermark: consumer.cachedWatermarks(partition)?.high)
        }
        let counted = self.counted
        let rejected = self.rejected
        let duplicates = self.duplicates
        publish { status in
            status.duplicates = duplicates
            if let state { status.state = state }
            status.partitions = partitions
            status.eventsCounted = counted
            status.eventsRejected = rejected
        }
    }
}
