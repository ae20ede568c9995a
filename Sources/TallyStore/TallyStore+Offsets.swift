import GRDB

extension TallyStore {
    /// The committed next offset of every partition this store has consumed from.
    public func consumedOffsets() throws(StoreError) -> [PartitionOffset] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT topic, partition, next_offset FROM consumed_offsets ORDER BY topic, partition").map {
                PartitionOffset(topic: $0[0], partition: $0[1], nextOffset: $0[2])
            }
        }
    }

    /// The committed next offset of one partition, or nil when the store has never consumed it.
    public func consumedOffset(topic: String, partition: Int32) throws(StoreError) -> Int64? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT next_offset FROM consumed_offsets WHERE topic = ? AND partition = ?",
                               arguments: [topic, partition])
        }
    }
}
