import Foundation
import Logging
import TallyKafka
import TallyStore

/// Whether the topics still hold every event a store counted: the condition for re-bucketing a
/// tenant's whole history from them.
///
/// Each partition the store consumed must still begin at offset 0 (retention deletes from the
/// front) and reach the store's offset (a topic recreated under the same name is shorter). It
/// reads the first message of each partition with a private consumer, by plain assignment.
public enum TopicHistoryProbe {
    /// nil when the topics hold everything; otherwise what is missing, or why it is unknown.
    public static func missingHistory(store: TallyStore, brokers: String, properties: [String: String], logger: Logger,
                                      timeoutSeconds: Double = 5) -> String? {
        do {
            let targets = Dictionary(uniqueKeysWithValues: try store.consumedOffsets().filter { $0.nextOffset > 0 }.map {
                (TopicPartition(topic: $0.topic, partition: $0.partition), $0.nextOffset)
            })
            guard !targets.isEmpty else { return nil }
            let consumer = try KafkaConsumer(brokers: brokers, group: "tally-probe-\(UUID().uuidString)", properties: properties, logger: logger)
            defer { consumer.close() }
            try consumer.assign(targets.mapValues { _ in KafkaOffset.beginning })
            var first: [TopicPartition: Int64] = [:]
            let deadline = Date().addingTimeInterval(timeoutSeconds)
            while first.count < targets.count, Date() < deadline {
                if case .message(let message)? = consumer.poll(timeoutMilliseconds: 100) {
                    let partition = TopicPartition(topic: message.topic, partition: message.partition)
                    if first[partition] == nil {
                        first[partition] = message.offset
                        consumer.pause([partition])
                    }
                }
            }
            for (partition, target) in targets.sorted(by: { $0.key.description < $1.key.description }) {
                guard let offset = first[partition] else {
                    return "\(partition) yielded no message within \(Int(timeoutSeconds)) s although the store counted up to offset \(target)"
                }
                if offset > 0 { return "\(partition) now begins at offset \(offset)" }
                if let high = consumer.cachedWatermarks(partition)?.high, high < target {
                    return "\(partition) ends at offset \(high), before the store's \(target)"
                }
            }
            return nil
        } catch {
            return "the topics could not be read: \(error)"
        }
    }
}
