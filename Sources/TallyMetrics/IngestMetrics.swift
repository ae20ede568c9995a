import CoreMetrics
import Foundation
import Prometheus

/// What one committed batch did, as the ingest session knows it once the writer has applied it.
public struct CommittedBatch: Sendable {
    /// Records consumed per topic: the advance of each partition's committed offset.
    public var consumedByTopic: [String: Int64]
    /// Dead letters per topic and code.
    public var deadLetters: [DeadLetterKey: Int]
    /// Events folded into the rollups, and re-sent copies skipped.
    public var counted: Int
    public var duplicates: Int
    /// Events handed to the store in the batch (counted, duplicates and late copies).
    public var events: Int
    /// From handing the batch to the writer to its commit.
    public var commitDuration: Duration
    /// The newest `occurredAt` among its events, if it had any.
    public var newestEventMillis: Int64?
    public var committedAtMillis: Int64
    /// The writer's seconds in each step of applying the batch, by step name (TallyStore's
    /// `ApplyStage`).
    public var writerSecondsByStage: [String: Double]

    public struct DeadLetterKey: Hashable, Sendable {
        public var topic: String
        public var code: String
        public init(topic: String, code: String) {
            self.topic = topic
            self.code = code
        }
    }

    public init(consumedByTopic: [String: Int64], deadLetters: [DeadLetterKey: Int], counted: Int, duplicates: Int, events: Int,
                commitDuration: Duration, newestEventMillis: Int64?, committedAtMillis: Int64, writerSecondsByStage: [String: Double] = [:]) {
        self.consumedByTopic = consumedByTopic
        self.deadLetters = deadLetters
        self.counted = counted
        self.duplicates = duplicates
        self.events = events
        self.commitDuration = commitDuration
        self.newestEventMillis = newestEventMillis
        self.committedAtMillis = committedAtMillis
        self.writerSecondsByStage = writerSecondsByStage
    }
}

/// Ingest's metrics, updated once per committed batch.
///
/// `tally_events_counted_total` and `tally_duplicates_skipped_total` carry no topic: the writer
/// reports them per batch, and a batch mixes topics. Per topic there are the records consumed and
/// the dead letters by code, both exact.
public final class IngestMetrics: Sendable {
    static let commitSeconds = "tally_batch_commit_seconds"
    static let batchSize = "tally_batch_size"

    private let factory: PrometheusMetricsFactory
    private let batches: CoreMetrics.Counter
    private let counted: CoreMetrics.Counter
    private let duplicates: CoreMetrics.Counter
    private let sizes: CoreMetrics.Recorder
    private let commitTimes: CoreMetrics.Timer
    private let latest = Locked<(newestEventMillis: Int64?, lastCommitMillis: Int64?)>((nil, nil))

    init(factory: PrometheusMetricsFactory) {
        self.factory = factory
        batches = CoreMetrics.Counter(label: "tally_batches_committed_total", factory: factory)
        counted = CoreMetrics.Counter(label: "tally_events_counted_total", factory: factory)
        duplicates = CoreMetrics.Counter(label: "tally_duplicates_skipped_total", factory: factory)
        sizes = CoreMetrics.Recorder(label: Self.batchSize, aggregate: true, factory: factory)
        commitTimes = CoreMetrics.Timer(label: Self.commitSeconds, factory: factory)
        // Present from the start, so a dashboard sees zeros rather than no series.
        batches.increment(by: 0)
        counted.increment(by: 0)
        duplicates.increment(by: 0)
    }

    /// Records one committed batch.
    public func batchCommitted(_ batch: CommittedBatch) {
        batches.increment()
        counted.increment(by: batch.counted)
        duplicates.increment(by: batch.duplicates)
        sizes.record(batch.events)
        commitTimes.recordNanoseconds(Int64(batch.commitDuration / .nanoseconds(1)))
        for (topic, records) in batch.consumedByTopic where records > 0 {
            CoreMetrics.Counter(label: "tally_records_consumed_total", dimensions: [("topic", topic)], factory: factory).increment(by: records)
        }
        for (stage, seconds) in batch.writerSecondsByStage {
            CoreMetrics.FloatingPointCounter(label: "tally_writer_seconds_total", dimensions: [("stage", stage)], factory: factory).increment(by: seconds)
        }
        for (key, count) in batch.deadLetters {
            CoreMetrics.Counter(label: "tally_dead_letters_total", dimensions: [("topic", key.topic), ("code", key.code)], factory: factory).increment(by: count)
        }
        latest.withLock { latest in
            if let newest = batch.newestEventMillis { latest.newestEventMillis = max(latest.newestEventMillis ?? newest, newest) }
            latest.lastCommitMillis = batch.committedAtMillis
        }
    }

    /// When the newest committed event happened and when the last batch committed.
    func freshness() -> (newestEventMillis: Int64?, lastCommitMillis: Int64?) {
        latest.withLock { $0 }
    }
}

/// A value behind a lock, for the few fields that are not swift-metrics handles.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
