import Foundation
import Logging
import ServiceLifecycle
import TallyDomain
import TallyKafka
import TallyMetrics
import TallyStore

/// The ingest service: Kafka consumer → decode → fold → one SQLite transaction per batch.
///
/// The loop runs on a dedicated thread because librdkafka's poll blocks. Offsets live in the store,
/// committed with the rollups they produced, so a crash at any instant resumes exactly where the
/// last committed batch ended: nothing is lost and nothing is counted twice.
public final class IngestPipeline: Service, @unchecked Sendable {
    private let configuration: IngestConfiguration
    private let store: TallyStore
    private let logger: Logger
    private let onStoreSwitch: @Sendable (TallyStore) -> Void
    private let metrics: IngestMetrics?
    private let commitNotifier: CommitNotifier?
    private let lock = NSLock()
    private var stopRequested = false
    private var statusValue = IngestStatus(state: "starting")

    /// - Parameter onStoreSwitch: called when a `tally rebuild` switches this data directory to a
    ///   rebuilt store, so that the HTTP side can move to it at the same moment.
    /// - Parameter metrics: counted once per committed batch, for `GET /metrics`.
    /// - Parameter commitNotifier: told after each committed batch which tenants it touched.
    public init(configuration: IngestConfiguration, store: TallyStore, logger: Logger,
                onStoreSwitch: @escaping @Sendable (TallyStore) -> Void = { _ in }, metrics: IngestMetrics? = nil,
                commitNotifier: CommitNotifier? = nil) {
        self.commitNotifier = commitNotifier
        self.onStoreSwitch = onStoreSwitch
        self.metrics = metrics
        self.configuration = configuration
        self.store = store
        self.logger = logger
    }

    /// The latest progress, for `/healthz` and for waiting until caught up.
    public var status: IngestStatus { lock.withLock { statusValue } }

    /// Asks the loop to commit its open batch, leave the group and return.
    public func requestStop() { lock.withLock { stopRequested = true } }

    private var shouldStop: Bool { lock.withLock { stopRequested } }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let thread = Thread {
                        do {
                            try self.consumeUntilStopped()
                            continuation.resume()
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    }
                    thread.name = "tally-ingest"
                    thread.start()
                }
            } onCancel: {
                self.requestStop()
            }
        } onGracefulShutdown: {
            self.requestStop()
        }
    }

    /// The consume loop. Returns after a requested stop; throws when the consumer cannot start.
    func consumeUntilStopped() throws {
        let consumer = try KafkaConsumer(brokers: configuration.brokers, group: configuration.group,
                                         properties: configuration.consumerProperties, logger: logger)
        let publish: @Sendable (_ update: (inout IngestStatus) -> Void) -> Void = { [weak self] update in
            guard let self else { return }
            self.lock.withLock { update(&self.statusValue) }
        }
        let session = IngestSession(
            configuration: configuration, store: store, consumer: consumer, logger: logger,
            shouldStop: { [weak self] in self?.shouldStop ?? true },
            onStoreSwitch: onStoreSwitch,
            publish: publish,
            metrics: metrics, commitNotifier: commitNotifier)
        // The monitor answers rebalances through the session and then checks the assignment is whole.
        let assignment = AssignmentMonitor(session: session, consumer: consumer, topics: configuration.topics,
                                           logger: logger, publish: publish)
        consumer.rebalanceHandler = assignment
        try consumer.subscribe(configuration.topics)
        logger.info("ingest started", metadata: ["topics": "\(configuration.topics)", "group": "\(configuration.group)"])
        while !shouldStop {
            session.step()
            assignment.tick()
        }
        // Closing leaves the group; the revoke callback commits the open batch first. The consumer
        // holds its rebalance handler weakly, so the monitor must live until then.
        withExtendedLifetime(assignment) { consumer.close() }
        session.finish()
        logger.info("ingest stopped")
    }
}
