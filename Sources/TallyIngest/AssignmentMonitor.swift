import Foundation
import Logging
import TallyDomain
import TallyKafka

/// Keeps `IngestStatus.assignment` truthful: whether this member holds every partition of every
/// topic it consumes, which decides whether the HTTP side may answer reports.
///
/// It is the consumer's rebalance handler and passes each rebalance on to the session first, so
/// consumption still starts from the store's offsets. On every assignment it compares the partitions
/// the group gave this member with the partitions a broker says the topics have, and it re-checks
/// every 10 s, so that partitions added to a topic make the instance partial. Everything runs on the
/// ingest thread, like every other use of the consumer.
///
/// What it decides, and why:
/// - Before the first assignment the state is `pending` and reports are answered: a single instance
///   that is connecting or catching up after a restart answers from committed state, as it always has.
/// - A revocation changes nothing: the last known state stands until the next assignment arrives.
/// - When the broker's metadata cannot be read, the last partition counts read stand in for it (a
///   topic's partitions are only ever added, and an assignment beyond the counts shows that too).
///   Without any counts yet the state is `unknown`, which refuses reports but never stops ingest,
///   and the check is retried every 3 s until it succeeds.
final class AssignmentMonitor: KafkaRebalanceHandler {
    /// How long the check at assignment time may wait for the broker.
    static let assignmentTimeoutMilliseconds: Int32 = 5_000
    /// The periodic re-check waits less: it holds up the ingest loop, and it also runs while the
    /// brokers are down.
    static let recheckTimeoutMilliseconds: Int32 = 2_000
    /// How often a known state is checked again.
    static let recheckIntervalNanoseconds: UInt64 = 10_000_000_000
    /// How often an `unknown` state is checked again.
    static let retryIntervalNanoseconds: UInt64 = 3_000_000_000

    private let session: any KafkaRebalanceHandler
    private let consumer: KafkaConsumer
    private let topics: [String]
    private let logger: Logger
    private let publish: @Sendable (_ update: (inout IngestStatus) -> Void) -> Void
    /// The partitions of the last assignment; nil before the first one.
    private var assigned: [PartitionAssignment.Partition]?
    /// The partition counts of the last metadata answer.
    private var lastCounts: [String: Int]?
    private(set) var current = PartitionAssignment.pending
    private var nextCheckAt = UInt64.max
    private var ticks = 0
    /// The metadata error already logged, so that an outage says so once.
    private var loggedMetadataError: String?

    init(session: any KafkaRebalanceHandler, consumer: KafkaConsumer, topics: [String], logger: Logger,
         publish: @escaping @Sendable (_ update: (inout IngestStatus) -> Void) -> Void) {
        self.session = session
        self.consumer = consumer
        self.topics = topics
        self.logger = logger
        self.publish = publish
    }

    func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        let starts = session.partitionsAssigned(partitions)
        assigned = partitions.map { PartitionAssignment.Partition(topic: $0.topic, partition: $0.partition) }
        check(timeoutMilliseconds: Self.assignmentTimeoutMilliseconds, isNewAssignment: true)
        return starts
    }

    func partitionsRevoked(_ partitions: [TopicPartition]) {
        session.partitionsRevoked(partitions)
    }

    /// Called on every turn of the ingest loop; reads the clock on every 16th turn only, which at
    /// full speed is every 16th message and when idle every 1.6 s at most.
    func tick() {
        ticks &+= 1
        guard ticks & 15 == 0, assigned != nil, DispatchTime.now().uptimeNanoseconds >= nextCheckAt else { return }
        check(timeoutMilliseconds: Self.recheckTimeoutMilliseconds, isNewAssignment: false)
    }

    private func check(timeoutMilliseconds: Int32, isNewAssignment: Bool) {
        guard let assigned else { return }
        do {
            lastCounts = try consumer.partitionCounts(of: topics, timeoutMilliseconds: timeoutMilliseconds)
            if loggedMetadataError != nil {
                logger.info("topic metadata can be read again")
                loggedMetadataError = nil
            }
        } catch {
            if loggedMetadataError != error.message {
                let consequence = lastCounts == nil
                    ? "reports are refused until the assignment can be confirmed"
                    : "the last partition counts read stand"
                logger.warning("cannot read topic metadata to check the partition assignment (\(error.message)); \(consequence)")
                loggedMetadataError = error.message
            }
        }
        let next = lastCounts.map { PartitionAssignment(assigned: assigned, partitionCounts: $0) } ?? .unconfirmed(assigned: assigned)
        nextCheckAt = DispatchTime.now().uptimeNanoseconds
            + (next.state == .unknown ? Self.retryIntervalNanoseconds : Self.recheckIntervalNanoseconds)
        report(next, isNewAssignment: isNewAssignment)
    }

    /// Publishes a changed state and logs, once per assignment or change, why reports are refused,
    /// and once when they are answered again.
    private func report(_ next: PartitionAssignment, isNewAssignment: Bool) {
        let previous = current
        guard next != previous || isNewAssignment else { return }
        current = next
        publish { $0.assignment = next }
        if next.refusesReports {
            logger.warning("report fetches answer 503 partial_assignment: \(next.refusalReason())")
        } else if previous.refusesReports {
            logger.notice("every partition of \(topics.joined(separator: ", ")) is assigned here again; reports are answered")
        }
    }
}
