import Foundation
import TallyDomain
import TallyKafka
import TallyStore

/// Accumulates consumed messages into the next `IngestBatch`: valid events, rejected ones as dead
/// letters, and the next offset of every partition touched. Events are folded into deltas as they
/// arrive; the store uses that fold unless dedupe finds a re-sent event, and then folds afresh.
struct BatchBuilder {
    private(set) var batch = IngestBatch()
    /// The open batch's events, folded as they arrive; its delta when the batch is taken.
    private var fold = RollupFold()
    /// The clocks of the store the batches go to, by which events are folded into local days. A
    /// batch folded with other clocks (the store switched meanwhile) is folded again by the store.
    var clocks = TenantClocks() {
        didSet { if batch.events.isEmpty { fold = RollupFold(clocks: clocks) } }
    }
    private(set) var messageCount = 0
    private(set) var counted = 0
    private(set) var rejected = 0
    /// When the first message of the open batch arrived (monotonic nanoseconds).
    private(set) var openedAt: UInt64?
    private var nextOffsets: [TopicPartition: Int64] = [:]
    let decoder: EventDecoder
    /// A partial rebuild's scope: messages outside it only advance the offsets. Rejected messages
    /// are left out too, since dead letters are the live store's business.
    let scope: RebuildScope?

    init(decoder: EventDecoder, scope: RebuildScope? = nil, clocks: TenantClocks = TenantClocks()) {
        self.decoder = decoder
        self.scope = scope
        self.clocks = clocks
        fold = RollupFold(clocks: clocks)
    }

    var isEmpty: Bool { messageCount == 0 }

    /// Decodes and folds one message. Nothing a message contains can make this fail.
    ///
    /// The record's timestamp, not `nowMillis`, is what an event is judged by (future events,
    /// retention) and when it counts as first seen (dedupe): a replay of the same record decides
    /// the same. `nowMillis` stands in only for a record without a timestamp, and dates dead letters.
    mutating func add(_ message: KafkaMessage, nowMillis: Int64) {
        if openedAt == nil { openedAt = DispatchTime.now().uptimeNanoseconds }
        messageCount += 1
        nextOffsets[TopicPartition(topic: message.topic, partition: message.partition)] = message.offset + 1
        // Another tenant's message is dropped before the cost of decoding it.
        if let scope, !scope.admits(key: message.key) { return }
        let recordMillis = message.timestampMillis ?? nowMillis
        let outcome: Result<Event, EventRejection>
        if message.key == nil || message.key?.isEmpty == true {
            outcome = .failure(EventRejection(.missingKey, "the message has no key; events are keyed by userId"))
        } else {
            outcome = decoder.decode(message.value ?? [], nowMillis: recordMillis)
        }
        switch outcome {
        case .success(let event):
            if let scope, !scope.contains(tenant: event.userId, day: clocks.day(of: event)) { return }
            batch.events.append(event)
            batch.seenAtMillis.append(recordMillis)
            // Folding here, on the consuming thread, leaves the writer thread only SQL to do.
            fold.add(event)
            counted += 1
        case .failure(let rejection):
            if scope != nil { return }
            batch.deadLetters.append(DeadLetter(
                topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
                payload: message.value ?? [], code: rejection.code.rawValue, message: rejection.message, receivedAtMillis: nowMillis))
            rejected += 1
        }
    }

    /// Takes the finished batch (with its offsets) and starts a new one.
    mutating func take() -> (batch: IngestBatch, offsets: [TopicPartition: Int64]) {
        var finished = batch
        finished.delta = fold.delta()
        finished.offsets = nextOffsets.map { PartitionOffset(topic: $0.key.topic, partition: $0.key.partition, nextOffset: $0.value) }
        let offsets = nextOffsets
        batch = IngestBatch()
        fold = RollupFold(clocks: clocks)
        nextOffsets = [:]
        messageCount = 0
        counted = 0
        rejected = 0
        openedAt = nil
        return (finished, offsets)
    }
}
