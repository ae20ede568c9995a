/// A point-in-time view of ingest progress, for health checks and for waiting until caught up.
///
/// Lag is measured against the high watermark carried by fetch responses (and partition EOF),
/// because some brokers answer ListOffsets for "latest" wrongly.
public struct IngestStatus: Sendable, Equatable, Encodable {
    /// Progress of one assigned partition.
    public struct Partition: Sendable, Equatable, Encodable {
        public var topic: String
        public var partition: Int32
        /// The next offset to consume, as committed to the store.
        public var committedOffset: Int64
        /// The broker's high watermark, when known.
        public var highWatermark: Int64?
        /// `highWatermark − committedOffset`, when known. Negative when the broker's log ends before
        /// the offset the store holds: the topic was recreated (or truncated), and ingest is about to
        /// read it again from its beginning.
        public var lag: Int64? { highWatermark.map { $0 - committedOffset } }

        public init(topic: String, partition: Int32, committedOffset: Int64, highWatermark: Int64?) {
            self.topic = topic
            self.partition = partition
            self.committedOffset = committedOffset
            self.highWatermark = highWatermark
        }

        enum CodingKeys: String, CodingKey { case topic, partition, committedOffset, highWatermark, lag }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(topic, forKey: .topic)
            try c.encode(partition, forKey: .partition)
            try c.encode(committedOffset, forKey: .committedOffset)
            try c.encodeIfPresent(highWatermark, forKey: .highWatermark)
            try c.encodeIfPresent(lag, forKey: .lag)
        }
    }

    /// `connecting`, `consuming` or `stopped`.
    public var state: String
    public var partitions: [Partition]
    /// Events counted and rejected since start.
    public var eventsCounted: Int64
    public var eventsRejected: Int64
    /// Re-sent events skipped by dedupe since start.
    public var duplicates: Int64 = 0
    /// The last store error, if ingest is paused by one.
    public var lastError: String?
    /// Whether this instance is assigned every partition of its topics; report reads are refused
    /// while it is not (see `PartitionAssignment`).
    public var assignment: PartitionAssignment = .pending

    public init(state: String, partitions: [Partition] = [], eventsCounted: Int64 = 0, eventsRejected: Int64 = 0, lastError: String? = nil) {
        self.state = state
        self.partitions = partitions
        self.eventsCounted = eventsCounted
        self.eventsRejected = eventsRejected
        self.lastError = lastError
    }

    /// True when every assigned partition is known and consumed exactly up to its high watermark;
    /// never while a partition's log ends before the stored offset.
    public var caughtUp: Bool {
        !partitions.isEmpty && partitions.allSatisfy { $0.lag == 0 }
    }
}
