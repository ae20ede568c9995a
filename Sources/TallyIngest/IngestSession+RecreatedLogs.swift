import Foundation
import TallyKafka

extension IngestSession {
    /// Re-reads, from its beginning, any partition whose log has ended before the committed offset
    /// for the grace period.
    ///
    /// A Kafka broker answers a fetch beyond the log end with OFFSET_OUT_OF_RANGE, and
    /// `auto.offset.reset=earliest` moves the consumer to the new log's start. Some brokers (an
    /// in-memory broker after a restart, for one) answer with an empty fetch instead, which would
    /// leave ingest waiting at its stored offset forever while the new log fills. The watermark in
    /// those answers still tells the truth, so that is what this watches. Nothing is written on
    /// reset: the store's offset moves when the first batch from the new log commits, so a restart
    /// in between finds the same situation and resolves it the same way.
    func restartRecreatedLogs(now: UInt64) {
        for (partition, offset) in committed {
            let high = consumer.cachedWatermarks(partition)?.high
            // The reader sits at the committed offset, beyond the end of a recreated log.
            guard logEndsBeforeCommitted.observe(partition, logEnd: high, position: offset, expected: offset, now: now) else { continue }
            logger.warning("""
                \(partition): the broker's log ends at \(high ?? 0), before the stored offset \(offset); \
                the topic was recreated, reading it again from its beginning
                """)
            do {
                try consumer.seek([partition: KafkaOffset.beginning])
                committed[partition] = 0
                logEndsBeforeCommitted.forget(partition)
            } catch {
                logger.error("cannot seek \(partition) to its beginning; will retry", metadata: ["error": "\(error)"])
                // The grace period starts again rather than a retry (and a log line) every check.
                logEndsBeforeCommitted.forget(partition)
            }
        }
        if logEndsBeforeCommitted.isWatching { publishStatus(state: nil) }
    }
}
