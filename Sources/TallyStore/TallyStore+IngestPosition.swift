import GRDB
import TallyDomain

/// Where ingest stood when a read was made: what a generated report says it reflects.
public struct IngestPosition: Sendable, Equatable {
    /// When the newest committed batch was written (ms since the epoch), nil before the first.
    public var committedAtMillis: Int64?
    /// The next offset of every consumed partition, by topic and partition.
    public var offsets: [PartitionOffset]

    public init(committedAtMillis: Int64?, offsets: [PartitionOffset]) {
        self.committedAtMillis = committedAtMillis
        self.offsets = offsets
    }
}

extension TallyStore {
    /// Runs `body` over one consistent snapshot of the rollups together with the ingest position of
    /// that same snapshot, off the caller's thread. The offsets are written in the transaction of
    /// the rollups they produced, so the pair names exactly the events the figures reflect.
    public func withRollupsAtPositionAsync<T: Sendable>(
        _ body: @escaping @Sendable (any RollupReading, IngestPosition) throws -> T
    ) async throws(StoreError) -> T {
        try await readAsync { db in
            let rows = try Row.fetchAll(db, sql: "SELECT topic, partition, next_offset, updated_at FROM consumed_offsets ORDER BY topic, partition")
            let position = IngestPosition(
                committedAtMillis: rows.map { $0[3] as Int64 }.max(),
                offsets: rows.map { PartitionOffset(topic: $0[0], partition: $0[1], nextOffset: $0[2]) })
            return try body(SnapshotReader(db: db), position)
        }
    }
}
