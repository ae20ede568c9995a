import Foundation
import Logging
import TallyDomain
import TallyKafka
import TallyStore

/// Builds a new store by replaying the topics from their earliest offsets, verifies it against the
/// live store, and switches the data directory to it.
///
/// It reads with a plain partition assignment, never joining or committing to the live consumer
/// group. Verification needs both stores at the same offsets: a running server (known by the lock
/// it holds, ``ServerPresence``) is asked (through the store's control table) to pause after
/// committing its open batch, the rebuild catches up to
/// exactly those offsets, and only then are per-tenant, per-day checksums compared. The server
/// performs the switch itself, so its requests move to the new store at once.
///
/// A partial rebuild (a ``RebuildScope``) replays the same partitions from their beginning, but
/// into a scratch store that counts only in-scope events. While the live server is paused, a
/// consistent copy of the live store takes the scratch store's in-scope rollups in place of its
/// own (``TallyStore/transplant(_:from:)``); only the rebuilt tenant-days are compared, since the
/// rest of the copy is the live store's by construction.
public final class StoreRebuilder: @unchecked Sendable {
    /// Progress of the replay, reported about once a second.
    public struct Progress: Sendable {
        public var partitions: [(partition: TopicPartition, position: Int64, target: Int64)]
        public var events: Int
        public var eventsPerSecond: Double
        public var secondsRemaining: Double?
    }

    /// How a rebuild ended.
    public enum Outcome: Sendable {
        /// The data directory now uses the rebuilt file; the old one is kept as `<old>.previous`.
        case switched(from: String, to: String, events: Int, seconds: Double, verified: Bool, differences: [RollupDelta.TenantDay])
        /// Checksums differ and `force` was not given: nothing was switched.
        case mismatch(differences: [RollupDelta.TenantDay], rebuiltFile: String)
    }

    private let brokers: String
    private let dataDirectory: String
    private let force: Bool
    private let scope: RebuildScope
    /// The zone the scope's tenant is rebuilt in, when the rebuild changes it (a tenant's new time
    /// zone); otherwise every tenant keeps the live store's.
    private let zone: TallyStore.TenantZone?
    private let dedupeDays: Int
    private let retentionDays: Int
    private let consumerProperties: [String: String]
    private let logger: Logger
    private let progress: @Sendable (Progress) -> Void
    /// Polled while the replay reads and while it waits for the server to pause: true stops the
    /// rebuild with `Stopped` (a server shutting down must not wait for a replay that can take
    /// hours), the live server resumed and the scratch file removed.
    private let shouldStop: @Sendable () -> Bool
    private var events = 0
    private let started = Date()
    /// The next offset to read per partition, across both catch-up phases.
    private var positions: [TopicPartition: Int64] = [:]
    /// Partitions held at their target: fetching stopped and the read position set back to the
    /// target, so that what lies beyond is read again in the next phase rather than lost.
    private var held: Set<TopicPartition> = []
    /// Partitions whose log looks as if it ended before their target, and since when.
    private var logEnds = LogEndWatch<TopicPartition>()
    private var lastLogEndCheck: UInt64 = 0

    public init(brokers: String, dataDirectory: String, scope: RebuildScope = RebuildScope(), zone: TallyStore.TenantZone? = nil, force: Bool,
                dedupeDays: Int, retentionDays: Int, consumerProperties: [String: String] = [:], logger: Logger,
                progress: @escaping @Sendable (Progress) -> Void, shouldStop: @escaping @Sendable () -> Bool = { false }) {
        precondition(zone == nil || scope.tenant != nil, "a rebuild into a new zone rebuilds one tenant")
        self.brokers = brokers
        self.dataDirectory = dataDirectory
        self.scope = scope
        self.zone = zone
        self.force = force
        self.dedupeDays = dedupeDays
        self.retentionDays = retentionDays
        self.consumerProperties = consumerProperties
        self.logger = logger
        self.progress = progress
        self.shouldStop = shouldStop
    }

    /// The rebuild was stopped on request (`shouldStop`) before it switched anything.
    public struct Stopped: Error, CustomStringConvertible {
        public var description: String { "the rebuild was stopped before it switched" }
    }

    public func run() throws -> Outcome {
        let location = StoreLocation(dataDirectory: dataDirectory)
        let oldName = location.currentFileName
        let live = try TallyStore(path: location.currentPath)
        let initialTargets = Dictionary(uniqueKeysWithValues: try live.consumedOffsets().map {
            (TopicPartition(topic: $0.topic, partition: $0.partition), $0.nextOffset)
        })
        guard !initialTargets.isEmpty else {
            throw StoreError(.readFailed, "the live store has consumed nothing yet; there is nothing to rebuild")
        }
        let stamp = Self.stamp()
        let newName = "tally-\(stamp).sqlite"
        try? location.retire(newName)
        // A partial rebuild replays into a scratch store, deleted once its rows are transplanted.
        let replayName = scope.isEverything ? newName : "tally-\(stamp)-replay.sqlite"
        if !scope.isEverything { location.remove(replayName) }
        defer { if !scope.isEverything { location.remove(replayName) } }
        let rebuilt = try TallyStore(path: location.path(replayName))
        // Every tenant is bucketed as the live store buckets it, but a tenant rebuilt into a new zone.
        try rebuilt.adoptTenantZones(from: live)
        if let zone, let tenant = scope.tenant { try rebuilt.setTenantZone(tenant, zone) }
        let consumer = try KafkaConsumer(brokers: brokers, group: "tally-rebuild-\(UUID().uuidString)",
                                         properties: consumerProperties, logger: logger)
        try consumer.assign(initialTargets.mapValues { _ in KafkaOffset.beginning })
        let writer = BatchWriter(store: rebuilt, dedupeDays: dedupeDays, logger: logger, shouldStop: { false }, reportError: { _ in })
        defer { writer.close() }
        var builder = BatchBuilder(decoder: EventDecoder(retentionDays: retentionDays), scope: scope.isEverything ? nil : scope,
                                   clocks: rebuilt.tenantClocks)

        try replay(consumer, to: initialTargets, builder: &builder, writer: writer)
        // Without a server, servers are kept off the directory until this rebuild has switched it.
        let serverExclusion = try ServerPresence.excludeServers(dataDirectory: dataDirectory)
        let liveServer = serverExclusion == nil
        if liveServer {
            logger.notice("asking the live server to pause at a batch boundary")
            try live.setControl(RebuildControl.name, RebuildControl.pause)
        }
        do {
            return try withExtendedLifetime(serverExclusion) {
                try verifyAndSwitch(live: live, liveServer: liveServer, rebuilt: rebuilt, consumer: consumer, builder: &builder,
                                    writer: writer, initialTargets: initialTargets, location: location, oldName: oldName, newName: newName)
            }
        } catch {
            // Never leave a live server paused behind a failed rebuild.
            if liveServer { try? live.setControl(RebuildControl.name, RebuildControl.resume) }
            throw error
        }
    }

    private func verifyAndSwitch(live: TallyStore, liveServer: Bool, rebuilt: TallyStore, consumer: KafkaConsumer, builder: inout BatchBuilder,
                                 writer: BatchWriter, initialTargets: [TopicPartition: Int64], location: StoreLocation,
                                 oldName: String, newName: String) throws -> Outcome {
        if liveServer { try waitFor(live, RebuildControl.paused, what: "the live server to pause", stoppable: true) }
        // The live store's offsets now stand still (paused, or no server): catch up to exactly them.
        let targets = Dictionary(uniqueKeysWithValues: try live.consumedOffsets().map {
            (TopicPartition(topic: $0.topic, partition: $0.partition), $0.nextOffset)
        })
        for partition in targets.keys where initialTargets[partition] == nil {
            throw StoreError(.readFailed, "the live store started consuming \(partition) during the rebuild; run it again")
        }
        try replay(consumer, to: targets, builder: &builder, writer: writer)
        consumer.close()

        var rebuilt = rebuilt
        var compared: (RollupDelta.TenantDay) -> Bool = { _ in true }
        if !scope.isEverything {
            let outside: Set<RollupDelta.TenantDay>
            (rebuilt, outside) = try transplant(rebuilt, onto: live, location: location, as: newName)
            compared = { [scope] in scope.contains(tenant: $0.tenant, day: $0.day) || outside.contains($0) }
        }
        let differences = try Self.differences(live, rebuilt).filter(compared)
        guard differences.isEmpty || force else {
            if liveServer { try live.setControl(RebuildControl.name, RebuildControl.resume) }
            return .mismatch(differences: differences, rebuiltFile: newName)
        }
        try rebuilt.checkpoint()
        if liveServer {
            try live.setControl(RebuildControl.name, RebuildControl.swap(newName))
            try waitFor(rebuilt, RebuildControl.swapped, what: "the live server to switch stores")
            try rebuilt.setControl(RebuildControl.name, nil)
        } else {
            try live.checkpoint()
            try location.setCurrent(newName)
            try location.retire(oldName)
        }
        return .switched(from: oldName, to: newName, events: events, seconds: Date().timeIntervalSince(started),
                         verified: differences.isEmpty, differences: differences)
    }

    /// Copies the (paused) live store to `newName` and replaces the copy's in-scope rows with the
    /// replay's. Returns the copy and the out-of-scope tenant-days the transplant changed as well.
    private func transplant(_ replay: TallyStore, onto live: TallyStore, location: StoreLocation,
                            as newName: String) throws -> (TallyStore, Set<RollupDelta.TenantDay>) {
        logger.info("copying the live store and transplanting the rebuilt \(scope)")
        _ = try live.snapshot(to: location.path(newName))
        let candidate = try TallyStore(path: location.path(newName))
        // The copy carries the live store's handshake state; the server must find none in it.
        try candidate.setControl(RebuildControl.name, nil)
        let outside = try candidate.transplant(scope, from: replay)
        return (candidate, outside)
    }

    /// Consumes every partition up to (not including) its target offset.
    private func replay(_ consumer: KafkaConsumer, to targets: [TopicPartition: Int64], builder: inout BatchBuilder, writer: BatchWriter) throws {
        var lastReport = Date.distantPast
        func done(_ partition: TopicPartition) -> Bool { (self.positions[partition] ?? 0) >= (targets[partition] ?? 0) }
        func flush() {
            let rejected = builder.rejected
            let (batch, offsets) = builder.take()
            writer.submit(batch, offsets: offsets, rejected: rejected)
            for completion in writer.takeCompletions() { events += completion.outcome.counted }
        }
        if !held.isEmpty {
            consumer.resume(Array(held))
            held = []
        }
        let deadline = Date().addingTimeInterval(3600)
        while !targets.keys.allSatisfy(done), Date() < deadline {
            if shouldStop() { throw Stopped() }
            switch consumer.poll(timeoutMilliseconds: 100) {
            case .message(let message)?:
                let partition = TopicPartition(topic: message.topic, partition: message.partition)
                guard message.offset < (targets[partition] ?? 0) else {
                    try hold(partition, at: targets[partition] ?? 0, consumer)
                    continue
                }
                builder.add(message, nowMillis: Int64(Date().timeIntervalSince1970 * 1000))
                positions[partition] = message.offset + 1
                // A replay is all backlog, so its batches are the size live ingest grows a batch to
                // while catching up (IngestConfiguration's default), which shares each batch's
                // per-key work among the most events.
                if builder.messageCount >= IngestConfiguration.defaultCatchUpBatchMessages { flush() }
            case .endOfPartition?:
                // Not proof of a short log: the event may have waited in the queue while the log
                // grew (the live server's pause offsets can lie beyond it). The watermark decides.
                break
            case .error(let error, _)?:
                logger.warning("kafka: \(error.message)")
            case nil:
                break
            }
            if Date().timeIntervalSince(lastReport) >= 1 {
                lastReport = Date()
                report(positions: positions, targets: targets)
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if now &- lastLogEndCheck >= 100_000_000 {
                lastLogEndCheck = now
                skipShortLogs(consumer, targets: targets, now: now)
            }
        }
        if !builder.isEmpty { flush() }
        writer.waitUntilIdle()
        for completion in writer.takeCompletions() { events += completion.outcome.counted }
        report(positions: positions, targets: targets)
        guard targets.keys.allSatisfy(done) else { throw StoreError(.readFailed, "the replay did not reach the live offsets within an hour") }
    }

    /// Gives up on partitions whose log has ended before their target for the grace period: the
    /// topic no longer holds what the live store counted (retention deleted it, or the topic was
    /// recreated), so the replay cannot reach it and verification will say where they differ.
    private func skipShortLogs(_ consumer: KafkaConsumer, targets: [TopicPartition: Int64], now: UInt64) {
        for (partition, target) in targets where (positions[partition] ?? 0) < target {
            let position = positions[partition] ?? 0
            let logEnd = consumer.cachedWatermarks(partition)?.high
            guard logEnds.observe(partition, logEnd: logEnd, position: position, expected: target, now: now) else { continue }
            logger.warning("\(partition) ends at \(logEnd ?? position) before the live store's offset \(target); the topic no longer holds what was counted")
            positions[partition] = target
            logEnds.forget(partition)
        }
    }

    /// Stops a partition that reached its target; a seek back to the target discards what was
    /// fetched beyond it, so the next phase reads it again.
    private func hold(_ partition: TopicPartition, at target: Int64, _ consumer: KafkaConsumer) throws {
        guard !held.contains(partition) else { return }
        try consumer.seek([partition: target])
        consumer.pause([partition])
        held.insert(partition)
    }

    private func report(positions: [TopicPartition: Int64], targets: [TopicPartition: Int64]) {
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(events) / elapsed
        let remaining = targets.reduce(Int64(0)) { $0 + max(0, $1.value - (positions[$1.key] ?? 0)) }
        progress(Progress(
            partitions: targets.keys.sorted { $0.description < $1.description }.map { ($0, positions[$0] ?? 0, targets[$0] ?? 0) },
            events: events, eventsPerSecond: rate, secondsRemaining: rate > 0 ? Double(remaining) / rate : nil))
    }

    /// Waits for the server's answer; `stoppable` only before a switch was asked for (once it
    /// was, the server may be switching and the rebuild must see it through).
    private func waitFor(_ store: TallyStore, _ value: String, what: String, stoppable: Bool = false) throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if stoppable, shouldStop() { throw Stopped() }
            if try store.control(RebuildControl.name)?.value == value { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw StoreError(.writeFailed, "timed out waiting for \(what)")
    }

    /// The tenant-days whose checksums differ. Each store is read whole, so the two are read at
    /// once, `b` on a thread of its own: the verification is about a fifth of a rebuild's time, and
    /// nothing else runs while it does.
    static func differences(_ a: TallyStore, _ b: TallyStore) throws -> [RollupDelta.TenantDay] {
        let other = ChecksumThread(b)
        let left = try a.rollupChecksums()
        let right = try other.result()
        return Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }
            .sorted { ($0.tenant, $0.day.number) < ($1.tenant, $1.day.number) }
    }

    private static func stamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}

/// The names and values of the rebuild handshake in the control table.
enum RebuildControl {
    static let name = "rebuild"
    static let pause = "pause"
    static let paused = "paused"
    static let resume = "resume"
    static let swapped = "swapped"
    static let swapPrefix = "swap:"
    static func swap(_ fileName: String) -> String { swapPrefix + fileName }
}
