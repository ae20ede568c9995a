import Foundation

/// How ingest consumes and batches. Read once from flags and environment by the CLI.
public struct IngestConfiguration: Sendable {
    /// Kafka bootstrap servers (`--brokers`, `TALLY_BROKERS`, default `127.0.0.1:9092`).
    public var brokers: String
    /// Topics to consume (`--topics`, `TALLY_TOPICS`, default `conversations,messages,ratings`).
    /// Events are routed by their `type`, so any topic may carry any type.
    public var topics: [String]
    /// Consumer group (`--group`, `TALLY_GROUP`, default `tally`).
    public var group: String
    /// A batch closes after this many messages (`--batch-size`, `TALLY_BATCH_SIZE`, default 20 000)…
    public var maximumBatchMessages: Int
    /// …or this many milliseconds after its first message (`--batch-ms`, `TALLY_BATCH_MS`, default 200),
    /// whichever comes first, so counts are visible well under a second after produce.
    public var maximumBatchMilliseconds: Int
    /// While the writer still holds a queued batch, a batch that is full or old keeps growing, up to
    /// this many messages (`--catch-up-batch-size`, `TALLY_CATCH_UP_BATCH_SIZE`, default 50 000).
    /// Catching up, a batch's per-key work (a tenant-day's counters, a day's bitmap) is then shared
    /// by more events, and the consumer keeps reading instead of waiting on the writer. A batch that
    /// falls due while the writer is idle is cut as before, so only a writer that is behind trades
    /// time to visible for throughput. It bounds each batch's
    /// memory, about 1 KiB per event with its fold, for each of the up to three batches in flight
    /// (one open, one queued, one being written).
    public var catchUpBatchMessages: Int
    /// The default of `catchUpBatchMessages`, and the batch size of a rebuild's replay.
    public static let defaultCatchUpBatchMessages = 50_000
    /// Late events older than this many days are rejected (`--retention-days`, default 400).
    public var retentionDays: Int
    /// An event whose id was first counted for its tenant at most this many days before (by Kafka
    /// record time, whatever its `occurredAt`) is not counted again (`--dedupe-days`,
    /// `TALLY_DEDUPE_DAYS`, default 7; 0 disables).
    public var dedupeDays: Int
    /// Dead letters are deleted after this many days (`--dead-letter-retention-days`, default 30).
    public var deadLetterRetentionDays: Int
    /// Extra librdkafka consumer properties (e.g. for tests).
    public var consumerProperties: [String: String]
    /// When maintenance (expired dedupe ids, old dead letters) first runs after start, in seconds:
    /// late enough that a restart catches up first.
    public var firstMaintenanceDelaySeconds: Double = 60
    /// The wall clock maintenance judges expiry by, in milliseconds since the epoch; injectable so
    /// that tests can move days ahead without waiting.
    public var maintenanceClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    public init(
        brokers: String = "127.0.0.1:9092", topics: [String] = ["conversations", "messages", "ratings"], group: String = "tally",
        maximumBatchMessages: Int = 20_000, maximumBatchMilliseconds: Int = 200, catchUpBatchMessages: Int = IngestConfiguration.defaultCatchUpBatchMessages, retentionDays: Int = 400,
        dedupeDays: Int = 7, deadLetterRetentionDays: Int = 30, consumerProperties: [String: String] = [:]
    ) {
        self.dedupeDays = dedupeDays
        self.deadLetterRetentionDays = deadLetterRetentionDays
        self.brokers = brokers
        self.topics = topics
        self.group = group
        self.maximumBatchMessages = maximumBatchMessages
        self.maximumBatchMilliseconds = maximumBatchMilliseconds
        self.catchUpBatchMessages = max(catchUpBatchMessages, maximumBatchMessages)
        self.retentionDays = retentionDays
        self.consumerProperties = consumerProperties
    }
}
