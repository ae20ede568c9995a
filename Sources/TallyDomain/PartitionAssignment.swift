/// Whether this instance holds every partition of every topic it consumes, and so every event of
/// every tenant.
///
/// Events are keyed by tenant, but a tenant's conversations, messages and ratings land on different
/// partitions when the topics have different partition counts. An instance that the consumer group
/// gives only some partitions therefore holds part of every tenant's events, and any figure it
/// computes may be short. Until queries can be routed and state moved between instances, such an
/// instance must refuse to answer rather than answer partially.
public struct PartitionAssignment: Sendable, Equatable, Encodable {
    /// One partition of one topic, written `topic[partition]`.
    public struct Partition: Hashable, Comparable, Sendable, CustomStringConvertible, Encodable {
        public var topic: String
        public var partition: Int32

        public init(topic: String, partition: Int32) {
            self.topic = topic
            self.partition = partition
        }

        public var description: String { "\(topic)[\(partition)]" }

        public static func < (a: Partition, b: Partition) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(description)
        }
    }

    public enum State: String, Sendable, Encodable {
        /// No assignment has arrived yet (starting, connecting, catching up after a restart). The
        /// committed state is what a single instance would answer from, so reports are answered.
        case pending
        /// Every partition of every consumed topic is assigned here.
        case complete
        /// Some partition of a consumed topic is assigned elsewhere, or to no one.
        case partial
        /// Partitions were assigned, but the broker's metadata could not be read to confirm that
        /// they are all of them. Never taken for complete.
        case unknown
    }

    public var state: State
    /// The partitions assigned here, sorted.
    public var assigned: [Partition]
    /// The partitions of the consumed topics that are not assigned here, sorted; empty unless partial.
    public var missing: [Partition]

    public init(state: State, assigned: [Partition] = [], missing: [Partition] = []) {
        self.state = state
        self.assigned = assigned
        self.missing = missing
    }

    /// Before the first assignment.
    public static let pending = PartitionAssignment(state: .pending)

    /// Compares an assignment with the partitions the consumed topics have.
    ///
    /// - Parameter partitionCounts: for each consumed topic, how many partitions the broker says it
    ///   has (0 for a topic the broker does not know). An assigned partition beyond its topic's count
    ///   shows the counts are older than the assignment (partitions were added since): then nothing
    ///   can be confirmed and the state is `unknown`.
    public init(assigned: some Sequence<Partition>, partitionCounts: [String: Int]) {
        let held = Set(assigned)
        let countsAreStale = held.contains { partition in
            partitionCounts[partition.topic].map { Int(partition.partition) >= $0 } ?? false
        }
        guard !countsAreStale else {
            self = .unconfirmed(assigned: held)
            return
        }
        var missing: [Partition] = []
        for (topic, count) in partitionCounts where count > 0 {
            for index in 0..<Int32(clamping: count) where !held.contains(Partition(topic: topic, partition: index)) {
                missing.append(Partition(topic: topic, partition: index))
            }
        }
        self.init(state: missing.isEmpty ? .complete : .partial, assigned: held.sorted(), missing: missing.sorted())
    }

    /// An assignment whose completeness could not be confirmed.
    public static func unconfirmed(assigned: some Sequence<Partition>) -> PartitionAssignment {
        PartitionAssignment(state: .unknown, assigned: Set(assigned).sorted())
    }

    /// True when figures computed here may be partial: only a confirmed complete assignment, or none
    /// yet, answers reports.
    public var refusesReports: Bool { state == .partial || state == .unknown }

    /// Why reports are refused, naming the partitions held and the ones missing (at most `limit` of
    /// each, so that a topic of hundreds of partitions keeps the sentence readable).
    public func refusalReason(limit: Int = 24) -> String {
        let held = assigned.isEmpty ? "no partition" : "\(assigned.count) partition\(assigned.count == 1 ? "" : "s") (\(Self.list(assigned, limit: limit)))"
        switch state {
        case .partial:
            return "this instance is assigned \(held) but not \(Self.list(missing, limit: limit)): "
                + "the consumer group splits the topics' partitions between its instances, so any figure here may be partial"
        case .unknown:
            return "this instance is assigned \(held) and could not confirm with the broker's metadata that these are every "
                + "partition of its topics"
        case .pending, .complete:
            return "this instance is assigned every partition of its topics"
        }
    }

    private static func list(_ partitions: [Partition], limit: Int) -> String {
        let shown = partitions.prefix(limit).map(\.description).joined(separator: ", ")
        return partitions.count > limit ? "\(shown) and \(partitions.count - limit) more" : shown
    }
}
