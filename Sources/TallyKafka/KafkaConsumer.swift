import Crdkafka
import Logging

/// Decides where consumption starts when partitions are assigned, and gets a chance to commit
/// work in progress before partitions are taken away.
///
/// Tally keeps its consumed offsets in its own store, so on assignment it seeks to them rather than
/// to the offsets committed to Kafka, which are advisory only.
public protocol KafkaRebalanceHandler: AnyObject {
    /// The next offset to read for each newly assigned partition; nil means the earliest offset.
    func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64]
    /// Called before `partitions` are revoked, while their messages can still be committed.
    func partitionsRevoked(_ partitions: [TopicPartition])
}

/// A consumer-group member over librdkafka.
///
/// Not thread-safe by design: one thread owns it and calls `poll` in a loop, which also runs the
/// rebalance callbacks on that thread. That keeps blocking polls off Swift's cooperative pool.
public final class KafkaConsumer: @unchecked Sendable {
    /// What one poll produced.
    public enum Event {
        case message(KafkaMessage)
        /// The consumer has read everything up to the partition's current end.
        case endOfPartition(TopicPartition, offset: Int64)
        /// A non-fatal client error (librdkafka retries by itself), e.g. the broker is down.
        case error(KafkaError, isFatal: Bool)
    }

    private let client: OpaquePointer
    private let queue: OpaquePointer
    /// The client handle, for extensions in this module.
    var handle: OpaquePointer { client }
    private let context: RebalanceContext
    private let logger: Logger
    private var topicNames: [OpaquePointer: String] = [:]
    private var closed = false

    /// Creates a consumer in `group`.
    ///
    /// - Parameters:
    ///   - brokers: `host:port[,host:port…]`.
    ///   - group: the consumer group; members split the topics' partitions between them.
    ///   - properties: extra librdkafka properties, overriding the defaults.
    public init(brokers: String, group: String, properties: [String: String] = [:], logger: Logger) throws(KafkaError) {
        var all: [String: String] = [
            "bootstrap.servers": brokers,
            "group.id": group,
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "enable.partition.eof": "true",
            "auto.offset.reset": "earliest",
            "session.timeout.ms": "6000",
            "heartbeat.interval.ms": "500",
            "partition.assignment.strategy": "range,roundrobin",
            "fetch.wait.max.ms": "100",
            "topic.metadata.refresh.interval.ms": "10000",
            "log.connection.close": "false",
        ]
        all.merge(properties) { _, new in new }
        let context = RebalanceContext(logger: logger)
        self.context = context
        self.logger = logger
        client = try KafkaConfiguration(properties: all).makeClient(type: RD_KAFKA_CONSUMER) { conf in
            rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
            rd_kafka_conf_set_rebalance_cb(conf, kafkaRebalanceCallback)
            rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
            rd_kafka_conf_set_error_cb(conf, kafkaErrorCallback)
        }
        rd_kafka_poll_set_consumer(client)
        queue = rd_kafka_queue_get_consumer(client)
        context.client = client
    }

    deinit {
        close()
        rd_kafka_queue_destroy(queue)
        rd_kafka_destroy(client)
    }

    /// Who decides start offsets on assignment. Set it before the first poll.
    public var rebalanceHandler: (any KafkaRebalanceHandler)? {
        get { context.handler }
        set { context.handler = newValue }
    }

    /// Joins the group for `topics`.
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, -1) }
        let result = rd_kafka_subscribe(client, list)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.consumer, "subscribe to \(topics): \(KafkaConfiguration.describe(result))")
        }
    }

    /// Waits up to `timeoutMilliseconds` for the next message or event; nil when none came.
    public func poll(timeoutMilliseconds: Int32) -> Event? {
        guard let pointer = rd_kafka_consumer_poll(client, timeoutMilliseconds) else { return nil }
        defer { rd_kafka_message_destroy(pointer) }
        let message = pointer.pointee
        let topic = message.rkt.map(topicName) ?? ""
        switch message.err {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
            let timestamp = rd_kafka_message_timestamp(pointer, &timestampType)
            return .message(KafkaMessage(
                topic: topic, partition: message.partition, offset: message.offset,
                key: Self.copy(message.key, message.key_len), value: Self.copy(message.payload, message.len),
                timestampMillis: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || timestamp < 0 ? nil : timestamp))
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            return .endOfPartition(TopicPartition(topic: topic, partition: message.partition), offset: message.offset)
        default:
            let text = Self.copy(message.payload, message.len).map { String(decoding: $0, as: UTF8.self) } ?? KafkaConfiguration.describe(message.err)
            let fatal = message.err == RD_KAFKA_RESP_ERR__FATAL
            return .error(KafkaError(.consumer, "\(KafkaConfiguration.describe(message.err)): \(text)"), isFatal: fatal)
        }
    }

    /// The low and high watermarks last seen in fetch responses (no broker round trip).
    ///
    /// Used for lag instead of ListOffsets, whose "latest" answer some brokers get wrong.
    public func cachedWatermarks(_ partition: TopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1
        var high: Int64 = -1
        let result = rd_kafka_get_watermark_offsets(client, partition.topic, partition.partition, &low, &high)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return (low, high)
    }

    /// The connection trouble reported since the last call, if any, which is then forgotten: the
    /// caller has just seen the consumer work again and says so once.
    public func takeReportedTrouble() -> String? { context.errors.takeReported() }

    /// The partitions currently assigned to this member.
    public func assignment() -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(client, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return Self.partitions(in: list).map(\.0)
    }

    /// Commits offsets to Kafka asynchronously, for lag tools only: Tally's own offsets are in its store.
    public func commitAdvisory(_ offsets: [TopicPartition: Int64]) {
        guard !offsets.isEmpty else { return }
        let list = Self.makeList(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        _ = rd_kafka_commit(client, list, 1)
    }

    /// Leaves the group (running the revoke callback) and stops fetching. Idempotent.
    public func close() {
        guard !closed else { return }
        closed = true
        _ = rd_kafka_consumer_close(client)
    }

    private func topicName(_ handle: OpaquePointer) -> String {
        if let name = topicNames[handle] { return name }
        let name = String(cString: rd_kafka_topic_name(handle))
        topicNames[handle] = name
        return name
    }

    static func copy(_ pointer: UnsafeMutableRawPointer?, _ length: Int) -> [UInt8]? {
        guard let pointer else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    static func partitions(in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [(TopicPartition, Int64)] {
        (0..<Int(list.pointee.cnt)).map { i in
            let element = list.pointee.elems[i]
            return (TopicPartition(topic: String(cString: element.topic), partition: element.partition), element.offset)
        }
    }
}

/// State the C callbacks reach through librdkafka's opaque pointer. It outlives the client handle.
final class RebalanceContext: @unchecked Sendable {
    weak var handler: (any KafkaRebalanceHandler)?
    var client: OpaquePointer?
    let logger: Logger
    let errors: KafkaErrorReporter

    init(logger: Logger) {
        self.logger = logger
        errors = KafkaErrorReporter(logger: logger)
    }

    func rebalance(_ error: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        guard let client else { return }
        let partitions = KafkaConsumer.partitions(in: list).map(\.0)
        switch error {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let starts = handler?.partitionsAssigned(partitions) ?? [:]
            for i in 0..<Int(list.pointee.cnt) {
                list.pointee.elems[i].offset = starts[partitions[i]] ?? KafkaOffset.beginning
            }
            logger.info("partitions assigned", metadata: ["partitions": "\(partitions.map { "\($0)@\(starts[$0] ?? 0)" })"])
            _ = rd_kafka_assign(client, list)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            handler?.partitionsRevoked(partitions)
            logger.info("partitions revoked", metadata: ["partitions": "\(partitions)"])
            _ = rd_kafka_assign(client, nil)
        default:
            logger.warning("rebalance failed", metadata: ["error": "\(KafkaConfiguration.describe(error))"])
            _ = rd_kafka_assign(client, nil)
        }
    }
}

/// librdkafka's special offsets.
public enum KafkaOffset {
    /// The earliest offset still in the log.
    public static let beginning: Int64 = -2
    /// The end of the log.
    public static let end: Int64 = -1
}

private let kafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = { _, code, reason, opaque in
    guard let opaque else { return }
    Unmanaged<RebalanceContext>.fromOpaque(opaque).takeUnretainedValue().errors
        .report(rd_kafka_resp_err_t(code), reason.map { String(cString: $0) } ?? "")
}

private let kafkaRebalanceCallback: @convention(c) (
    OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?
) -> Void = { _, error, list, opaque in
    guard let opaque, let list else { return }
    Unmanaged<RebalanceContext>.fromOpaque(opaque).takeUnretainedValue().rebalance(error, list)
}
