import Crdkafka
import Foundation
import Logging

/// A keyed producer over librdkafka, used by `tally produce`, tests and benchmarks.
///
/// Delivery reports are counted so that callers can prove every message landed, and the highest
/// offset per partition is kept so tests know exactly where "caught up" is.
public final class KafkaProducer: @unchecked Sendable {
    private let client: OpaquePointer
    private let deliveries: DeliveryLedger
    private var topics: [String: OpaquePointer] = [:]

    /// - Parameter properties: extra librdkafka properties (e.g. `compression.codec`).
    public init(brokers: String, properties: [String: String] = [:]) throws(KafkaError) {
        var all: [String: String] = [
            "bootstrap.servers": brokers,
            // Java clients hash keys with murmur2; matching them keeps a tenant on one partition
            // whichever client produced its events.
            "partitioner": "murmur2_random",
            "linger.ms": "5",
            "queue.buffering.max.messages": "500000",
            "log.connection.close": "false",
        ]
        all.merge(properties) { _, new in new }
        let ledger = DeliveryLedger()
        deliveries = ledger
        client = try KafkaConfiguration(properties: all).makeClient(type: RD_KAFKA_PRODUCER) { conf in
            rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(ledger).toOpaque())
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryCallback)
            rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
        }
    }

    deinit {
        _ = rd_kafka_flush(client, 10_000)
        for handle in topics.values { rd_kafka_topic_destroy(handle) }
        rd_kafka_destroy(client)
    }

    /// Enqueues one message; waits while the local queue is full. Delivery is reported later.
    public func send(topic: String, key: [UInt8]?, value: [UInt8]?) throws(KafkaError) {
        let handle = try topicHandle(topic)
        while true {
            let result = (value ?? []).withUnsafeBytes { valueBytes in
                (key ?? []).withUnsafeBytes { keyBytes in
                    rd_kafka_produce(handle, -1, 0x2, value == nil ? nil : UnsafeMutableRawPointer(mutating: valueBytes.baseAddress),
                                     value?.count ?? 0, key == nil ? nil : keyBytes.baseAddress, key?.count ?? 0, nil)
                }
            }
            if result == 0 { break }
            let error = rd_kafka_last_error()
            guard error == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
                throw KafkaError(.producer, "produce to \(topic): \(KafkaConfiguration.describe(error))")
            }
            rd_kafka_poll(client, 50)
        }
        rd_kafka_poll(client, 0)
    }

    /// Waits until every enqueued message is delivered or failed, then returns the outcome so far.
    public func flush(timeoutMilliseconds: Int32 = 60_000) throws(KafkaError) -> DeliverySummary {
        let result = rd_kafka_flush(client, timeoutMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.producer, "flush: \(KafkaConfiguration.describe(result)) with \(rd_kafka_outq_len(client)) messages outstanding")
        }
        return deliveries.summary
    }

    /// Delivery outcomes so far.
    public var summary: DeliverySummary { deliveries.summary }

    /// Creates topics (ignoring ones that already exist), so consumers can subscribe at once.
    public func createTopics(_ names: [String], partitions: Int32, timeoutMilliseconds: Int32 = 10_000) throws(KafkaError) {
        var errorText = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = names.map { rd_kafka_NewTopic_new($0, partitions, -1, &errorText, errorText.count) }
        defer { newTopics.forEach { rd_kafka_NewTopic_destroy($0) } }
        let queue = rd_kafka_queue_new(client)!
        defer { rd_kafka_queue_destroy(queue) }
        rd_kafka_CreateTopics(client, &newTopics, newTopics.count, nil, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds) else {
            throw KafkaError(.admin, "create topics \(names): no answer within \(timeoutMilliseconds) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        if rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(.admin, "create topics \(names): \(String(cString: rd_kafka_event_error_string(event)))")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count) else { return }
        for i in 0..<count {
            let error = rd_kafka_topic_result_error(results[i])
            guard error != RD_KAFKA_RESP_ERR_NO_ERROR, error != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else { continue }
            throw KafkaError(.admin, "create topic \(String(cString: rd_kafka_topic_result_name(results[i]))): \(KafkaConfiguration.describe(error))")
        }
    }

    private func topicHandle(_ name: String) throws(KafkaError) -> OpaquePointer {
        if let handle = topics[name] { return handle }
        guard let handle = rd_kafka_topic_new(client, name, nil) else {
            throw KafkaError(.producer, "topic \(name): \(KafkaConfiguration.describe(rd_kafka_last_error()))")
        }
        topics[name] = handle
        return handle
    }
}

/// What the broker acknowledged.
public struct DeliverySummary: Sendable {
    public var delivered = 0
    public var failed = 0
    /// The first failure's reason, if any.
    public var firstError: String?
    /// One past the highest acknowledged offset per partition: where a consumer is caught up.
    public var endOffsets: [TopicPartition: Int64] = [:]
}

/// Collects delivery reports, which librdkafka delivers on the thread that polls the producer.
final class DeliveryLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var state = DeliverySummary()

    var summary: DeliverySummary { lock.withLock { state } }

    func record(_ message: rd_kafka_message_t) {
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        lock.withLock {
            if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                state.delivered += 1
                let key = TopicPartition(topic: topic, partition: message.partition)
                state.endOffsets[key] = Swift.max(state.endOffsets[key] ?? 0, message.offset + 1)
            } else {
                state.failed += 1
                if state.firstError == nil { state.firstError = KafkaConfiguration.describe(message.err) }
            }
        }
    }
}

private let deliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = { _, message, opaque in
    guard let message, let opaque else { return }
    Unmanaged<DeliveryLedger>.fromOpaque(opaque).takeUnretainedValue().record(message.pointee)
}
