import Crdkafka

extension KafkaConsumer {
    /// Reads `partitions` from the given offsets without joining a group: no rebalance, no commits,
    /// so a replay never disturbs the live consumer group.
    public func assign(_ partitions: [TopicPartition: Int64]) throws(KafkaError) {
        let list = Self.makeList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let result = rd_kafka_assign(handle, list)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.consumer, "assign \(partitions.keys.sorted { $0.description < $1.description }): \(KafkaConfiguration.describe(result))")
        }
    }

    /// Stops fetching `partitions` while staying in the group (polls keep the membership alive).
    public func pause(_ partitions: [TopicPartition]) {
        let list = Self.makeList(Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.beginning) }))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        _ = rd_kafka_pause_partitions(handle, list)
    }

    /// Resumes fetching paused `partitions`.
    public func resume(_ partitions: [TopicPartition]) {
        let list = Self.makeList(Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.beginning) }))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        _ = rd_kafka_resume_partitions(handle, list)
    }

    /// Moves the read position of assigned partitions, e.g. to a replacement store's offsets.
    public func seek(_ partitions: [TopicPartition: Int64]) throws(KafkaError) {
        let list = Self.makeList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if let error = rd_kafka_seek_partitions(handle, list, 10_000) {
            let message = String(cString: rd_kafka_error_string(error))
            rd_kafka_error_destroy(error)
            throw KafkaError(.consumer, "seek: \(message)")
        }
    }

    static func makeList(_ partitions: [TopicPartition: Int64]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(partitions.count, 1)))!
        for (partition, offset) in partitions {
            rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition).pointee.offset = offset
        }
        return list
    }
}
