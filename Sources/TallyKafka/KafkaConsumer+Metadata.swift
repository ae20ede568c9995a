import Crdkafka

extension KafkaConsumer {
    /// How many partitions each of `topics` has, asked of a broker (one Metadata round trip of at
    /// most `timeoutMilliseconds`); a topic the broker does not know has none.
    ///
    /// The group's assignment says which partitions this member holds, not how many there are: this
    /// is the other half of "is every partition here". It asks for every topic rather than for these
    /// by name, so that asking never auto-creates a topic on a broker configured to do that. Call it
    /// from the polling thread, like every other method of the consumer.
    public func partitionCounts(of topics: [String], timeoutMilliseconds: Int32) throws(KafkaError) -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(.consumer, "topic metadata: \(KafkaConfiguration.describe(result))")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let wanted = Set(topics)
        var counts = Dictionary(uniqueKeysWithValues: topics.map { ($0, 0) })
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            let name = String(cString: topic.topic)
            guard wanted.contains(name) else { continue }
            switch topic.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
                counts[name] = Int(topic.partition_cnt)
            default:
                // A topic being created or moved may list no partitions yet: that count is no answer.
                guard topic.partition_cnt > 0 else {
                    throw KafkaError(.consumer, "topic metadata for \(name): \(KafkaConfiguration.describe(topic.err))")
                }
                counts[name] = Int(topic.partition_cnt)
            }
        }
        return counts
    }
}
