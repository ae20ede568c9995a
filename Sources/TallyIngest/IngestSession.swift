import Foundation
import Logging
import TallyDomain
import TallyKafka
import TallyStore

/// One consumer's life in the group: polls, batches, commits to the store, and answers rebalances
/// from the store's offsets. Used only from the ingest thread.
final class IngestSession: KafkaRebalanceHandler {
    private let configuration: IngestConfiguration
    private let store: TallyStore
    private let consumer: KafkaConsumer
    private let logger: Logger
    private let publish: (_ update: (inout IngestStatus) -> Void) -> Void
    private let shouldStop: () -> Bool
    private var builder: BatchBuilder
    /// The committed next offset of every assigned partition.
    private var committed: [TopicPartition: Int64] = [:]
    private var lastStatusAt: UInt64 = 0
    private var lastKafkaError: String?
    private var counted: Int64 = 0
    private var rejected: Int64 = 0
    private var duplicates: Int64 = 0
    /// When expired dedupe ids and dead letters were last pruned (monotonic nanoseconds).
    private var lastMaintenanceAt: UInt64?

    init(configuration: IngestConfiguration, store: TallyStore, consumer: KafkaConsumer, logger: Logger,
         shouldStop: @escaping () -> Bool, publish: @escaping (_ update: (inout IngestStatus) -> Void) -> Void) {
        self.shouldStop = shouldStop
        self.configuration = configuration
        self.store = store
        self.consumer = consumer
        self.logger = logger
        self.publish = publish
        self.builder = BatchBuilder(decoder: EventDecoder(retentionDays: configuration.retentionDays))
        publish { $0.state = "connecting" }
    }

    /// Polls once and commits the open batch when it is full, old enough, or the input went quiet.
    func step() {
        let event = consumer.poll(timeoutMilliseconds: builder.isEmpty ? 100 : 10)
        switch event {
        case .message(let message)?:
            if lastKafkaError != nil {
                logger.info("kafka connection recovered")
                lastKafkaError = nil
            }
            builder.add(message, nowMillis: Int64(Date().timeIntervalSince1970 * 1000))
            if builder.messageCount >= configuration.maximumBatchMessages || batchIsOld { commit() }
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
        publishStatusIfDue()
    }

    /// Commits whatever is open; called at shutdown and before revocation.
    func finish() {
        if !builder.isEmpty { commit() }
        publishStatus(state: "stopped")
    }

    private var batchIsOld: Bool {
        guard let opened = builder.openedAt else { return false }
        return DispatchTime.now().uptimeNanoseconds - opened >= UInt64(configuration.maximumBatchMilliseconds) * 1_000_000
    }

    /// Applies the open batch in one transaction, retrying with backoff while the store fails.
    /// Offsets advance only once the batch is stored, so a failure can never skip events. A stop
    /// requested while the store keeps failing abandons the batch: its offsets were not stored
    /// either, so the next start consumes it again.
    private func commit() {
        let rejectedInBatch = builder.rejected
        let (batch, offsets) = builder.take()
        var outcome = ApplyOutcome()
        var delay: UInt32 = 100_000
        var failing = false
        while true {
            do {
                outcome = try store.apply(batch, dedupeDays: configuration.dedupeDays)
                break
            } catch {
                if shouldStop() {
                    logger.error("stopping with an uncommitted batch; it will be consumed again on restart",
                                 metadata: ["messages": "\(batch.deadLetters.count + batch.events.count)", "error": "\(error)"])
                    return
                }
                if !failing {
                    logger.error("store write failed; ingest paused and retrying", metadata: ["error": "\(error)"])
                    failing = true
                }
                publish { $0.lastError = "\(error)" }
                usleep(delay)
                delay = min(delay * 2, 5_000_000)
            }
        }
        if failing { logger.info("store writes recovered; ingest resumed") }
        committed.merge(offsets) { _, new in new }
        counted += Int64(outcome.counted)
        duplicates += Int64(outcome.duplicates)
        rejected += Int64(rejectedInBatch)
        consumer.commitAdvisory(offsets)
        publishStatus(state: "consuming")
    }

    func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
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
        publishStatus(state: "consuming")
        return starts
    }

    func partitionsRevoked(_ partitions: [TopicPartition]) {
        if !builder.isEmpty { commit() }
        for partition in partitions { committed[partition] = nil }
        publishStatus(state: "rebalancing")
    }

    private func publishStatusIfDue() {
        let now = DispatchTime.now().uptimeNanoseconds
        if now - lastStatusAt > 200_000_000 { publishStatus(state: nil) }
        if lastMaintenanceAt.map({ now - $0 > 600_000_000_000 }) ?? true { pruneExpired(now: now) }
    }

    /// Drops dedupe ids past the window and dead letters past their retention, every 10 minutes.
    private func pruneExpired(now: UInt64) {
        lastMaintenanceAt = now
        let nowMillis = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            if configuration.dedupeDays > 0 {
                let today = Day(epochSeconds: nowMillis / 1000)
                try store.pruneSeenEvents(before: today.advanced(by: -configuration.dedupeDays))
            }
            try store.pruneDeadLetters(receivedBefore: nowMillis - Int64(configuration.deadLetterRetentionDays) * 86_400_000)
        } catch {
            logger.warning("pruning expired dedupe ids and dead letters failed; will retry", metadata: ["error": "\(error)"])
        }
    }

    private func publishStatus(state: String?) {
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
            status.lastError = nil
        }
    }
}
