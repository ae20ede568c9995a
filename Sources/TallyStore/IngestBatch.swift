import TallyDomain

/// Everything one ingest batch commits atomically: rollup deltas, rejected events and the offsets
/// that follow the last message of the batch on each partition.
public struct IngestBatch: Sendable {
    public var delta: RollupDelta
    public var deadLetters: [DeadLetter]
    public var offsets: [PartitionOffset]

    public init(delta: RollupDelta = RollupDelta(), deadLetters: [DeadLetter] = [], offsets: [PartitionOffset] = []) {
        self.delta = delta
        self.deadLetters = deadLetters
        self.offsets = offsets
    }

    /// True when there is nothing to commit.
    public var isEmpty: Bool { delta.isEmpty && deadLetters.isEmpty && offsets.isEmpty }
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
