import TallyDomain

/// Everything one ingest batch commits atomically: valid events, rejected ones, and the offsets
/// that follow the last message of the batch on each partition.
///
/// Events stay events until the store's transaction: only there can re-sent ones be told apart
/// (by id, against what earlier batches committed) before the rest is folded into deltas.
public struct IngestBatch: Sendable {
    public var events: [Event]
    /// When Tally first saw each event, in milliseconds: the Kafka record's timestamp, parallel to
    /// `events`. The dedupe window runs from this moment. Empty means "now" for every event, for
    /// callers without records (tests, tools).
    public var seenAtMillis: [Int64]
    /// The fold of `events`, when the producer of the batch computed it already (ingest folds while
    /// it decodes, on another thread). Used as is when dedupe finds no re-sent event in the batch.
    public var delta: RollupDelta?
    public var deadLetters: [DeadLetter]
    public var offsets: [PartitionOffset]
    /// Dead letters that this batch counted after all (a replay), marked resolved in the same transaction.
    public var resolvedDeadLetterIds: [Int64]
    /// The most records any consumed partition was behind its log end when the batch was cut, as
    /// the consumer's last fetch told it; nil where no consumer knows (tests, replays).
    public var lagRecords: Int64?

    public init(events: [Event] = [], seenAtMillis: [Int64] = [], delta: RollupDelta? = nil, deadLetters: [DeadLetter] = [],
                offsets: [PartitionOffset] = [], resolvedDeadLetterIds: [Int64] = [], lagRecords: Int64? = nil) {
        precondition(seenAtMillis.isEmpty || seenAtMillis.count == events.count, "seenAtMillis must be empty or parallel to events")
        self.events = events
        self.seenAtMillis = seenAtMillis
        self.delta = delta
        self.deadLetters = deadLetters
        self.offsets = offsets
        self.resolvedDeadLetterIds = resolvedDeadLetterIds
        self.lagRecords = lagRecords
    }

    /// True when there is nothing to commit.
    public var isEmpty: Bool { events.isEmpty && deadLetters.isEmpty && offsets.isEmpty && resolvedDeadLetterIds.isEmpty }
}

/// What committing a batch did.
public struct ApplyOutcome: Sendable, Equatable {
    /// Events folded into the rollups.
    public var counted = 0
    /// Events skipped because their id was already counted for the tenant within the dedupe window
    /// (which runs from when the first copy was seen).
    public var duplicates = 0
    /// How long each step took. A measurement, not part of what the batch did, so equality leaves
    /// it out.
    public var stageTimes = ApplyStageTimes()

    public init(counted: Int = 0, duplicates: Int = 0) {
        self.counted = counted
        self.duplicates = duplicates
    }

    public static func == (a: ApplyOutcome, b: ApplyOutcome) -> Bool { a.counted == b.counted && a.duplicates == b.duplicates }
}

/// The next offset to consume on one partition.
public struct PartitionOffset: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var nextOffset: Int64

    public init(topic: String, partition: Int32, nextOffset: Int64) {
        self.topic = topic
        self.partition = partition
        self.nextOffset = nextOffset
    }
}

/// An event that was not counted, kept with its origin and the reason.
public struct DeadLetter: Sendable, Equatable {
    /// Payloads are stored up to this many bytes; `payloadBytes` keeps the original size.
    public static let maximumStoredBytes = 64 * 1024

    public var id: Int64?
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var payload: [UInt8]
    public var payloadBytes: Int
    public var code: String
    public var message: String
    public var receivedAtMillis: Int64

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, payload: [UInt8], code: String, message: String, receivedAtMillis: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.payload = Array(payload.prefix(Self.maximumStoredBytes))
        self.payloadBytes = payload.count
        self.code = code
        self.message = message
        self.receivedAtMillis = receivedAtMillis
    }
}
